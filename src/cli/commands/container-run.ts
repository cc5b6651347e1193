// `run` and `create`: flags (Docker's/nerdctl's names) → a ContainerCreateRequest. Only argv shapes
// are handled here (slices, -e lookup, -v split); values are validated by the lib.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { NerdnetError } from '../../lib/errors.js';
import type { BindMount, ContainerCreateRequest, NetworkRequest } from '../../lib/container/types.js';
import { PositionalCommand } from './container-argv.js';
import { addRuntimeOptions } from '../wiring.js';

export interface RunFlags {
  detach?: boolean;
  rm?: boolean;
  name?: string;
  hostname?: string;
  domainname?: string;
  uts?: string;
  network: string[];
  net: string[];
  ip?: string;
  ip6?: string;
  macAddress?: string;
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  dnsOption: string[];
  addHost: string[];
  publish: string[];
  expose: string[];
  publishAll?: boolean;
  env: string[];
  workdir?: string;
  tty?: boolean;
  interactive?: boolean;
  user?: string;
  volume: string[];
  label: string[];
  readOnly?: boolean;
  rootfs?: string;
  entrypoint?: string;
  pull: string;
}

// cobra's StringSlice: repeatable, each value comma-split.
const slice = (value: string, prev: string[]): string[] => [...prev, ...value.split(',').filter((v) => v !== '')];
// The same, but `-p ''` stays an empty value for the lib to refuse (nerdctl: no port specified).
const sliceKeepEmpty = (value: string, prev: string[]): string[] => [...prev, ...(value === '' ? [''] : value.split(',').filter((v) => v !== ''))];
const repeat = (value: string, prev: string[]): string[] => [...prev, value];
const dedupe = (values: string[]): string[] => [...new Set(values)];

export function runLikeCommand(name: 'run' | 'create', summary: string): Command {
  const cmd = new PositionalCommand(name)
    .summary(summary)
    .usage('[options] (IMAGE | --rootfs DIR) [COMMAND] [ARG...]')
    .helpOption('--help', 'display help for the command')
    .argument('[image-or-command...]', 'IMAGE then COMMAND and its arguments (with --rootfs: COMMAND and its arguments)')
    .option('--name <name>', 'container name (default: <image>-<5 hex of the ID>, untitled-xxxxx without image)')
    .option('--rm', 'remove the container when it exits', false)
    .option('-h, --hostname <name>', 'container hostname (default: first 12 characters of the ID)')
    .option('--domainname <name>', 'container NIS domain name')
    .option('--uts <mode>', "UTS namespace: host shares the host's hostname (no --hostname/--domainname then)")
    .option('--network <net>', 'network to join: a network name or ID (default: bridge), host, none or container:<name|id>; repeat or comma-separate for eth0, eth1, ...', slice, [])
    .option('--net <net>', 'alias of --network', slice, [])
    .option('--ip <ip>', 'IPv4 address (CNI networks)')
    .option('--ip6 <ip>', 'IPv6 address (CNI networks)')
    .option('--mac-address <mac>', 'MAC address (CNI bridge/macvlan networks)')
    .option('--dns <ip>', 'DNS server; repeatable', slice, [])
    .option('--dns-search <domain>', 'DNS search domain; repeatable', slice, [])
    .option('--dns-opt <opt>', 'resolv.conf option, e.g. ndots:2; repeatable', slice, [])
    .option('--dns-option <opt>', 'alias of --dns-opt', slice, [])
    .option('--add-host <host:ip>', 'extra /etc/hosts entry NAME:IP (IP may be host-gateway); repeatable', slice, [])
    .option('-p, --publish <spec>', 'publish a port [[HOSTIP:][HOSTPORT]:]PORT[/PROTO] (CNI networks); repeatable', sliceKeepEmpty, [])
    .option('--expose <port>', 'expose a port PORT[-END][/PROTO] without publishing it (-P publishes it); repeatable', slice, [])
    .option('-P, --publish-all', 'publish every exposed port (--expose and the image\'s) on an automatic host port', false)
    .option('-e, --env <KEY[=VALUE]>', 'environment variable (KEY alone: taken from this shell); repeatable', repeat, [])
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option('-t, --tty', 'allocate a terminal (needs one here: attached runs only)', false)
    .option('-i, --interactive', 'keep stdin open', false)
    .option('-u, --user <uid[:gid]>', 'numeric user (and group) to run as')
    .option('-v, --volume <src:dst[:ro]>', 'bind mount a host path; repeatable', repeat, [])
    .option('-l, --label <key=value>', 'container label; repeatable', repeat, [])
    .option('--read-only', 'mount the root filesystem read-only', false)
    .option('--rootfs <dir>', 'run from this root filesystem directory instead of an image')
    .option('--entrypoint <cmd>', "overwrite the image's entrypoint")
    .option('--pull <policy>', 'pull the image: missing (when not here), always or never', 'missing');
  if (name === 'run') cmd.option('-d, --detach', 'run in the background and print the container ID', false);
  return addRuntimeOptions(cmd);
}

