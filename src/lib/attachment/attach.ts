// Attach: a container's networks, in its network namespace. A stale attachment of the same
// container is DELed first, every network is ADDed under the host-wide CNI lock (a failure rolls
// back what was added), then the container is recorded in the hosts store (its peers' /etc/hosts
// follow) and its published ports are held by a reserver; a failure there DELs everything again.
import { teardownNetworks, setupNetworks, type AttachResult } from '../cni/attach.js';
import { resultToJSON } from '../cni/result.js';
import { HostsStore } from '../etc/hosts-store.js';
import { faultPoint } from '../fault.js';
import { dhcpSocketOf, ensureDhcpDaemon } from '../network/dhcp-daemon.js';
import { loadPortMappings } from '../ports/store.js';
import { reservePorts } from '../ports/reserve.js';
import { withLock } from '../store/flock.js';
import { attachArgs, attachmentsOf } from './args.js';
import { cniLockPath } from './lock.js';
import { resolveNetworks } from './networks.js';
import { reserverPidFile } from './reserver.js';
import type { AttachmentEnv, ContainerNetworking } from './types.js';

// nerdctl/extraHosts items are `name:ip`; the name holds no colon, the IP (v6) may.
function splitExtraHosts(items: readonly string[]): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)]));
}

export async function attachContainer(env: AttachmentEnv, c: ContainerNetworking, id: string, netns: string): Promise<AttachResult> {
  const networks = await resolveNetworks({ ...env.network, namespace: c.namespace, log: env.log }, c.networks, { bridgeIP: env.bridgeIP });
  const nets = attachmentsOf(networks);
  const { mappings } = await loadPortMappings(c.stateDir);
  const args = attachArgs(c, id, netns, mappings, 'create');
  for (const n of networks) {
    const socketPath = dhcpSocketOf(n.list);
    if (socketPath) await ensureDhcpDaemon({ socketPath, pluginDirs: env.network.pluginDirs });
  }
  const lock = cniLockPath(env.network.netconfPath);
  // Phase times go to the log: a slow start can be told apart from slow plugins or a long lock wait.
  const t0 = performance.now();
  let tLocked = t0;
  const result = await withLock(lock, async () => {
    tLocked = performance.now();
    // A stale attachment (a createRuntime without postStop: crash, host restart) makes host-local
    // refuse a "duplicate allocation" (#3355). nerdctl DELs on every start; we only when one exists.
    if ((await env.cni.cache.attachments(args.containerID)).length > 0) {
      env.log('info', `removing a stale network attachment of ${args.containerID} before attaching`);
      await teardownNetworks(env.cni, nets, { ...args, netns: '' }).catch((e: unknown) => env.log('warn', `stale attachment cleanup: ${(e as Error).message}`));
    }
    return setupNetworks(env.cni, nets, args);
  });
  const tAdded = performance.now();
  env.log('debug', `CNI lock wait ${(tLocked - t0).toFixed(1)} ms, ADD of ${nets.length} network(s) ${(tAdded - tLocked).toFixed(1)} ms`);
  faultPoint('hook-after-add');
  try {
    const results = Object.fromEntries(networks.map((n, i) => [n.requested, resultToJSON(result.raw[i] ?? { cniVersion: '1.1.0' })]));
    await new HostsStore({ layout: env.layout, logger: env.log }).acquire({
      ns: c.namespace,
      id,
      meta: { name: c.name, hostname: c.hostname, domainname: c.domainname, networks: results, extraHosts: splitExtraHosts(c.extraHosts) },
    });
    env.log('debug', `hosts store ${(performance.now() - tAdded).toFixed(1)} ms`);
    if (env.reservePorts && mappings.length > 0) {
      const r = await reservePorts(mappings, { pidFile: reserverPidFile(env.runDir, c.namespace, id) });
      for (const s of r.skipped) env.log('warn', `published port not reserved on the host: ${JSON.stringify(s)}`);
    }
  } catch (e) {
    env.log('warn', `Container failed starting. Removing allocated network configuration: ${(e as Error).message}`);
    await withLock(lock, () => teardownNetworks(env.cni, nets, args)).catch((d: unknown) => env.log('warn', `rollback: ${(d as Error).message}`));
    throw e;
  }
  return result;
}
