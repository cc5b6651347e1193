// containerd's tasks service: a container's running process (init, exec ID "") and exec'd ones.
// Wait is unary and blocks until the process exits, so it is called without a deadline.
import type { ContainerdClient } from './client.js';
import { isNotFound } from './errors.js';
import type { AnyMessage } from './containers.js';
import { fromTimestamp, type Mount, type Timestamp } from './types.js';

// Create, Start and Delete run OCI hooks (nerdnet's: CNI ADD/DEL, which may wait for locks and
// plugins): far longer than a plain call may take on a busy host.
const HOOK_CALL = { timeoutMs: 300_000 };

export type TaskStatus = 'UNKNOWN' | 'CREATED' | 'RUNNING' | 'STOPPED' | 'PAUSED' | 'PAUSING';

export interface TaskProcess {
  containerId: string;
  id: string;
  pid: number;
  status: TaskStatus;
  exitStatus: number;
  exitedAt?: Timestamp;
}

export interface TaskIO {
  // Paths (FIFOs) or, for output, a `file://` URI; "" = none.
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

export interface TaskExit {
  exitStatus: number;
  // RFC 3339; "" when containerd did not say.
  exitedAt: string;
}

function exitOf(r: { exitStatus?: number; exitedAt?: Timestamp }): TaskExit {
  return { exitStatus: r.exitStatus ?? 0, exitedAt: fromTimestamp(r.exitedAt)?.toISOString() ?? '' };
}

export async function createTask(client: ContainerdClient, containerId: string, io: TaskIO, rootfs: Mount[] = []): Promise<number> {
  return (await client.unary<{ pid: number }>('tasks', 'Create', { containerId, rootfs, ...io }, HOOK_CALL)).pid;
}

export async function startTask(client: ContainerdClient, containerId: string, execId = ''): Promise<number> {
  return (await client.unary<{ pid: number }>('tasks', 'Start', { containerId, execId }, HOOK_CALL)).pid;
}

export async function waitTask(client: ContainerdClient, containerId: string, execId = '', signal?: AbortSignal): Promise<TaskExit> {
  return exitOf(await client.unary('tasks', 'Wait', { containerId, execId }, { timeoutMs: null, ...(signal ? { signal } : {}) }));
}

export async function getTask(client: ContainerdClient, containerId: string): Promise<TaskProcess | undefined> {
  try {
    return (await client.unary<{ process: TaskProcess }>('tasks', 'Get', { containerId, execId: '' })).process;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function listTasks(client: ContainerdClient): Promise<TaskProcess[]> {
  return (await client.unary<{ tasks?: TaskProcess[] }>('tasks', 'List', { filter: '' })).tasks ?? [];
}

// False when there is no such task or process (or it has finished).
export async function killTask(client: ContainerdClient, containerId: string, signal: number, opts: { all?: boolean; execId?: string } = {}): Promise<boolean> {
  try {
    await client.unary('tasks', 'Kill', { containerId, execId: opts.execId ?? '', signal, all: opts.all ?? false });
    return true;
  } catch (err) {
    if (isNotFound(err) || (err as { grpcName?: string }).grpcName === 'FAILED_PRECONDITION') return false;
    throw err;
  }
}

// Deleting the init process's task makes the shim run `runc delete`, which fires poststop hooks.
// Undefined when there was no task.
export async function deleteTask(client: ContainerdClient, containerId: string): Promise<TaskExit | undefined> {
  try {
    return exitOf(await client.unary('tasks', 'Delete', { containerId }, HOOK_CALL));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export async function execProcess(client: ContainerdClient, containerId: string, execId: string, io: TaskIO, spec: AnyMessage): Promise<void> {
  await client.unary('tasks', 'Exec', { containerId, execId, ...io, spec });
}

export async function deleteProcess(client: ContainerdClient, containerId: string, execId: string): Promise<void> {
  try {
    await client.unary('tasks', 'DeleteProcess', { containerId, execId });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
