// stop (SIGTERM, then SIGKILL after the grace time) and kill (-s). Once the process has exited the
// runtime is reaped: the runc shim does it by itself; containerd's task is deleted here (as nerdctl
// stop does). Either way the poststop hook fires and the network is released.
import { constants as osc } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import type { ContainerEnv } from './env.js';
import { hookLogPath } from '../hook/run.js';
import type { ContainerRuntime, RuntimeContainer } from '../runtime/types.js';
import { providerContext, recordsOf, runtimeContainer, runtimeFor } from './env.js';
import { providerByName } from './network-provider.js';
import { observe } from './status.js';
import type { ContainerRecord, ObservedState } from './types.js';

// Docker's default grace time before SIGKILL.
export const DEFAULT_STOP_TIMEOUT_S = 10;

// `KILL`, `SIGKILL`, `kill` or `9` → what runc kill accepts (`SIGKILL`, `9`).
export function normalizeSignal(value: string): string {
  const v = value.trim();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n >= 1 && n <= 64) return v;
  } else {
    const name = v.toUpperCase().startsWith('SIG') ? v.toUpperCase() : `SIG${v.toUpperCase()}`;
    if (name in osc.signals) return name;
  }
  throw new NerdnetError('ERR_INVALID_ARG', `invalid signal ${JSON.stringify(value)}: give a name like TERM, SIGKILL or HUP, or a number 1-64`);
}

// What a container whose process has gone gets on top of any wait while its monitor is still
// settling: the poststop hook may be queued on the host-wide CNI lock behind the teardown of many
// other containers (30 removed at once), and returning earlier would leave its network half released.
export const TEARDOWN_TIMEOUT_MS = 120_000;

// Poll until the container is no longer running; returns what was seen last, which is still
// running when the deadline passed.
export async function waitExited(env: ContainerEnv, rec: ContainerRecord, timeoutMs: number, runtime?: ContainerRuntime): Promise<ObservedState> {
  const paths = recordsOf(env).paths(rec.id);
  const rt = runtime ?? (await runtimeFor(rec, env.runtimes));
  const start = Date.now();
  for (let wait = 10; ; wait = Math.min(wait * 2, 100)) {
    const obs = await observe(rec, paths, rt);
    if (!obs.running) return obs;
    if (Date.now() - start >= timeoutMs + (obs.settling ? TEARDOWN_TIMEOUT_MS : 0)) return obs;
    await sleep(wait);
  }
}

// The error for a container still running after SIGKILL and the wait.
export function stillRunningError(rec: ContainerRecord, runtime: ContainerRuntime, rc: RuntimeContainer, last: ObservedState): NerdnetError {
  const who = `container ${rec.name} (${rec.id.slice(0, 12)})`;
  if (last.settling) {
    return new NerdnetError(
      'ERR_HOST',
      `${who} has exited, but its monitor (PID ${rec.state.shimPid ?? '?'}) is still releasing its network after ${TEARDOWN_TIMEOUT_MS / 1000} s: see ${hookLogPath(rc.files.stateDir, 'postStop')} and retry when it is done`,
    );
  }
  return new NerdnetError('ERR_HOST', `${who} did not exit after SIGKILL within 10 s; check \`${runtime.stateHint(rc)}\``);
}

async function beforeStop(env: ContainerEnv, rec: ContainerRecord): Promise<void> {
  const provider = providerByName(env.providers, rec.provider);
  if (provider.beforeStop) await provider.beforeStop(rec, providerContext(env, rec, recordsOf(env).paths(rec.id).stateDir));
}

export interface StopResult {
  // False when it was not running.
  stopped: boolean;
  killed: boolean;
  state?: ObservedState;
}

export async function stopContainer(env: ContainerEnv, rec: ContainerRecord, opts: { timeoutS?: number; signal?: string } = {}): Promise<StopResult> {
  const runtime = await runtimeFor(rec, env.runtimes);
  const paths = recordsOf(env).paths(rec.id);
  const rc = runtimeContainer(rec, paths);
  if (!(await observe(rec, paths, runtime)).running) {
    // An exited containerd task still holds its network until it is deleted.
    if (rec.state.phase === 'started') await runtime.reap(rc);
    return { stopped: false, killed: false };
  }
  const signal = normalizeSignal(opts.signal ?? 'SIGTERM');
  const timeoutS = opts.timeoutS ?? DEFAULT_STOP_TIMEOUT_S;
  if (!Number.isFinite(timeoutS) || timeoutS < 0) throw new NerdnetError('ERR_INVALID_ARG', `invalid stop timeout ${timeoutS}: give seconds >= 0, e.g. -t 10`);
  await beforeStop(env, rec);
  await runtime.kill(rc, signal);
  let state = await waitExited(env, rec, timeoutS * 1000, runtime);
  let killed = false;
  if (state.running) {
    await runtime.kill(rc, 'SIGKILL', { all: true });
    state = await waitExited(env, rec, 10_000, runtime);
    killed = true;
  }
  if (state.running) throw stillRunningError(rec, runtime, rc, state);
  await runtime.reap(rc);
  return { stopped: true, killed, state: await observe(rec, paths, runtime) };
}

export async function killContainer(env: ContainerEnv, rec: ContainerRecord, signal = 'SIGKILL'): Promise<void> {
  const sig = normalizeSignal(signal);
  const runtime = await runtimeFor(rec, env.runtimes);
  const paths = recordsOf(env).paths(rec.id);
  const notRunning = () => new NerdnetError('ERR_INVALID_ARG', `cannot kill container ${rec.name} (${rec.id.slice(0, 12)}): it is not running`);
  if (!(await observe(rec, paths, runtime)).running) throw notRunning();
  await beforeStop(env, rec);
  if (!(await runtime.kill(runtimeContainer(rec, paths), sig))) throw notRunning();
}
