// Fault points for crash tests (test-only): `NERDNET_FAULT=<point>[,<point>...]` makes the process
// die by SIGKILL when it reaches a named point, so no finally, no rollback and no exit handler runs,
// exactly as when the machine or the OOM killer stops it there. Unset (always, in production) it
// costs one environment look-up per point.
// The hook's environment is frozen into the bundle at create, so a fault would fire on every later
// start too; `NERDNET_FAULT_ONCE=<dir>` makes each point fire once (marker `<dir>/<point>.fired`).
import { mkdirSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';

export const FAULT_ENV = 'NERDNET_FAULT';
export const FAULT_ONCE_ENV = 'NERDNET_FAULT_ONCE';

// Every point the code has, so a misspelt name in a test fails loudly instead of never firing.
export const FAULT_POINTS = [
  // hook createRuntime: CNI ADD done (lease, veth, rules, cache), hosts store / meta.json not yet written.
  'hook-after-add',
  // hosts store: in the middle of rewriting hosts files (after the first rewrite of an event).
  'hosts-regenerate',
  // hook postStop: before CNI DEL (nothing released yet).
  'hook-poststop-before-del',
  // hook postStop: after CNI DEL, before the hosts entry and the port reserver are released.
  'hook-poststop-after-del',
  // create (run): right after each step of its undo list; nothing is undone.
  'create-journal',
  'create-state-dir',
  'create-name',
  'create-network',
  'create-rootfs',
  'create-bundle',
  'create-runtime',
  'create-record',
  // rm: right after each step, before the next.
  'rm-kill',
  'rm-runtime',
  'rm-rootfs',
  'rm-network',
  'rm-name',
  'rm-state-dir',
] as const;

export type FaultPoint = (typeof FAULT_POINTS)[number];

// The points named in `env`; unknown names are reported so a test cannot silently test nothing.
export function armedFaults(env: NodeJS.ProcessEnv = process.env): { points: Set<string>; unknown: string[] } {
  const names = (env[FAULT_ENV] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return { points: new Set(names), unknown: names.filter((n) => !(FAULT_POINTS as readonly string[]).includes(n)) };
}

// Die here, abruptly, when NERDNET_FAULT names this point.
export function faultPoint(name: FaultPoint, env: NodeJS.ProcessEnv = process.env): void {
  const armed = env[FAULT_ENV];
  if (armed === undefined || armed === '') return;
  if (!armed.split(',').some((s) => s.trim() === name)) return;
  const once = env[FAULT_ONCE_ENV];
  if (once && !claimOnce(once, name)) return;
  process.kill(process.pid, 'SIGKILL');
}

// True for the first process that reaches `name` (an exclusive create of the marker file).
function claimOnce(dir: string, name: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(join(dir, `${name}.fired`), 'wx'));
    return true;
  } catch {
    return false;
  }
}