function parseVolume(v: string): BindMount {
  const parts = v.split(':');
  const [src, dst, mode] = parts;
  if (parts.length < 2 || parts.length > 3 || !src || !dst || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid -v ${JSON.stringify(v)}: write HOST_PATH:CONTAINER_PATH[:ro], e.g. -v /srv/data:/data:ro (named volumes are not supported)`);
  }
  return { source: resolve(src), destination: dst, readonly: mode === 'ro' };
}

function parseLabels(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (!key) throw new NerdnetError('ERR_INVALID_ARG', `invalid --label ${JSON.stringify(v)}: write KEY=VALUE`);
    out[key] = eq < 0 ? '' : v.slice(eq + 1);
  }
  return out;
}

// -e KEY=VALUE as is; -e KEY takes this shell's value and is dropped when unset (Docker).
export function resolveEnv(values: readonly string[], shell: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v.includes('=')) out.push(v);
    else if (shell[v] !== undefined) out.push(`${v}=${shell[v]}`);
  }
  return out;
}

export function networkRequest(f: RunFlags): NetworkRequest {
  // --network first, then --net, deduplicated in first-seen order; default bridge.
  const networks = dedupe([...f.network, ...f.net]);
  const req: NetworkRequest = {
    networks: networks.length > 0 ? networks : ['bridge'],
    dns: dedupe(f.dns),
    dnsSearch: dedupe(f.dnsSearch),
    dnsOpt: dedupe([...f.dnsOpt, ...f.dnsOption]),
    addHost: dedupe(f.addHost),
    publish: dedupe(f.publish),
  };
  if (f.expose.length > 0) req.expose = dedupe(f.expose);
  if (f.publishAll) req.publishAll = true;
  if (f.ip !== undefined) req.ip = f.ip;
  if (f.ip6 !== undefined) req.ip6 = f.ip6;
  if (f.macAddress !== undefined) req.mac = f.macAddress;
  if (f.hostname !== undefined) req.hostname = f.hostname;
  if (f.domainname !== undefined) req.domainname = f.domainname;
  if (f.uts !== undefined && f.uts !== '') {
    if (f.uts !== 'host') throw new NerdnetError('ERR_INVALID_ARG', `invalid --uts ${JSON.stringify(f.uts)}: the only UTS mode is host`);
    req.utsHost = true;
  }
  return req;
}

export function createRequest(positional: string[], f: RunFlags, opts: { detached: boolean }): ContainerCreateRequest {
  const rootfs = f.rootfs === undefined ? undefined : resolve(f.rootfs);
  const [first, ...rest] = positional;
  const image = rootfs === undefined ? first : undefined;
  const command = rootfs === undefined ? rest : positional;
  if (rootfs === undefined && !image) throw new NerdnetError('ERR_INVALID_ARG', 'no image given: nerdnet run [options] (IMAGE | --rootfs DIR) [COMMAND] [ARG...]');
  const req: ContainerCreateRequest = {
    command,
    env: resolveEnv(f.env),
    tty: Boolean(f.tty),
    interactive: Boolean(f.interactive),
    readOnly: Boolean(f.readOnly),
    autoRemove: Boolean(f.rm),
    labels: parseLabels(f.label),
    mounts: f.volume.map(parseVolume),
    network: networkRequest(f),
  };
  if (image !== undefined) req.image = image;
  if (rootfs !== undefined) req.rootfs = rootfs;
  if (f.name !== undefined) req.name = f.name;
  if (f.workdir !== undefined) req.workdir = f.workdir;
  if (f.user !== undefined) req.user = f.user;
  if (f.entrypoint !== undefined) req.entrypoint = f.entrypoint === '' ? [] : [f.entrypoint];
  if (opts.detached && req.tty) {
    throw new NerdnetError('ERR_INVALID_ARG', 'nerdnet cannot give a detached container a terminal (-d with -t): drop -t (use -d -i to keep stdin open), or run attached with -it');
  }
  return req;
}
