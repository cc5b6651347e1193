// Plugin execution: exact env and stdin, stdout and
// stderr captured, failures decoded into CniError. Tests swap the `PluginExec` seam for fakes.
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { CniError, NerdnetError } from '../errors.js';
import { findInPath } from './find.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'STATUS' | 'GC' | 'VERSION';

export interface ExecOptions {
  signal?: AbortSignal;
  // Kill the plugin (SIGKILL) after this long.
  timeoutMs?: number;
}

// The seam libcni calls `Exec`: run a plugin, find a plugin.
export interface PluginExec {
  execPlugin(pluginPath: string, stdin: Uint8Array, env: NodeJS.ProcessEnv, opts?: ExecOptions): Promise<Buffer>;
  findInPath(type: string, dirs: readonly string[]): Promise<string>;
}

export interface RawExecOptions {
  // Where a successful plugin's stderr goes (libcni copies it to the runtime's stderr). Default: dropped.
  stderr?: (chunk: Buffer) => void;
  // "text file busy" retries: a plugin binary being replaced (cni#763, #855, #1183).
  busyRetries?: number;
  busyRetryDelayMs?: number;
}

const STDERR_EXCERPT = 4096;

interface RunOutcome {
  stdout: Buffer;
  stderr: Buffer;
  // Go's exec error text: `exit status 1`, `signal: killed`, `fork/exec <p>: ...`; undefined on success.
  execError?: string;
  spawnCode?: string;
}

function runOnce(path: string, stdin: Uint8Array, env: NodeJS.ProcessEnv, opts: ExecOptions): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    let child;
    try {
      // Own process group, so a kill also reaches anything the plugin started.
      child = spawn(path, [], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (e) {
      // Some spawn failures (ETXTBSY) are thrown, not emitted.
      const code = (e as NodeJS.ErrnoException).code;
      resolve({ stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), execError: `fork/exec ${path}: ${(e as Error).message}`, ...(code ? { spawnCode: code } : {}) });
      return;
    }
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            killGroup();
          }, opts.timeoutMs);
    const onAbort = () => killGroup();
    if (opts.signal?.aborted) killGroup();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (outcome: Omit<RunOutcome, 'stdout' | 'stderr'>) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), ...outcome });
    };
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    // A plugin may exit without reading stdin: EPIPE is not our failure.
    child.stdin.on('error', () => {});
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish({ execError: `fork/exec ${path}: ${e.message}`, ...(e.code ? { spawnCode: e.code } : {}) });
    });
    const onEnd = (code: number | null, signal: NodeJS.Signals | null) => {
      if (signal) {
        const why = timedOut ? ` (timed out after ${opts.timeoutMs} ms)` : opts.signal?.aborted ? ' (aborted)' : '';
        finish({ execError: `signal: ${signal === 'SIGKILL' ? 'killed' : signal}${why}` });
      } else if (code !== 0) finish({ execError: `exit status ${code}` });
      else finish({});
    };
    // A killed plugin's children may keep its pipes open: do not wait for them.
    child.on('exit', (code, signal) => {
      if (signal) {
        child.stdout.destroy();
        child.stderr.destroy();
        onEnd(code, signal);
      }
    });
    child.on('close', onEnd);
    child.stdin.end(stdin);
  });
}

// Go's %q for the stderr text, close enough for humans and for matching.
function quote(s: string): string {
  return JSON.stringify(s);
}

// Turn a failed run into the CNI error libcni would return.
export function decodeFailure(outcome: RunOutcome): CniError {
  const stderr = outcome.stderr.toString('utf8');
  const stderrExcerpt = stderr.slice(-STDERR_EXCERPT);
  const execError = outcome.execError ?? 'unknown failure';
  if (outcome.stdout.length === 0) {
    const msg = stderr.trim() === '' ? `netplugin failed with no error message: ${execError}` : `netplugin failed: ${quote(stderr)}: ${execError}`;
    return new CniError({ code: 0, msg }, { stderr: stderrExcerpt });
  }
  const text = outcome.stdout.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a JSON object');
    const o = parsed as Record<string, unknown>;
    const code = typeof o.code === 'number' ? o.code : 0;
    const msg = typeof o.msg === 'string' ? o.msg : '';
    const details = typeof o.details === 'string' ? o.details : '';
    return new CniError(details ? { code, msg, details } : { code, msg }, { stderr: stderrExcerpt });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return new CniError(
      { code: 0, msg: `netplugin failed but error parsing its diagnostic message ${quote(text)}: ${why}` },
      { stderr: stderrExcerpt },
    );
  }
}

export class RawExec implements PluginExec {
  constructor(private readonly options: RawExecOptions = {}) {}

  async execPlugin(pluginPath: string, stdin: Uint8Array, env: NodeJS.ProcessEnv, opts: ExecOptions = {}): Promise<Buffer> {
    const retries = this.options.busyRetries ?? 5;
    const delay = this.options.busyRetryDelayMs ?? 1000;
    let outcome: RunOutcome;
    // A fresh process per attempt: libcni reused its exec object, so its retry could never succeed.
    for (let attempt = 0; ; attempt++) {
      outcome = await runOnce(pluginPath, stdin, env, opts);
      if (outcome.spawnCode !== 'ETXTBSY' || attempt >= retries) break;
      await sleep(delay, undefined, opts.signal ? { signal: opts.signal } : {});
    }
    if (outcome.execError !== undefined) throw decodeFailure(outcome);
    if (outcome.stderr.length > 0) this.options.stderr?.(outcome.stderr);
    return outcome.stdout;
  }

  findInPath(type: string, dirs: readonly string[]): Promise<string> {
    return findInPath(type, dirs);
  }
}

export interface PluginEnvArgs {
  command: CniCommand;
  containerID?: string;
  netns?: string;
  ifName?: string;
  // CNI_ARGS pairs in order, joined `k=v;k=v`.
  args?: ReadonlyArray<readonly [string, string]>;
  path: readonly string[];
}

// `k=v;k=v`. A ";" inside a pair (or "=" in a key) would smuggle in another argument, e.g. a hostname
// "h;IP=10.0.0.9" from a bundle's annotations becoming host-local's IP: refused, never passed on.
function cniArgs(pairs: ReadonlyArray<readonly [string, string]>): string {
  for (const [k, v] of pairs) {
    if (k === '' || /[;=]/.test(k) || v.includes(';')) {
      throw new NerdnetError('ERR_INVALID_ARG', `invalid CNI_ARGS pair ${JSON.stringify(`${k}=${v}`)}: a key is non-empty without ";" or "=", a value has no ";"`);
    }
  }
  return pairs.map(([k, v]) => `${k}=${v}`).join(';');
}

// The process env plus the six CNI_* variables, always present, later values winning.
export function pluginEnv(a: PluginEnvArgs, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    CNI_COMMAND: a.command,
    CNI_CONTAINERID: a.containerID ?? '',
    CNI_NETNS: a.netns ?? '',
    CNI_ARGS: cniArgs(a.args ?? []),
    CNI_IFNAME: a.ifName ?? '',
    CNI_PATH: a.path.join(':'),
  };
}
