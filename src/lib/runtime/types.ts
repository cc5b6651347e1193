// The seam between containers (src/lib/container) and what runs them: runc driven directly through
// the per-container shim (RuncRuntime), or containerd's tasks over gRPC (ContainerdRuntime).
import type { StdioOptions } from 'node:child_process';
import type { Spec } from '../oci/types.js';

export type Backend = 'runc' | 'containerd';
export const BACKENDS: readonly Backend[] = ['runc', 'containerd'];

// What a container record keeps to reach its runtime again (nerdnet.json `runtime`).
export interface RuntimeRecord {
  // Absent in records written before backends existed: runc.
  backend?: Backend;
  // runc: the runc executable; containerd: the shim runtime name (io.containerd.runc.v2).
  binary: string;
  // runc --root.
  root?: string;
  // containerd: the socket and the namespace the container lives in.
  address?: string;
  namespace?: string;
}

// The container's files a runtime uses (ContainerPaths provides them).
export interface RuntimeFiles {
  stateDir: string;
  // Directory holding config.json, the OCI spec.
  bundle: string;
  // `{"exitCode":N,"finishedAt":"..."}` once the process has ended.
  exitFile: string;
  // The runtime's own log of the last start.
  runcLog: string;
  // The container process's PID, written by the runtime once the process runs (`runc run --pid-file`).
  initPid: string;
  // stdout and stderr of a detached container.
  log: string;
  stdinFifo: string;
  autoRemoveLog: string;
}

export interface RuntimeContainer {
  id: string;
  name: string;
  files: RuntimeFiles;
  // The PID launch() returned last time (state.shimPid of the record).
  launchedPid?: number;
}

export interface CreateMeta {
  // Labels of the runtime's container object: the user's plus nerdctl/*.
  labels: Record<string, string>;
  // Image name ("" for --rootfs).
  image: string;
  // The rootfs is a snapshot keyed by the container ID in this snapshotter (image containers).
  snapshotter?: string;
}

export interface LaunchRequest {
  // Attached: the process uses this stdio and the call ends with it. Detached: output goes to files.log.
  attach?: { stdio: StdioOptions };
  // Detached -i: stdin stays open (a FIFO) so the process does not see EOF.
  keepStdinOpen: boolean;
  tty: boolean;
  // Detached only: argv to run once the exit is recorded (`nerdnet rm <id>` for --rm).
  afterExit?: readonly string[];
}

export interface AttachedEnd {
  exitCode?: number;
  // Why the process never ran (runtime's message), when it did not.
  startError?: string;
}

export interface Launched {
  // Recorded as the record's state.shimPid: the monitor (runc) or the task's process (containerd).
  pid: number;
  // Attached only: settles when the process has ended and the runtime has recorded it.
  ended?: Promise<AttachedEnd>;
}

// settling: the process is not running any more (or not yet), but its monitor is still at work:
// starting it, or running the poststop hook that releases its network.
export type RuntimeObservation = { kind: 'running'; pid: number; settling?: boolean } | { kind: 'exited'; exitCode: number; finishedAt: string } | { kind: 'unknown' };

export interface RuntimeExecOptions {
  tty?: boolean;
  cwd?: string;
  // uid[:gid]
  user?: string;
  env?: readonly string[];
  stdio: StdioOptions;
}

export interface ContainerRuntime {
  readonly record: RuntimeRecord;
  // Detached containers: true when the container's exit is handled as it happens (network
  // released, --rm honoured); false when that waits for the next stop/start/rm (containerd, as nerdctl).
  readonly reapsOnExit: boolean;
  // At create, after the bundle is written: register the container with the runtime if it keeps one.
  create(c: RuntimeContainer, spec: Spec, meta: CreateMeta): Promise<void>;
  // Start the process from the bundle's config.json (which start may have rewritten).
  launch(c: RuntimeContainer, req: LaunchRequest): Promise<Launched>;
  // Detached: resolves once the process runs (or ran); with the start error when it never ran.
  waitStarted(c: RuntimeContainer): Promise<string | undefined>;
  // What the runtime knows of a container that was launched.
  observe(c: RuntimeContainer): Promise<RuntimeObservation>;
  // The same for many containers with one query of the runtime (ps).
  observeAll(cs: readonly RuntimeContainer[]): Promise<RuntimeObservation[]>;
  // Signal the process (all: every process of the container). False when it is not running.
  kill(c: RuntimeContainer, signal: string, opts?: { all?: boolean }): Promise<boolean>;
  // After the process has exited: release what the runtime holds for it (fires postStop) and
  // record the exit. A no-op when the runtime does this by itself (the runc shim).
  reap(c: RuntimeContainer): Promise<void>;
  // rm: forget the container (fires postStop if that has not happened yet). Not running by now.
  delete(c: RuntimeContainer): Promise<void>;
  exec(c: RuntimeContainer, args: readonly string[], opts: RuntimeExecOptions): Promise<number>;
  // A command a user can run to look at the container in the runtime (for error messages).
  stateHint(c: RuntimeContainer): string;
}
