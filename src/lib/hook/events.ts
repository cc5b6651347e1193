// The OCI hook's two events (spec nerdctl 6.5, 6.6), run by runc as `nerdnet … internal oci-hook
// <event>` with the OCI state on stdin. createRuntime attaches the container's networks and
// records it in the hosts store; postStop undoes both. Nothing here prints: `log` is given.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { faultPoint } from '../fault.js';
import type { CniConfig } from '../cni/api.js';
import { removeNetworks, setupNetworks, type AttachResult } from '../cni/attach.js';
import { resultToJSON } from '../cni/result.js';
import type { Logger } from '../etc/types.js';
import { HostsStore } from '../etc/hosts-store.js';
import { dhcpSocketOf, ensureDhcpDaemon } from '../network/dhcp-daemon.js';
import type { NetworkEnv } from '../network/types.js';
import { loadPortMappings } from '../ports/store.js';
import { releasePortReservation, reservePorts } from '../ports/reserve.js';
import { withLock } from '../store/flock.js';
import type { DataStoreLayout } from '../store/layout.js';
import { attachArgs, attachmentsOf } from './attach-args.js';
import { cniLockPath, detachNetworks } from './detach.js';
import { readLifecycle, rfc3339Nano, writeLifecycle } from './lifecycle.js';
import { isCniMode, resolveNetworks } from './networks.js';
import type { HookAnnotations, OciState } from './state.js';

export interface HookEnv {
  layout: DataStoreLayout;
  // netconf, plugin dirs; the namespace comes from the container's annotation.
  network: Omit<NetworkEnv, 'namespace'>;
  cni: CniConfig;
  bridgeIP?: string | undefined;
  // Where port reservers keep their pid files (nerdctl: /run/nerdctl).
  runDir: string;
  // Hold published ports on the host with a reserver process (rootful nerdctl >= 2.1.6).
  reservePorts: boolean;
  log: Logger;
}

export interface HookInput {
  state: OciState;
  ann: HookAnnotations;
}

function netEnv(env: HookEnv, ns: string): NetworkEnv {
  return { ...env.network, namespace: ns, log: env.log };
}

// nerdctl/extraHosts items are `name:ip`; the name holds no colon, the IP (v6) may.
function splitExtraHosts(items: readonly string[]): Record<string, string> {
  return Object.fromEntries(items.map((item) => [item.slice(0, item.indexOf(':')), item.slice(item.indexOf(':') + 1)]));
}

export function reserverPidFile(env: HookEnv, ns: string, id: string): string {
  return join(env.runDir, ns, id, 'port-reserver.pid');
}

// Held only around plugin calls, not around hosts-file work.
function cniLock(env: HookEnv): string {
  return cniLockPath(env.network.netconfPath);
}

function netnsOf(input: HookInput): string {
  if (input.ann.netnsPath) {
    if (!existsSync(input.ann.netnsPath)) throw new NerdnetError('ERR_INVALID_ARG', `network namespace ${input.ann.netnsPath} (annotation nerdctl/network-namespace) does not exist`);
    return input.ann.netnsPath;
  }
  if (!input.state.pid) throw new NerdnetError('ERR_INVALID_ARG', 'both state.Pid and the netNs annotation are unset: the hook must run at createRuntime, when the container process exists');
  return `/proc/${input.state.pid}/ns/net`;
}

export async function onCreateRuntime(env: HookEnv, input: HookInput): Promise<AttachResult | undefined> {
  const { ann } = input;
  await mkdir(ann.stateDir, { recursive: true, mode: 0o700 });
  let failed = false;
  try {
    if (!isCniMode(ann.networks)) return undefined;
    return await attach(env, input);
  } catch (e) {
    failed = true;
    throw e;
  } finally {
    await writeLifecycle(ann.stateDir, { started_at: rfc3339Nano(new Date()), create_error: failed });
  }
}

