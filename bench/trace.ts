// A trace of the processes one command starts (strace -f, execve only): which programs, when, and how
// long each lived. strace slows every process start, so its times are for reading the order and the
// shares, not for comparing with the timed rows. A command that leaves a process behind (`run -d`'s
// container monitor) is traced until the command itself exits; strace then detaches from the rest.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

export const STRACE = '/usr/bin/strace';

export interface ProcessStart {
  pid: number;
  // ms after the traced command's own execve.
  atMs: number;
  // How long the program ran (until its process exited or exec'd another), when seen.
  ranMs?: number;
  argv: string[];
}

export interface Trace {
  // From the command's execve to its exit, under strace.
  totalMs: number;
  starts: ProcessStart[];
  // Program name -> starts.
  counts: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function parseTrace(text: string): Trace {
  const starts: ProcessStart[] = [];
  const pending = new Map<number, string[]>();
  const last = new Map<number, ProcessStart>();
  let t0: number | undefined;
  let rootPid: number | undefined;
  let rootExit = NaN;
  const started = (pid: number, t: number, argv: string[]) => {
    t0 ??= t;
    rootPid ??= pid;
    const prev = last.get(pid);
    if (prev) prev.ranMs = t - t0 - prev.atMs;
    const s = { pid, atMs: t - t0, argv };
    starts.push(s);
    last.set(pid, s);
  };
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const t = Number(m[2]) * 1000;
    const rest = m[3] ?? '';
    const argvOf = (s: string) => [...s.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1] ?? '');
    const call = /^execve\("[^"]*", \[(.*?)\](?:\.\.\.)?,/.exec(rest);
    if (call) {
      const argv = argvOf(call[1] ?? '');
      if (rest.includes('<unfinished ...>')) pending.set(pid, argv);
      else if (/\) = 0$/.test(rest)) started(pid, t, argv);
    } else if (rest.startsWith('<... execve resumed>')) {
      const argv = pending.get(pid);
      pending.delete(pid);
      if (argv && /\) = 0$/.test(rest)) started(pid, t, argv);
    } else if (/^\+\+\+ (exited|killed)/.test(rest) && t0 !== undefined) {
      const s = last.get(pid);
      if (s) s.ranMs = t - t0 - s.atMs;
      if (pid === rootPid) rootExit = t - t0;
    }
  }
  const counts: Record<string, number> = {};
  for (const s of starts) {
    const name = basename(s.argv[0] ?? '?');
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return { totalMs: rootExit, starts, counts };
}

// Trace argv until its own process exits (or 60 s), then stop strace (-I1: SIGTERM is not blocked, as
// it is by default with -o), which detaches from what is left running.
export async function traceStarts(argv: string[], env: NodeJS.ProcessEnv): Promise<Trace> {
  const dir = await mkdtemp(join(tmpdir(), 'nerdnet-bench-trace-'));
  const out = join(dir, 'trace');
  try {
    const child = spawn(STRACE, ['-I1', '-f', '-q', '-ttt', '-s', '200', '-e', 'trace=execve', '-e', 'signal=none', '-o', out, '--', ...argv], { env, stdio: 'ignore' });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
      const root = /^(\d+) /.exec(text)?.[1];
      if (root && new RegExp(`^${root} \\S+ \\+\\+\\+ (exited|killed)`, 'm').test(text)) break;
      if (child.exitCode !== null || Date.now() > deadline) break;
      await sleep(20);
    }
    if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    await closed;
    return parseTrace(readFileSync(out, 'utf8'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
