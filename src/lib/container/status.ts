// A container's state right now: the record (was it ever started?) and what its runtime says
// (runc: the shim's exit file, runc, the shim's liveness; containerd: the task).
import type { ContainerRuntime, RuntimeFiles, RuntimeObservation } from '../runtime/types.js';
import { runtimeContainer } from './env.js';
import type { ContainerRecord, ObservedState } from './types.js';

// Docker's code for "we do not know how it ended" (the monitor was killed before it could record).
export const UNKNOWN_EXIT_CODE = 255;

// Combine the record with an observation of the runtime (none needed for a never-started container).
export function stateOf(rec: ContainerRecord, obs: RuntimeObservation | undefined): ObservedState {
  const base = { pid: 0, exitCode: 0, startedAt: rec.state.startedAt ?? '', finishedAt: '', error: rec.state.error ?? '' };
  if (rec.standIn) return { ...base, status: 'unknown', running: false, error: rec.standIn.reason };
  if (rec.state.phase === 'created' || !obs) return { ...base, status: 'created', running: false };
  if (obs.kind === 'running') return { ...base, status: 'running', running: true, pid: obs.pid, ...(obs.settling ? { settling: true } : {}) };
  if (obs.kind === 'exited') return { ...base, status: 'exited', running: false, exitCode: obs.exitCode, finishedAt: obs.finishedAt };
  return { ...base, status: 'exited', running: false, exitCode: UNKNOWN_EXIT_CODE, error: base.error || 'the container monitor ended without recording an exit code' };
}

export async function observe(rec: ContainerRecord, files: RuntimeFiles, runtime: ContainerRuntime): Promise<ObservedState> {
  if (rec.state.phase === 'created' || rec.standIn) return stateOf(rec, undefined);
  return stateOf(rec, await runtime.observe(runtimeContainer(rec, files)));
}
