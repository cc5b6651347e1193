// `network create`: validate, then plan and write under `<netconf>/.nerdctl.lock` (the lock
// nerdctl takes), so concurrent creators never pick one name or one subnet twice.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { findInPath } from '../cni/find.js';
import { IpHostNetwork } from '../host/host-network.js';
import { withLock } from '../store/flock.js';
import { writeFileAtomic } from '../store/atomic.js';
import { dhcpSocketAlive } from './dhcp-daemon.js';
import { detectFirewallVersion } from './firewall.js';
import { planNetwork, validateRequest, type NetworkPlan } from './plan.js';
import { readAllConfigs, readVisibleNetworks } from './store.js';
import { DEFAULT_DHCP_SOCKET, LOCK_FILE, type NetworkCreateRequest, type NetworkEnv } from './types.js';

export interface CreatedNetwork {
  id: string;
  name: string;
  path: string;
  subnets: string[];
  bridge?: string;
  warnings: string[];
}

// Run `fn` holding nerdctl's conf-dir lock (exclusive for writes, shared for reads).
export async function withConfLock<T>(env: NetworkEnv, fn: () => Promise<T>, shared = false): Promise<T> {
  // nerdctl creates the conf dir 0755 whenever it builds its CNI env.
  await mkdir(env.netconfPath, { recursive: true, mode: 0o755 });
  return withLock(join(env.netconfPath, LOCK_FILE), fn, { shared, ...(env.lockTimeoutMs !== undefined ? { timeoutMs: env.lockTimeoutMs } : {}) });
}

// Spec 2.2 step 5, extended to the IPAM plugin (nerdctl checks only the main chain).
export async function checkPluginsInstalled(types: readonly string[], dirs: readonly string[]): Promise<void> {
  for (const t of types) {
    try {
      await findInPath(t, dirs);
    } catch (e) {
      throw new NerdnetError(
        'ERR_PLUGIN_NOT_FOUND',
        `needs CNI plugin "${t}" to be installed in CNI_PATH ("${dirs.join(':')}"), see https://github.com/containernetworking/plugins/releases (Debian: apt-get install containernetworking-plugins)`,
        { cause: e },
      );
    }
  }
}

// Plan against the current disk and host state; the caller holds the lock.
export async function planUnderLock(env: NetworkEnv, req: NetworkCreateRequest, firewallVersion: string | undefined): Promise<NetworkPlan> {
  const host = env.host ?? new IpHostNetwork();
  const [visible, configs, hostAddresses, hostRoutes] = await Promise.all([
    readVisibleNetworks(env.netconfPath, env.namespace, env.log),
    readAllConfigs(env.netconfPath),
    host.addresses(),
    host.routes(),
  ]);
  return planNetwork(req, {
    netconfPath: env.netconfPath,
    namespace: env.namespace,
    visible,
    configs,
    hostAddresses,
    hostRoutes,
    firewallVersion,
    rootless: env.rootless,
    dhcpSocketPath: env.dhcpSocketPath,
    autoSubnetStart: env.autoSubnetStart,
  });
}

// Write a plan; the caller holds the lock. An existing file is never replaced.
export async function applyPlan(plan: NetworkPlan): Promise<void> {
  if (existsSync(plan.path)) {
    throw new NerdnetError('ERR_ALREADY_EXISTS', `network config file ${plan.path} already exists; remove it or choose another name`);
  }
  await mkdir(dirname(plan.path), { recursive: true, mode: 0o755 });
  await writeFileAtomic(plan.path, plan.bytes, { mode: 0o644, dirMode: 0o755 });
}

export async function createNetwork(env: NetworkEnv, req: NetworkCreateRequest): Promise<CreatedNetwork> {
  const v = validateRequest(req, env.namespace);
  // Executing the plugin is slow-ish; do it before taking the lock.
  const firewallVersion = v.driver === 'bridge' ? await detectFirewallVersion(env.pluginDirs) : undefined;
  return withConfLock(env, async () => {
    const plan = await planUnderLock(env, req, firewallVersion);
    await checkPluginsInstalled(plan.pluginTypes, env.pluginDirs);
    await applyPlan(plan);
    const socket = env.dhcpSocketPath ?? DEFAULT_DHCP_SOCKET;
    if (plan.ipamType === 'dhcp' && !(await dhcpSocketAlive(socket))) {
      plan.warnings.push(`no dhcp daemon answers on ${socket} yet; it is started when a container joins the network (or run: dhcp daemon -socketpath ${socket})`);
    }
    const out: CreatedNetwork = { id: plan.id, name: plan.name, path: plan.path, subnets: plan.subnets, warnings: plan.warnings };
    if (plan.bridge) out.bridge = plan.bridge;
    return out;
  });
}
