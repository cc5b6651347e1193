// The per-container monitor: a tiny /bin/sh process (no Node per container) that runs `runc run` in
// the foreground, records the exit code and time atomically, deletes the runc container (runc fires
// the poststop hooks, so the network is released at once) and optionally runs a command afterwards
// (`nerdnet rm` for --rm). Detached: setsid, own process group, stdio appended to the log file.
import { spawn } from 'node:child_process';
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { readTextIfExists } from '../store/read-optional.js';
import type { Runc } from './runc.js';

export interface ShimPlan {
  id: string;
  runc: Runc;
  bundle: string;
  // `{"exitCode":N,"finishedAt":"<RFC 3339>"}`, written via a temp file + rename.
  exitFile: string;
  // runc's own log (`runc --log`, JSON lines): where start errors are read from.
  runcLog: string;
  // Written by runc once the container process runs: readiness without asking runc.
  pidFile?: string;
  // Detached `-i`: a FIFO the shim holds open read-write, so the container's stdin never ends.
  stdinFifo?: string;
  // argv run once the exit is recorded (e.g. `nerdnet rm <id>`), its output appended to `afterExitLog`.
  afterExit?: readonly string[];
  afterExitLog?: string;
}

export interface ExitRecord {
  exitCode: number;
  finishedAt: string;
}

// Single-quote for sh: every value in the script is quoted, so no path or ID is ever re-parsed.
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

const argv = (parts: readonly string[]): string => parts.map(shQuote).join(' ');

export function shimScript(plan: ShimPlan): string {
  const { runc, id } = plan;
  const tmp = `${plan.exitFile}.tmp`;
  const lines = [
    // A trap (not an ignore) keeps the shim alive on terminal signals; children get default dispositions.
    'trap : INT TERM HUP',
  ];
  if (plan.stdinFifo) lines.push(`rm -f ${shQuote(plan.stdinFifo)}; mkfifo -m 600 ${shQuote(plan.stdinFifo)} && exec 0<>${shQuote(plan.stdinFifo)}`);
  lines.push(
    argv([runc.binary, ...runc.runArgs(id, plan.bundle, plan.runcLog, plan.pidFile)]),
    'code=$?',
    `printf '{"exitCode":%d,"finishedAt":"%s"}\\n' "$code" "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" > ${shQuote(tmp)} && mv -f ${shQuote(tmp)} ${shQuote(plan.exitFile)}`,
    // Normally nothing to do (foreground runc run deletes on exit); covers a runc that was killed.
    `[ ! -e ${shQuote(runc.stateDir(id))} ] || ${argv([runc.binary, ...runc.globalArgs(), 'delete', '--force', id])} </dev/null >/dev/null 2>&1`,
  );
  if (plan.stdinFifo) lines.push(`exec 0</dev/null; rm -f ${shQuote(plan.stdinFifo)}`);
  if (plan.afterExit && plan.afterExit.length > 0) {
    const log = plan.afterExitLog ? `>>${shQuote(plan.afterExitLog)} 2>&1` : '>/dev/null 2>&1';
    lines.push(`${argv(plan.afterExit)} </dev/null ${log}`);
  }
  lines.push('exit $code');
  return lines.join('\n');
}

// The shim's argv[0]; with the container ID as $1 it identifies the process in /proc/<pid>/cmdline.
export const SHIM_NAME = 'nerdnet-shim';

export interface SpawnShimOptions {
  detached: boolean;
  stdio: StdioOptions;
  cwd: string;
}

export function spawnShim(plan: ShimPlan, opts: SpawnShimOptions): ChildProcess {
  const child = spawn('/bin/sh', ['-c', shimScript(plan), SHIM_NAME, plan.id], { detached: opts.detached, stdio: opts.stdio, cwd: opts.cwd });
  if (opts.detached) child.unref();
  return child;
}

// True when `pid` is still a shim of container `id` (a recycled PID belongs to something else).
export async function shimAlive(pid: number | undefined, id: string): Promise<boolean> {
  if (!pid || pid <= 0) return false;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited already; its parent simply has not reaped it yet.
    if (/\) Z /.test(stat)) return false;
    return cmdline.includes(SHIM_NAME) && cmdline.includes(id);
  } catch {
    return false;
  }
}

export async function readExitRecord(path: string): Promise<ExitRecord | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined) return undefined;
  try {
    const raw = JSON.parse(text) as Partial<ExitRecord>;
    if (typeof raw.exitCode !== 'number') return undefined;
    return { exitCode: raw.exitCode, finishedAt: typeof raw.finishedAt === 'string' ? raw.finishedAt : '' };
  } catch {
    return undefined;
  }
}

// Errors runc logged (`--log-format json`), oldest first, e.g. an executable not found or a failed hook.
export async function readRuncErrors(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === 'error' || entry.level === 'fatal') && entry.msg) out.push(entry.msg);
    } catch {
      // Not JSON: runc wrote something unstructured; ignore it.
    }
  }
  return out;
}

// runc's fatal message when `runc run` could not run the process (bad command, failed hook, ...).
export async function readStartError(path: string): Promise<string | undefined> {
  return (await readRuncErrors(path)).find((m) => m.startsWith('runc run failed'));
}
