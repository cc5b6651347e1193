// The containerd backend: the container is a containerd container object (spec, labels, snapshot)
// and each start is a task of the runc v2 shim, as nerdctl makes them, so nerdctl sees nerdnet's
// containers and the other way round. The shim runs runc, runc runs nerdnet's hooks from the spec.
// As with nerdctl, a task that exits by itself keeps its network until it is deleted (stop, start,
// rm); attached runs delete it at once.
import { join } from 'node:path';
import { constants as osc } from 'node:os';
import { rm } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import type { Process, Spec } from '../oci/types.js';
import { readBundleSpec } from '../runtime/bundle.js';
import { readExitRecord } from '../runtime/shim.js';
import { parseUser } from '../container/user.js';
import type { AttachedEnd, ContainerRuntime, CreateMeta, LaunchRequest, Launched, RuntimeContainer, RuntimeExecOptions, RuntimeObservation, RuntimeRecord } from '../runtime/types.js';
import { writeFileAtomic } from '../store/atomic.js';
import { ContainerdClient } from './client.js';
import { PROCESS_TYPE_URL, RUNC_V2_RUNTIME, SPEC_TYPE_URL, createContainerObject, deleteContainerObject, getContainerObject, jsonAny, updateContainerSpec } from './containers.js';
import { openAttachedIO } from './task-io.js';
import { fromTimestamp } from './types.js';
import type { AttachedIO } from './task-io.js';
import { createTask, deleteProcess, deleteTask, execProcess, getTask, killTask, listTasks, startTask, waitTask } from './tasks.js';
import type { TaskExit, TaskProcess } from './tasks.js';

const LIVE = new Set(['CREATED', 'RUNNING', 'PAUSED', 'PAUSING']);
// After the process exits, how long its last output may take to arrive through the FIFOs.
const DRAIN_MS = 5_000;

