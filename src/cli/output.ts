// stdout/stderr whose reader went away (`nerdnet ... | head`): the rest of the output is dropped and
// the command finishes the work it started, then exits with its own status. Node ignores SIGPIPE, so
// a write to a closed pipe fails with EPIPE, which unhandled crashes the process part-way (a sweep
// half done). Rules: docs/cli.md "Exit status".

const closedController = new AbortController();

/** Aborted once stdout's reader has gone: commands that would print forever (logs -f) stop on it. */
export const outputClosed: AbortSignal = closedController.signal;

const guarded = new WeakSet<NodeJS.WriteStream>();
let lostOutput: string | undefined;

// The errors a write to a pipe without a reader produces: EPIPE, then, once Node destroyed the
// stream, ERR_STREAM_DESTROYED for every later write.
function isClosedPipe(err: NodeJS.ErrnoException): boolean {
  return err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED';
}

// After the first error, writes are no-ops that report success, so no caller waits for a 'drain'
// that never comes and nothing more reaches the dead stream.
function guard(stream: NodeJS.WriteStream, onClosed: () => void): void {
  if (guarded.has(stream)) return;
  guarded.add(stream);
  let closed = false;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (!closed && !isClosedPipe(err)) lostOutput ??= err.message;
    closed = true;
    onClosed();
  });
  stream.write = (...args: unknown[]): boolean => {
    if (closed || stream.destroyed) {
      const cb = args.find((a): a is (e?: Error | null) => void => typeof a === 'function');
      if (cb) process.nextTick(cb);
      return true;
    }
    return write(...args);
  };
}

/** Install the guard on stdout and stderr (idempotent). */
export function guardOutput(): void {
  guard(process.stdout, () => closedController.abort());
  guard(process.stderr, () => {});
}

/** A write error other than a closed pipe (e.g. ENOSPC on a redirected file), for the exit status. */
export function outputError(): string | undefined {
  return lostOutput;
}
