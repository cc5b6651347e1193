// A thin runc driver: every runc call nerdnet makes, with runc's global `--root` so tests (and users
// who want isolation) never touch the host's default state dir.
import { spawn } from 'node:child_process';
import type { StdioOptions } from 'node:child_process';
import { accessSync, constants as fsc } from 'node:fs';
import { constants as osc } from 'node:os';
import { delimiter, join } from 'node:path';
import { NerdnetError } from '../errors.js';

export interface RuncOptions {
  // runc executable; default: `runc` on PATH, else /usr/sbin/runc, /usr/bin/runc, /usr/local/sbin/runc.
  binary?: string;
  // runc's state directory (`runc --root`); undefined = runc's default (/run/runc).
  root?: string;
}

// `runc state` / `runc list --format json` entries (the fields nerdnet reads).
export interface RuncState {
  id: string;
  pid: number;
  // creating, created, running, paused or stopped.
  status: string;
  bundle: string;
  created: string;
}

export interface RuncResult {
  code: number;
  stdout: string;
  stderr: string;
}

const FALLBACK_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/sbin'];

function executable(path: string): boolean {
  try {
    accessSync(path, fsc.X_OK);
    return true;
  } catch {
    return false;
  }
}

// An absolute runc path: the shim and hooks may run with a PATH that lacks /usr/sbin.
export function findRunc(binary = 'runc', path = process.env.PATH ?? ''): string {
  if (binary.includes('/')) {
    if (executable(binary)) return binary;
    throw new NerdnetError('ERR_NOT_FOUND', `runc not found at ${binary}: install runc (apt-get install runc) or give its path with --runc`);
  }
  const dirs = [...path.split(delimiter).filter(Boolean), ...FALLBACK_DIRS];
  for (const dir of dirs) if (executable(join(dir, binary))) return join(dir, binary);
  throw new NerdnetError('ERR_NOT_FOUND', `${binary} not found on PATH or in ${FALLBACK_DIRS.join(', ')}: install runc (apt-get install runc) or give its path with --runc`);
}

// runc prints "container does not exist" (1.1) for unknown IDs.
function isNotExist(stderr: string): boolean {
  return /does not exist|container not found/i.test(stderr);
}

export class Runc {
  readonly binary: string;
  readonly root: string | undefined;

  constructor(opts: RuncOptions = {}) {
    this.binary = findRunc(opts.binary);
    this.root = opts.root;
  }

  // runc's global flags, placed before the subcommand.
  globalArgs(): string[] {
    return this.root === undefined ? [] : ['--root', this.root];
  }

  // argv (without the binary) for `runc run`: foreground; runc deletes the container and runs the
  // poststop hooks itself when the process exits.
  runArgs(id: string, bundle: string, logPath?: string, pidFile?: string): string[] {
    const log = logPath === undefined ? [] : ['--log', logPath, '--log-format', 'json'];
    return [...this.globalArgs(), ...log, 'run', '--bundle', bundle, ...(pidFile === undefined ? [] : ['--pid-file', pidFile]), id];
  }

  // runc's own state dir of a container: it exists from `runc create` until `runc delete`, so its
  // absence answers "does runc have it?" without starting runc.
  stateDir(id: string): string {
    const root = this.root ?? (process.getuid?.() === 0 || !process.env.XDG_RUNTIME_DIR ? '/run/runc' : join(process.env.XDG_RUNTIME_DIR, 'runc'));
    return join(root, id);
  }

  async call(args: readonly string[]): Promise<RuncResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, [...this.globalArgs(), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
      child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
      child.on('error', (err) => reject(new NerdnetError('ERR_HOST', `cannot run ${this.binary}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    });
  }

  private fail(what: string, r: RuncResult): NerdnetError {
    const msg = r.stderr.trim().replace(/^time="[^"]*" level=\w+ msg=/, '') || `exit status ${r.code}`;
    return new NerdnetError('ERR_HOST', `runc ${what} failed: ${msg}`);
  }

  // The container's runc state, or undefined when runc does not know it.
  async state(id: string): Promise<RuncState | undefined> {
    const r = await this.call(['state', id]);
    if (r.code !== 0) {
      if (isNotExist(r.stderr)) return undefined;
      throw this.fail(`state ${id}`, r);
    }
    return JSON.parse(r.stdout) as RuncState;
  }

  async list(): Promise<RuncState[]> {
    const r = await this.call(['list', '--format', 'json']);
    if (r.code !== 0) throw this.fail('list', r);
    const parsed = JSON.parse(r.stdout.trim() || 'null') as RuncState[] | null;
    return parsed ?? [];
  }

  // Signal the container's init (or, with `all`, every process). False when it is not running.
  async kill(id: string, signal: string, opts: { all?: boolean } = {}): Promise<boolean> {
    const r = await this.call(['kill', ...(opts.all ? ['--all'] : []), id, signal]);
    if (r.code === 0) return true;
    if (isNotExist(r.stderr) || /not running|process already finished/i.test(r.stderr)) return false;
    throw this.fail(`kill ${id} ${signal}`, r);
  }

  // Delete the container (runc runs its poststop hooks). False when it did not exist.
  async delete(id: string, opts: { force?: boolean } = {}): Promise<boolean> {
    const r = await this.call(['delete', ...(opts.force ? ['--force'] : []), id]);
    if (r.code === 0) return true;
    if (isNotExist(r.stderr)) return false;
    throw this.fail(`delete ${id}`, r);
  }

  // `runc exec` attached to the given stdio; resolves with the process's exit code.
  async exec(id: string, args: readonly string[], opts: ExecOptions): Promise<number> {
    const flags: string[] = [];
    if (opts.tty) flags.push('--tty');
    if (opts.cwd) flags.push('--cwd', opts.cwd);
    if (opts.user) flags.push('--user', opts.user);
    for (const e of opts.env ?? []) flags.push('--env', e);
    const child = spawn(this.binary, [...this.globalArgs(), 'exec', ...flags, id, ...args], { stdio: opts.stdio });
    return new Promise((resolve, reject) => {
      child.on('error', (err) => reject(new NerdnetError('ERR_HOST', `cannot run ${this.binary}: ${err.message}`, { cause: err })));
      child.on('close', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    });
  }
}

export interface ExecOptions {
  tty?: boolean;
  cwd?: string;
  // uid[:gid]
  user?: string;
  env?: readonly string[];
  stdio: StdioOptions;
}

// Shell convention for a process ended by a signal.
export function signalNumber(signal: NodeJS.Signals | null): number {
  if (!signal) return 0;
  const n = (osc.signals as Record<string, number>)[signal];
  return n ?? 0;
}

