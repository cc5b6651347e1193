// exec (a process in a running container, through its runtime) and logs (the plain-text log the
// container's output is appended to).
import type { StdioOptions } from 'node:child_process';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import type { ContainerEnv } from './env.js';
import { recordsOf, runtimeContainer, runtimeFor } from './env.js';
import { observe } from './status.js';
import type { ContainerRecord } from './types.js';

export interface ExecRequest {
  args: string[];
  tty: boolean;
  env: string[];
  workdir?: string;
  user?: string;
  stdio: StdioOptions;
}

// Resolves with the exec'd process's exit code.
export async function execInContainer(env: ContainerEnv, rec: ContainerRecord, req: ExecRequest): Promise<number> {
  if (req.args.length === 0) throw new NerdnetError('ERR_INVALID_ARG', 'exec needs a command', { remedy: { kind: 'give-exec-command' } });
  const runtime = await runtimeFor(rec, env.runtimes);
  const paths = recordsOf(env).paths(rec.id);
  if (!(await observe(rec, paths, runtime)).running) {
    throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} (${rec.id.slice(0, 12)}) is not running`, { remedy: { kind: 'start', container: rec.name } });
  }
  return runtime.exec(runtimeContainer(rec, paths), req.args, {
    tty: req.tty,
    env: req.env,
    stdio: req.stdio,
    ...(req.workdir ? { cwd: req.workdir } : {}),
    ...(req.user ? { user: req.user } : {}),
  });
}

export interface LogsOptions {
  // Keep reading until the container stops (and the log is drained), or `signal` aborts.
  follow?: boolean;
  signal?: AbortSignal;
  // Poll interval while following.
  pollMs?: number;
}

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// Everything from `from` to the current end; returns the new position.
async function* drain(fh: FileHandle, from: number): AsyncGenerator<Buffer, number> {
  const buf = Buffer.alloc(64 * 1024);
  let pos = from;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return pos;
    pos += bytesRead;
    yield Buffer.from(buf.subarray(0, bytesRead));
  }
}

// The container's output as chunks, oldest first; with `follow`, until the container stops.
export async function* readLogs(env: ContainerEnv, rec: ContainerRecord, opts: LogsOptions = {}): AsyncGenerator<Buffer> {
  const records = recordsOf(env);
  const paths = records.paths(rec.id);
  const runtime = await runtimeFor(rec, env.runtimes);
  const running = async (): Promise<boolean> => {
    const current = await records.read(rec.id);
    return current !== undefined && (await observe(current, paths, runtime)).running;
  };
  let fh = await openIfExists(paths.log);
  let pos = 0;
  try {
    for (;;) {
      // Check before draining, so output written just before the exit is still read.
      const stillRunning = opts.follow ? await running() : false;
      fh ??= await openIfExists(paths.log);
      if (fh) pos = yield* drain(fh, pos);
      if (!stillRunning || opts.signal?.aborted) return;
      await sleep(opts.pollMs ?? 100, undefined, opts.signal ? { signal: opts.signal } : undefined).catch(() => undefined);
    }
  } finally {
    await fh?.close();
  }
}
