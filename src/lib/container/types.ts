// What a caller asks for (ContainerCreateRequest, NetworkRequest) and what nerdnet keeps per
// container (ContainerRecord, stored as <stateDir>/nerdnet.json).
import type { RuntimeRecord } from '../runtime/types.js';

// The networking flags of `run`/`create`, passed to the network provider untouched:
// slices are comma-split and deduplicated by the CLI, nothing else is interpreted here.
export interface NetworkRequest {
  // --network/--net, default ["bridge"].
  networks: string[];
  ip?: string;
  ip6?: string;
  mac?: string;
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  addHost: string[];
  // Raw -p/--publish values; the ports module parses them.
  publish: string[];
  hostname?: string;
  domainname?: string;
  // --expose values (PORT[-END][/PROTO]); create adds the image's ExposedPorts before them.
  expose?: string[];
  // -P/--publish-all: every exposed port is published on an automatic host port.
  publishAll?: boolean;
  // --uts=host: share the host's UTS namespace (no hostname of its own, no /etc/hostname).
  utsHost?: boolean;
}

export interface BindMount {
  source: string;
  destination: string;
  readonly: boolean;
}

export interface ContainerCreateRequest {
  name?: string;
  // Exactly one of image (a reference for the image store) and rootfs (an absolute directory).
  image?: string;
  rootfs?: string;
  // Arguments after the image: replace the image's Cmd.
  command: string[];
  entrypoint?: string[];
  // KEY=VALUE, already resolved (`-e KEY` looked up by the CLI).
  env: string[];
  workdir?: string;
  tty: boolean;
  interactive: boolean;
  // uid[:gid], numeric.
  user?: string;
  readOnly: boolean;
  // --rm: remove the container when it exits.
  autoRemove: boolean;
  labels: Record<string, string>;
  mounts: BindMount[];
  network: NetworkRequest;
}

// unknown: a container nerdnet cannot fully read (a corrupt record, a create that never finished).
export type ContainerStatus = 'created' | 'running' | 'exited' | 'unknown';

export type RootfsRecord = { kind: 'dir'; path: string } | { kind: 'image'; ref: string; imageId: string; mountPoint: string };

// nerdnet.json: everything needed to start, inspect and remove the container later.
export interface ContainerRecord {
  version: 1;
  id: string;
  name: string;
  namespace: string;
  // RFC 3339 with nanoseconds.
  created: string;
  // Image name as shown by ps ("" with --rootfs).
  image: string;
  rootfs: RootfsRecord;
  // Docker's Path and Args: the process is [path, ...args].
  path: string;
  args: string[];
  config: {
    env: string[];
    workdir: string;
    tty: boolean;
    interactive: boolean;
    user: string;
    hostname: string;
    domainname: string;
    labels: Record<string, string>;
    cmd: string[];
    entrypoint: string[];
  };
  hostConfig: {
    autoRemove: boolean;
    readOnly: boolean;
    networkMode: string;
    mounts: BindMount[];
  };
  network: NetworkRequest;
  // Name of the network provider that prepared the container; it is asked again for release.
  provider: string;
  // The OCI annotations given to runc (nerdctl/* keys).
  annotations: Record<string, string>;
  // Which backend runs it and how to reach it again (runc binary and --root, or containerd's socket).
  runtime: RuntimeRecord;
  state: {
    // created: never started; started: a shim was launched (exit.json then tells when it ended).
    phase: 'created' | 'started';
    shimPid?: number;
    startedAt?: string;
    // A start that failed before the process ran (runc's error).
    error?: string;
  };
  // Only on a stand-in, never written: nerdnet.json is unreadable (corrupt), or there is none yet
  // and the create journal holds the planned record (creating: its process still runs).
  standIn?: StandIn;
}

export interface StandIn {
  kind: 'corrupt' | 'half-made';
  reason: string;
  creating?: boolean;
}

// The container's state as observed now (record + runc + the shim's exit file).
export interface ObservedState {
  status: ContainerStatus;
  running: boolean;
  // Running only as far as its monitor is concerned: the process is gone (or not yet there) and the
  // monitor is still busy, e.g. with the poststop hook's network teardown.
  settling?: boolean;
  pid: number;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  error: string;
}
