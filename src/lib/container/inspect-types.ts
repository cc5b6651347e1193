// Docker's `inspect` object for a container, as nerdnet fills it (nerdctl's dockercompat fields).
import type { ContainerStatus } from './types.js';

// One network's endpoint, Docker's names (host and none modes have no gateways).
export interface EndpointSettings {
  IPAddress: string;
  IPPrefixLen: number;
  Gateway?: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPv6Gateway?: string;
  MacAddress: string;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

// The first network's endpoint at the top level, as Docker prints it; host/none/container modes
// have no Networks.
export interface NetworkSettings extends Partial<EndpointSettings> {
  // "80/tcp" -> bindings.
  Ports?: Record<string, PortBinding[]>;
  Networks?: Record<string, EndpointSettings>;
  // container:<name> mode: the mode as given.
  NetworkMode?: string;
}

export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  Mounts: Array<{ Type: string; Source: string; Destination: string; Mode: string; RW: boolean; Propagation: string }>;
  Config: {
    Hostname: string;
    Domainname: string;
    User: string;
    AttachStdin: boolean;
    Tty: boolean;
    OpenStdin: boolean;
    Env: string[];
    Cmd: string[];
    Image: string;
    WorkingDir: string;
    Entrypoint: string[] | null;
    Labels: Record<string, string>;
    // `--expose` and the image's, `{"80/tcp":{}}`; absent when there are none.
    ExposedPorts?: Record<string, object>;
  };
  HostConfig: {
    AutoRemove: boolean;
    NetworkMode: string;
    // The published ports, the map of NetworkSettings.Ports; {} without -p.
    PortBindings: Record<string, PortBinding[]>;
    ReadonlyRootfs: boolean;
    Binds: string[];
    ExtraHosts: string[];
    Dns: string[];
    DnsSearch: string[];
    DnsOptions: string[];
    Runtime: string;
  };
  NetworkSettings: NetworkSettings;
}