async function attach(env: HookEnv, input: HookInput): Promise<AttachResult> {
  const { state, ann } = input;
  const nenv = netEnv(env, ann.namespace);
  const networks = await resolveNetworks(nenv, ann.networks, { bridgeIP: env.bridgeIP });
  const nets = attachmentsOf(networks);
  const { mappings } = await loadPortMappings(ann.stateDir);
  const netns = netnsOf(input);
  const args = attachArgs(ann, state.id, netns, mappings, 'create');
  for (const n of networks) {
    const socketPath = dhcpSocketOf(n.list);
    if (socketPath) await ensureDhcpDaemon({ socketPath, pluginDirs: env.network.pluginDirs });
  }
  // Phase times go to the hook's log: a slow start can be told apart from slow plugins or a long lock wait.
  const t0 = performance.now();
  let tLocked = t0;
  const result = await withLock(cniLock(env), async () => {
    tLocked = performance.now();
    // A stale attachment (a createRuntime without postStop: crash, host restart) makes host-local
    // refuse a "duplicate allocation" (#3355). nerdctl DELs on every start; we only when one exists.
    if ((await env.cni.cache.attachments(args.containerID)).length > 0) {
      env.log('info', `removing a stale network attachment of ${args.containerID} before attaching`);
      await removeNetworks(env.cni, nets, { ...args, netns: '' }).catch((e: unknown) => env.log('warn', `stale attachment cleanup: ${(e as Error).message}`));
    }
    return setupNetworks(env.cni, nets, args);
  });
  const tAdded = performance.now();
  env.log('debug', `CNI lock wait ${(tLocked - t0).toFixed(1)} ms, ADD of ${nets.length} network(s) ${(tAdded - tLocked).toFixed(1)} ms`);
  faultPoint('hook-after-add');
  try {
    const hostsStore = new HostsStore({ layout: env.layout, logger: env.log });
    const results = Object.fromEntries(networks.map((n, i) => [n.requested, resultToJSON(result.raw[i] ?? { cniVersion: '1.1.0' })]));
    await hostsStore.acquire({
      ns: ann.namespace,
      id: state.id,
      meta: { name: ann.name, hostname: ann.hostname, domainname: ann.domainname, networks: results, extraHosts: splitExtraHosts(ann.extraHosts) },
    });
    env.log('debug', `hosts store ${(performance.now() - tAdded).toFixed(1)} ms`);
    if (env.reservePorts && mappings.length > 0) {
      const r = await reservePorts(mappings, { pidFile: reserverPidFile(env, ann.namespace, state.id) });
      for (const s of r.skipped) env.log('warn', `published port not reserved on the host: ${JSON.stringify(s)}`);
    }
  } catch (e) {
    env.log('warn', `Container failed starting. Removing allocated network configuration: ${(e as Error).message}`);
    await withLock(cniLock(env), () => removeNetworks(env.cni, nets, args)).catch((d: unknown) => env.log('warn', `rollback: ${(d as Error).message}`));
    throw e;
  }
  return result;
}

export async function onPostStop(env: HookEnv, input: HookInput): Promise<void> {
  const { state, ann } = input;
  // runc calls postStop after a failed createRuntime; that one already cleaned up (#3357).
  const life = await readLifecycle(ann.stateDir);
  if (life?.create_error) {
    await writeLifecycle(ann.stateDir, { ...life, create_error: false });
    return;
  }
  if (!isCniMode(ann.networks)) return;
  faultPoint('hook-poststop-before-del');
  await detach(env, input);
  faultPoint('hook-poststop-after-del');
  // host/none keep their hosts-store entry until rm (it was taken at create, spec 3.2.1 step 8).
  await new HostsStore({ layout: env.layout, logger: env.log }).release(ann.namespace, state.id);
  await releasePortReservation(reserverPidFile(env, ann.namespace, state.id)).catch((e: unknown) => env.log('warn', `port reserver: ${(e as Error).message}`));
}

function detach(env: HookEnv, input: HookInput): Promise<void> {
  return detachNetworks({ cni: env.cni, network: netEnv(env, input.ann.namespace), ann: input.ann, id: input.state.id, log: env.log });
}
