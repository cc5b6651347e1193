// A process named so that a recycled PID is never taken for it: PID, its start time (clock ticks
// since boot, /proc/<pid>/stat field 22) and the boot it ran in (a PID and start time repeat across boots).
import { readFile } from 'node:fs/promises';

export interface ProcessIdentity {
  pid: number;
  startTime: string;
  bootId: string;
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

// Start time and state of `pid`, or undefined when there is no such process.
async function statOf(pid: number): Promise<{ startTime: string; zombie: boolean } | undefined> {
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command (which may hold spaces and parentheses): state is field 3, starttime 22.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { startTime: fields[19] ?? '', zombie: fields[0] === 'Z' };
}

export async function identityOf(pid: number): Promise<ProcessIdentity | undefined> {
  const s = await statOf(pid);
  return s ? { pid, startTime: s.startTime, bootId: await bootId() } : undefined;
}

export async function selfIdentity(): Promise<ProcessIdentity> {
  const me = await identityOf(process.pid);
  if (!me) throw new Error(`cannot read /proc/${process.pid}/stat`);
  return me;
}

// True while that very process runs (a zombie has ended; another boot or start time is another process).
export async function identityAlive(p: ProcessIdentity): Promise<boolean> {
  if (p.bootId !== (await bootId())) return false;
  const s = await statOf(p.pid);
  return s !== undefined && !s.zombie && s.startTime === p.startTime;
}
