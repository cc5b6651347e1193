// Docker-compatible views of a container: `inspect` (Docker's JSON shape) and the `ps` row data.
// NetworkSettings and ports come from the network provider that made the container.
import type { ContainerInspect } from './inspect-types.js';
import type { PortMapping } from '../ports/types.js';
import { dockerPorts } from './cni-settings.js';
import type { ContainerEnv } from './env.js';
import { providerContext, recordsOf, runtimeContainer, runtimeFor, type RuntimeDrivers } from './env.js';
import type { NetworkProvider } from './network-provider.js';
import { observe, stateOf } from './status.js';
import type { ContainerRecord, ObservedState } from './types.js';
import type { ContainerRuntime, RuntimeFiles, RuntimeObservation } from '../runtime/types.js';

// Docker prints zero times as this.
const ZERO_TIME = '0001-01-01T00:00:00Z';

function providerOf(env: ContainerEnv, rec: ContainerRecord): NetworkProvider | undefined {
  return env.providers.find((p) => p.name === rec.provider);
}

export interface ContainerView {
  record: ContainerRecord;
  state: ObservedState;
  ports: PortMapping[];
}

// The runtime observations of many records: one query per runtime (one `runc list` per runc root,
// one task list per containerd namespace) instead of one call each.
async function observeAll(recs: readonly ContainerRecord[], files: (id: string) => RuntimeFiles, drivers: RuntimeDrivers | undefined): Promise<Map<string, RuntimeObservation>> {
  const groups = new Map<string, { runtime: Promise<ContainerRuntime>; recs: ContainerRecord[] }>();
  for (const rec of recs) {
    if (rec.state.phase === 'created' || rec.standIn) continue;
    const key = JSON.stringify(rec.runtime);
    let g = groups.get(key);
    if (!g) {
      g = { runtime: runtimeFor(rec, drivers), recs: [] };
      groups.set(key, g);
    }
    g.recs.push(rec);
  }
  const out = new Map<string, RuntimeObservation>();
  for (const g of groups.values()) {
    const runtime = await g.runtime;
    const obs = await runtime.observeAll(g.recs.map((r) => runtimeContainer(r, files(r.id))));
    g.recs.forEach((r, i) => out.set(r.id, obs[i] ?? { kind: 'unknown' }));
  }
  return out;
}

// Records of the namespace with their state.
export async function listContainers(env: ContainerEnv, opts: { all?: boolean } = {}): Promise<ContainerView[]> {
  const records = recordsOf(env);
  const recs = await records.list();
  for (const r of recs) if (r.standIn?.kind === 'corrupt') env.logger('warn', `container ${r.id.slice(0, 12)}${r.name ? ` (${r.name})` : ''} is shown as Unknown: ${r.standIn.reason}`);
  const observed = await observeAll(recs, (id) => records.paths(id), env.runtimes);
  const views = await Promise.all(
    recs.map(async (rec): Promise<ContainerView> => {
      const state = stateOf(rec, observed.get(rec.id));
      const provider = providerOf(env, rec);
      const ports = provider?.ports ? await provider.ports(rec, providerContext(env, rec, records.paths(rec.id).stateDir)).catch(() => []) : [];
      return { record: rec, state, ports };
    }),
  );
  return opts.all ? views : views.filter((v) => v.state.running);
}

export async function viewContainer(env: ContainerEnv, rec: ContainerRecord): Promise<ContainerView> {
  const paths = recordsOf(env).paths(rec.id);
  const state = await observe(rec, paths, await runtimeFor(rec, env.runtimes));
  const provider = providerOf(env, rec);
  const ports = provider?.ports ? await provider.ports(rec, providerContext(env, rec, paths.stateDir)) : [];
  return { record: rec, state, ports };
}

// Docker's and nerdctl's NetworkMode: the first network (host, none, container:<id>, a name).
function networkModeOf(rec: ContainerRecord): string {
  const recorded = rec.annotations['nerdctl/networks'];
  const [first] = recorded ? (JSON.parse(recorded) as string[]) : rec.hostConfig.networkMode.split(',');
  return first ?? '';
}

// `nerdnet inspect`: Docker's field names (nerdctl's dockercompat), NetworkSettings from the provider.
export async function inspectContainer(env: ContainerEnv, rec: ContainerRecord): Promise<ContainerInspect> {
  const paths = recordsOf(env).paths(rec.id);
  const { state, ports } = await viewContainer(env, rec);
  const provider = providerOf(env, rec);
  const ctx = providerContext(env, rec, paths.stateDir);
  const networkSettings = provider?.networkSettings ? await provider.networkSettings(rec, ctx, state.running) : {};
  const a = rec.annotations;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: state.status,
      Running: state.running,
      Paused: false,
      Restarting: false,
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt || ZERO_TIME,
      FinishedAt: state.finishedAt || ZERO_TIME,
    },
    Image: rec.image,
    ResolvConfPath: env.layout.resolvConfPath(rec.namespace, rec.id),
    HostnamePath: env.layout.hostnamePath(rec.namespace, rec.id),
    HostsPath: env.layout.hostsPath(rec.namespace, rec.id),
    LogPath: paths.log,
    Name: rec.name,
    RestartCount: 0,
    Driver: rec.rootfs.kind === 'image' ? 'overlayfs' : '',
    Platform: 'linux',
    Mounts: rec.hostConfig.mounts.map((m) => ({ Type: 'bind', Source: m.source, Destination: m.destination, Mode: m.readonly ? 'ro' : '', RW: !m.readonly, Propagation: 'rprivate' })),
    Config: {
      Hostname: rec.config.hostname,
      Domainname: rec.config.domainname,
      User: rec.config.user,
      AttachStdin: rec.config.interactive,
      Tty: rec.config.tty,
      OpenStdin: rec.config.interactive,
      Env: rec.config.env,
      Cmd: rec.config.cmd,
      Image: rec.image,
      WorkingDir: rec.config.workdir,
      Entrypoint: rec.config.entrypoint.length > 0 ? rec.config.entrypoint : null,
      Labels: { ...rec.config.labels, ...a },
      ...(a['nerdctl/exposed-ports'] ? { ExposedPorts: JSON.parse(a['nerdctl/exposed-ports']) as Record<string, object> } : {}),
    },
    HostConfig: {
      AutoRemove: rec.hostConfig.autoRemove,
      NetworkMode: networkModeOf(rec),
      PortBindings: dockerPorts(ports),
      ReadonlyRootfs: rec.hostConfig.readOnly,
      Binds: rec.hostConfig.mounts.map((m) => `${m.source}:${m.destination}${m.readonly ? ':ro' : ''}`),
      ExtraHosts: JSON.parse(a['nerdctl/extraHosts'] ?? '[]') as string[],
      Dns: rec.network.dns,
      DnsSearch: rec.network.dnsSearch,
      DnsOptions: rec.network.dnsOpt,
      Runtime: rec.runtime.binary,
    },
    NetworkSettings: networkSettings,
  };
}
