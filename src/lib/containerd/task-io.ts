// The stdio of an attached task or exec: FIFOs the containerd shim writes to (and reads stdin from),
// bridged to the caller's stdio. Detached tasks need none of this: their output goes to a
// `file://` URI the shim appends to itself.
import { execFile } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { closeSync, constants as fsc, createWriteStream, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { NerdnetError } from '../errors.js';
import type { TaskIO } from './tasks.js';

const run = promisify(execFile);

type Slot = 'inherit' | 'ignore' | 'pipe' | 'overlapped' | 'ipc' | number | Readable | Writable | object | null;

// Where a stdio slot of the caller's goes: its stream, or nothing ('ignore', 'pipe' and others).
function sinkOf(slot: Slot | undefined, fallback: Writable): Writable | undefined {
  if (slot === 'inherit') return fallback;
  if (typeof slot === 'number') return createWriteStream('', { fd: slot, autoClose: false });
  if (slot && typeof slot === 'object' && 'write' in slot) return slot;
  return undefined;
}

function slots(stdio: StdioOptions): Array<Slot | undefined> {
  if (typeof stdio === 'string') return [stdio, stdio, stdio];
  const a = stdio as ReadonlyArray<Slot | undefined>;
  return [a[0], a[1], a[2]];
}

async function mkfifo(path: string): Promise<void> {
  await rm(path, { force: true });
  try {
    await run('mkfifo', ['-m', '600', path]);
  } catch (err) {
    throw new NerdnetError('ERR_HOST', `cannot create the FIFO ${path} for the container's stdio: ${(err as Error).message}`, { cause: err });
  }
}

export interface AttachedIO {
  io: TaskIO;
  // Call once the shim has opened the FIFOs (after tasks.Create / tasks.Exec).
  opened(): void;
  // Resolves when the shim has closed the output FIFOs (all output copied), or after `timeoutMs`.
  drained(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

// Output FIFO: read without blocking; a placeholder writer keeps EOF away until the shim opens its end.
function outputFifo(path: string, sink: Writable | undefined): { hold: number; ended: Promise<void>; socket: Socket } {
  const fd = openSync(path, fsc.O_RDONLY | fsc.O_NONBLOCK);
  const hold = openSync(path, fsc.O_WRONLY | fsc.O_NONBLOCK);
  const socket = new Socket({ fd, readable: true, writable: false });
  const ended = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', resolve);
    socket.on('error', () => resolve());
  });
  if (sink) socket.pipe(sink, { end: false });
  else socket.resume();
  return { hold, ended, socket };
}

// FIFOs under `dir` (created, removed by close()); stdin only when the caller's stdin is passed on.
export async function openAttachedIO(dir: string, stdio: StdioOptions, terminal: boolean): Promise<AttachedIO> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const [inSlot, outSlot, errSlot] = slots(stdio);
  const source: Readable | undefined = inSlot === 'inherit' ? process.stdin : inSlot && typeof inSlot === 'object' && 'read' in inSlot ? (inSlot) : undefined;
  const io: TaskIO = { stdin: '', stdout: join(dir, 'stdout'), stderr: terminal ? '' : join(dir, 'stderr'), terminal };
  await mkfifo(io.stdout);
  if (io.stderr) await mkfifo(io.stderr);
  const outputs = [outputFifo(io.stdout, sinkOf(outSlot, process.stdout))];
  if (io.stderr) outputs.push(outputFifo(io.stderr, sinkOf(errSlot, process.stderr)));
  let stdin: Writable | undefined;
  let rawMode = false;
  if (source) {
    io.stdin = join(dir, 'stdin');
    await mkfifo(io.stdin);
    // Read-write: never blocks, whether or not the shim has opened its end yet.
    stdin = createWriteStream('', { fd: openSync(io.stdin, fsc.O_RDWR) });
    stdin.on('error', () => undefined);
    if (terminal && source === process.stdin && process.stdin.isTTY) {
      process.stdin.setRawMode(true);
      rawMode = true;
    }
    source.pipe(stdin);
  }
  const holds = outputs.map((o) => o.hold);
  const release = () => {
    for (const h of holds.splice(0)) closeSync(h);
  };
  return {
    io,
    opened: release,
    async drained(timeoutMs) {
      release();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
      await Promise.race([Promise.all(outputs.map((o) => o.ended)), timeout]);
      clearTimeout(timer);
    },
    async close() {
      release();
      for (const o of outputs) o.socket.destroy();
      if (source && stdin) {
        source.unpipe(stdin);
        if (source === process.stdin) process.stdin.pause();
        stdin.destroy();
      }
      if (rawMode) process.stdin.setRawMode(false);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