function signalNumber(signal: string): number {
  if (/^\d+$/.test(signal)) return Number(signal);
  const n = (osc.signals as Record<string, number>)[signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`];
  if (n === undefined) throw new NerdnetError('ERR_INVALID_ARG', `invalid signal ${JSON.stringify(signal)}: give a name like SIGTERM or a number`);
  return n;
}

function observation(t: TaskProcess | undefined): RuntimeObservation {
  if (!t) return { kind: 'unknown' };
  if (LIVE.has(t.status)) return { kind: 'running', pid: t.pid };
  return { kind: 'exited', exitCode: t.exitStatus, finishedAt: fromTimestamp(t.exitedAt)?.toISOString() ?? '' };
}

// nerdctl's platform label value for this host.
function platform(): string {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return `linux/${arch[process.arch] ?? process.arch}`;
}

export class ContainerdRuntime implements ContainerRuntime {
  readonly reapsOnExit = false;
  readonly record: RuntimeRecord;

  private constructor(readonly client: ContainerdClient) {
    this.record = { backend: 'containerd', binary: RUNC_V2_RUNTIME, address: client.address, namespace: client.namespace };
  }

  // For new containers: fails at once, with what to do, when containerd does not answer.
  static async connect(opts: { address: string; namespace: string }): Promise<ContainerdRuntime> {
    const client = ContainerdClient.open(opts);
    await client.ping();
    return new ContainerdRuntime(client);
  }

  static fromRecord(rec: RuntimeRecord): ContainerdRuntime {
    if (!rec.address || !rec.namespace) throw new NerdnetError('ERR_INVALID_CONFIG', 'a containerd container record lacks its address or namespace; remove its state dir by hand');
    return new ContainerdRuntime(ContainerdClient.open({ address: rec.address, namespace: rec.namespace }));
  }

  async create(c: RuntimeContainer, spec: Spec, meta: CreateMeta): Promise<void> {
    await createContainerObject(this.client, {
      id: c.id,
      labels: { ...meta.labels, 'nerdctl/platform': platform() },
      image: meta.image,
      runtime: { name: RUNC_V2_RUNTIME },
      spec: jsonAny(SPEC_TYPE_URL, spec),
      // The snapshot keeps the image's layers from containerd's garbage collector.
      snapshotter: meta.snapshotter ?? '',
      snapshotKey: meta.snapshotter ? c.id : '',
    });
  }

  async launch(c: RuntimeContainer, req: LaunchRequest): Promise<Launched> {
    const f = c.files;
    if (!(await getContainerObject(this.client, c.id))) {
      throw new NerdnetError('ERR_NOT_FOUND', `container ${c.name} is gone from containerd at ${this.client.address} (namespace ${this.client.namespace})`, { remedy: { kind: 'remove', container: c.name } });
    }
    // The bundle is the source of truth: start may have pointed it at another netns.
    await updateContainerSpec(this.client, c.id, await readBundleSpec(f.bundle));
    // The task of the previous run, if any: deleting it releases what it held (poststop).
    await deleteTask(this.client, c.id);
    await rm(f.exitFile, { force: true });
    if (!req.attach) {
      const log = `file://${f.log}`;
      const pid = await createTask(this.client, c.id, { stdin: '', stdout: log, stderr: log, terminal: false });
      await this.startOrDelete(c);
      return { pid };
    }
    const io = await openAttachedIO(join(f.stateDir, 'io'), req.attach.stdio, req.tty);
    try {
      const pid = await createTask(this.client, c.id, io.io);
      io.opened();
      // Listened for before the start, so a quick exit is never missed.
      const exited = waitTask(this.client, c.id);
      exited.catch(() => undefined);
      await this.startOrDelete(c);
      return { pid, ended: this.finishAttached(c, exited, io) };
    } catch (err) {
      await io.close();
      throw err;
    }
  }

  // A task that cannot start is deleted, so the next start begins clean.
  private async startOrDelete(c: RuntimeContainer): Promise<void> {
    try {
      await startTask(this.client, c.id);
    } catch (err) {
      await deleteTask(this.client, c.id).catch(() => undefined);
      throw err;
    }
  }

  // Attached: wait for the exit, let the output drain, delete the task (poststop) and record the exit.
  private async finishAttached(c: RuntimeContainer, exited: Promise<TaskExit>, io: AttachedIO): Promise<AttachedEnd> {
    try {
      const exit = await exited;
      await io.drained(DRAIN_MS);
      await this.recordExit(c, (await deleteTask(this.client, c.id)) ?? exit);
      return { exitCode: exit.exitStatus };
    } finally {
      await io.close();
    }
  }

  private async recordExit(c: RuntimeContainer, exit: TaskExit): Promise<void> {
    const finishedAt = exit.exitedAt || new Date().toISOString();
    await writeFileAtomic(c.files.exitFile, `${JSON.stringify({ exitCode: exit.exitStatus, finishedAt })}\n`, { mode: 0o600 });
  }

  // tasks.Start returned: the process runs (start errors, like a failed hook, fail Create or Start).
  async waitStarted(_c: RuntimeContainer): Promise<string | undefined> {
    return undefined;
  }

  private async exitRecorded(c: RuntimeContainer): Promise<RuntimeObservation | undefined> {
    const exit = await readExitRecord(c.files.exitFile);
    return exit ? { kind: 'exited', ...exit } : undefined;
  }

  async observe(c: RuntimeContainer): Promise<RuntimeObservation> {
    return (await this.exitRecorded(c)) ?? observation(await getTask(this.client, c.id));
  }

  async observeAll(cs: readonly RuntimeContainer[]): Promise<RuntimeObservation[]> {
    if (cs.length === 0) return [];
    // List answers with the container ID in `id` (the init process's ID).
    const tasks = new Map((await listTasks(this.client)).map((t) => [t.containerId || t.id, t]));
    return Promise.all(cs.map(async (c) => (await this.exitRecorded(c)) ?? observation(tasks.get(c.id))));
  }

  kill(c: RuntimeContainer, signal: string, opts: { all?: boolean } = {}): Promise<boolean> {
    return killTask(this.client, c.id, signalNumber(signal), opts);
  }

  // Delete the exited task: the shim runs `runc delete`, runc the poststop hook (network released).
  async reap(c: RuntimeContainer): Promise<void> {
    const exit = await deleteTask(this.client, c.id);
    if (exit) await this.recordExit(c, exit);
  }

  async delete(c: RuntimeContainer): Promise<void> {
    await this.reap(c);
    await deleteContainerObject(this.client, c.id);
  }

  async exec(c: RuntimeContainer, args: readonly string[], opts: RuntimeExecOptions): Promise<number> {
    const spec = await readBundleSpec(c.files.bundle);
    const base: Partial<Process> = spec.process ?? {};
    const process: Process = {
      ...base,
      terminal: opts.tty ?? false,
      args: [...args],
      env: [...(base.env ?? []), ...(opts.env ?? [])],
      cwd: opts.cwd ?? base.cwd ?? '/',
      user: opts.user ? parseUser(opts.user) : (base.user ?? { uid: 0, gid: 0 }),
    } as Process;
    const execId = `exec-${Math.random().toString(16).slice(2, 14)}`;
    const io = await openAttachedIO(join(c.files.stateDir, `io-${execId}`), opts.stdio, opts.tty ?? false);
    try {
      await execProcess(this.client, c.id, execId, io.io, jsonAny(PROCESS_TYPE_URL, process));
      const exited = waitTask(this.client, c.id, execId);
      exited.catch(() => undefined);
      try {
        await startTask(this.client, c.id, execId);
      } catch (err) {
        await deleteProcess(this.client, c.id, execId).catch(() => undefined);
        throw err;
      }
      // An exec's FIFOs are opened by the shim in Start (the init task's in Create).
      io.opened();
      const exit = await exited;
      await io.drained(DRAIN_MS);
      await deleteProcess(this.client, c.id, execId);
      return exit.exitStatus;
    } finally {
      await io.close();
    }
  }

  stateHint(c: RuntimeContainer): string {
    return `ctr --address ${this.client.address} --namespace ${this.client.namespace} task ls | grep ${c.id}`;
  }
}
