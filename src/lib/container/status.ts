// A container's state right now, from three sources: the record (was it ever started?), the shim's
// exit file (did it end, with which code?) and runc (is the process there?).
import type { Runc, RuncState } from '../runtime/runc.js';
import { readExitRecord, shimAlive } from '../runtime/shim.js';
import type { ContainerPaths } from './records.js';
import type { ContainerRecord, ObservedState } from './types.js';

// Docker's code for "we do not know how it ended" (the monitor was killed before it could record).
export const UNKNOWN_EXIT_CODE = 255;

const LIVE = new Set(['creating', 'created', 'running', 'paused']);

export async function observe(rec: ContainerRecord, paths: ContainerPaths, runc: Runc, known?: RuncState | null): Promise<ObservedState> {
  const base = { pid: 0, exitCode: 0, startedAt: rec.state.startedAt ?? '', finishedAt: '', error: rec.state.error ?? '' };
  if (rec.state.phase === 'created') return { ...base, status: 'created', running: false };
  const exit = await readExitRecord(paths.exitFile);
  if (exit) return { ...base, status: 'exited', running: false, exitCode: exit.exitCode, finishedAt: exit.finishedAt };
  // `known`: a state from one `runc list` for many containers; null = runc does not have it.
  const rs = known === undefined ? await runc.state(rec.id) : (known ?? undefined);
  if (rs && LIVE.has(rs.status)) return { ...base, status: 'running', running: true, pid: rs.pid };
  // Exited but not yet recorded, or not yet created: the shim is about to write or to start.
  if (await shimAlive(rec.state.shimPid, rec.id)) return { ...base, status: 'running', running: true, pid: rs?.pid ?? 0 };
  // A late exit file: the shim finished between the two reads.
  const late = await readExitRecord(paths.exitFile);
  if (late) return { ...base, status: 'exited', running: false, exitCode: late.exitCode, finishedAt: late.finishedAt };
  return { ...base, status: 'exited', running: false, exitCode: UNKNOWN_EXIT_CODE, error: base.error || 'the container monitor ended without recording an exit code' };
}
