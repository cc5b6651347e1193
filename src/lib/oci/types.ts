// The parts of the OCI runtime spec (config.json, v1.0.2 as runc 1.1 reads it) and the OCI state
// that nerdnet writes or reads. Field names are the spec's JSON keys.

export const OCI_VERSION = '1.0.2-dev';

export interface User {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface Capabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface Rlimit {
  type: string;
  hard: number;
  soft: number;
}

export interface Process {
  terminal: boolean;
  user: User;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: Capabilities;
  rlimits: Rlimit[];
  noNewPrivileges: boolean;
}

export interface Root {
  path: string;
  readonly: boolean;
}

export interface Mount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

// One hook entry; runc writes the OCI state (below) to its stdin.
export interface Hook {
  path: string;
  args?: string[];
  env?: string[];
  timeout?: number;
}

export interface Hooks {
  createRuntime?: Hook[];
  createContainer?: Hook[];
  startContainer?: Hook[];
  poststart?: Hook[];
  poststop?: Hook[];
}

export type NamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface Namespace {
  type: NamespaceType;
  // Join this namespace instead of creating one.
  path?: string;
}

export interface DeviceRule {
  allow: boolean;
  access?: string;
  type?: string;
  major?: number;
  minor?: number;
}

export interface Linux {
  namespaces: Namespace[];
  maskedPaths: string[];
  readonlyPaths: string[];
  resources?: { devices?: DeviceRule[] };
  sysctl?: Record<string, string>;
  cgroupsPath?: string;
}

export interface Spec {
  ociVersion: string;
  process: Process;
  root: Root;
  hostname?: string;
  domainname?: string;
  mounts: Mount[];
  hooks?: Hooks;
  annotations?: Record<string, string>;
  linux: Linux;
}

// What runc passes to a hook on stdin (runtime-spec state.md); annotations are the spec's.
export interface State {
  ociVersion: string;
  id: string;
  // creating, created, running or stopped.
  status: string;
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}
