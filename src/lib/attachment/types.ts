// What the attachment service works from: a container's networking as its nerdctl/* annotations
// describe it, and the environment attach and detach run in.
import type { CniConfig } from '../cni/api.js';
import type { Logger } from '../etc/types.js';
import type { NetworkEnv } from '../network/types.js';
import type { DataStoreLayout } from '../store/layout.js';

// A container's networking, as nerdctl records it in the nerdctl/* annotations.
export interface ContainerNetworking {
  namespace: string;
  name: string;
  stateDir: string;
  hostname: string;
  domainname: string;
  // As the user typed them; eth<i> is the i-th.
  networks: string[];
  // `name:ip` items.
  extraHosts: string[];
  ip?: string;
  ip6?: string;
  mac?: string;
  pidFile?: string;
  // A network namespace given by path instead of the container process's own.
  netnsPath?: string;
}

export interface AttachmentEnv {
  layout: DataStoreLayout;
  // netconf, plugin dirs; the namespace comes from the container.
  network: Omit<NetworkEnv, 'namespace'>;
  cni: CniConfig;
  bridgeIP?: string | undefined;
  // Where port reservers keep their pid files (nerdctl: /run/nerdctl).
  runDir: string;
  // Hold published ports on the host with a reserver process (rootful nerdctl >= 2.1.6).
  reservePorts: boolean;
  log: Logger;
}

// What a detach needs: the CNI runtime, the conf dir whose CNI lock every ADD and DEL takes.
export interface DetachEnv {
  cni: CniConfig;
  netconfPath: string;
  iptables?: string;
  log: Logger;
}
