// `network rm` and `network prune` (spec 2.11, 2.12): refuse pseudo, default, foreign and in-use
// networks; under the exclusive lock delete the conflist, then the bridge link it names.
import { rm } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { IpHostNetwork, type HostNetwork } from '../host/host-network.js';
import { withConfLock } from './create.js';
import { DEFAULT_NETWORK_NAME, PSEUDO_NETWORKS } from './names.js';
import { isPseudoName, matchNetworks, pluginsOf, readAllConfigs, readVisibleNetworks, readVisibleScan, skippedHint, type NetworkRecord } from './store.js';
import type { NetworkEnv } from './types.js';
import { CniCacheUsage, type NetworkUsage } from './usage.js';

export interface RemoveResult {
  // Requests (rm) or names (prune) removed, in order.
  removed: string[];
  errors: Array<{ request: string; message: string; code: string }>;
  warnings: string[];
}

// Only `bridge` is pre-defined: a label can be written by anyone, and must not pin a network.
function isDefault(r: NetworkRecord): boolean {
  return r.name.toLowerCase() === DEFAULT_NETWORK_NAME;
}

function bridgeOf(raw: NetworkRecord['raw']): string | undefined {
  const main = pluginsOf(raw)[0];
  return main?.type === 'bridge' && typeof main.bridge === 'string' && main.bridge !== '' ? main.bridge : undefined;
}

// Why `r` may not be removed, or undefined (spec 2.11 checks, in nerdctl's order).
async function refusal(r: NetworkRecord, req: string, usage: NetworkUsage): Promise<NerdnetError | undefined> {
  const users = await usage.attachments(r.name);
  if (users.length > 0) {
    const who = users.map((u) => `"${u.name ?? u.containerID}" (${u.ifName})`).join(', ');
    return new NerdnetError('ERR_IN_USE', `network "${req}" is in use by container ${who}; stop or remove the container first`);
  }
  if (isDefault(r)) return new NerdnetError('ERR_INVALID_ARG', `cannot remove pre-defined network ${r.name}`);
  if (r.id === undefined) return new NerdnetError('ERR_INVALID_ARG', `${req} is managed outside nerdctl and cannot be removed (${r.file})`);
  return undefined;
}

// Delete the file, then the bridge it names, if it is a bridge and no other config names it.
async function removeRecord(r: NetworkRecord, host: HostNetwork, netconf: string, warnings: string[]): Promise<void> {
  await rm(r.file, { force: true });
  const br = bridgeOf(r.raw);
  if (br === undefined) return;
  const others = await readAllConfigs(netconf);
  if (others.some((c) => bridgeOf(c.raw) === br)) return;
  try {
    const kind = await host.linkKind(br);
    if (kind !== undefined && kind !== 'bridge') {
      warnings.push(`left link ${br} in place: it is ${kind === '' ? 'a physical interface' : `a ${kind} link`}, not the network's bridge`);
      return;
    }
    if (kind === 'bridge') await host.deleteLink(br);
    warnings.push(...(await host.forgetBridge(br)));
  } catch (e) {
    warnings.push(`removed ${r.file} but could not delete bridge ${br}: ${(e as Error).message}`);
  }
}

function failure(request: string, e: unknown): RemoveResult['errors'][number] {
  return { request, message: (e as Error).message, code: NerdnetError.is(e) ? e.code : 'ERR_INTERNAL' };
}

export async function removeNetworks(env: NetworkEnv, requests: readonly string[]): Promise<RemoveResult> {
  const host = env.host ?? new IpHostNetwork();
  const usage = env.usage ?? new CniCacheUsage();
  const out: RemoveResult = { removed: [], errors: [], warnings: [] };
  await withConfLock(env, async () => {
    const scan = await readVisibleScan(env.netconfPath, env.namespace, env.log);
    let records = scan.records;
    for (const req of requests) {
      try {
        if (isPseudoName(req)) throw new NerdnetError('ERR_INVALID_ARG', `pseudo network not allowed: ${req} (${PSEUDO_NETWORKS.join(' and ')} are built in)`);
        const m = matchNetworks(records, req) as NetworkRecord[];
        if (m.length === 0) throw new NerdnetError('ERR_NOT_FOUND', `no network found matching: ${req}${skippedHint(scan)}`);
        if (m.length > 1) throw new NerdnetError('ERR_INVALID_ARG', `multiple IDs found with provided prefix: ${req}; give more of the ID or the name`);
        const r = m[0] as NetworkRecord;
        const why = await refusal(r, req, usage);
        if (why) throw why;
        await removeRecord(r, host, env.netconfPath, out.warnings);
        records = records.filter((x) => x !== r);
        out.removed.push(req);
      } catch (e) {
        out.errors.push(failure(req, e));
      }
    }
  });
  return out;
}

// Every visible nerdctl network except the default, pseudo and in-use ones (spec 2.12).
export async function pruneNetworks(env: NetworkEnv): Promise<RemoveResult> {
  const host = env.host ?? new IpHostNetwork();
  const usage = env.usage ?? new CniCacheUsage();
  const out: RemoveResult = { removed: [], errors: [], warnings: [] };
  await withConfLock(env, async () => {
    for (const r of await readVisibleNetworks(env.netconfPath, env.namespace, env.log)) {
      if (isDefault(r) || isPseudoName(r.name.toLowerCase()) || r.id === undefined) continue;
      if ((await usage.attachments(r.name)).length > 0) continue;
      try {
        await removeRecord(r, host, env.netconfPath, out.warnings);
        out.removed.push(r.name);
      } catch (e) {
        out.errors.push(failure(r.name, e));
      }
    }
  });
  return out;
}
