// `network rm` and `network prune`: refuse pseudo, default, foreign and in-use
// networks (and ones a stopped container still holds); under the exclusive lock delete the conflist,
// then host-local's empty lease dir and the bridge link it names.
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import { IpHostNetwork, type HostNetwork } from '../host/host-network.js';
import { withConfLock } from './create.js';
import { DEFAULT_NETWORK_NAME, PSEUDO_NETWORKS } from './names.js';
import { withLock } from '../store/flock.js';
import {
  hostLocalLeaseDirs, isPseudoName, matchNetworks, pluginsOf, readAllConfigs, readVisibleNetworks, readVisibleScan, skippedHint,
  type NetworkRecord, type RawConfig,
} from './store.js';
import type { NetworkEnv } from './types.js';
import { CniCacheUsage, type NetworkAttachmentInfo, type NetworkUsage, type PendingAttachment } from './usage.js';

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

function who(users: readonly NetworkAttachmentInfo[]): string {
  return users.map((u) => `"${u.name ?? u.containerID}" (${u.ifName})`).join(', ');
}

// Why `r` may not be removed, else the attachments a stop
// left owing a DEL: removing the conflist first would leak them for good.
async function refusal(r: NetworkRecord, req: string, usage: NetworkUsage, force: boolean): Promise<NerdnetError | PendingAttachment[]> {
  const users = await usage.attachments(r.name);
  if (users.length > 0) return new NerdnetError('ERR_IN_USE', `network "${req}" is in use by container ${who(users)}; stop or remove the container first`);
  if (isDefault(r)) return new NerdnetError('ERR_INVALID_ARG', `cannot remove pre-defined network ${r.name}`);
  if (r.id === undefined) return new NerdnetError('ERR_INVALID_ARG', `${req} is managed outside nerdctl and cannot be removed (${r.file})`);
  const pending = (await usage.pending?.(r.name)) ?? [];
  if (pending.length > 0 && !force) {
    return new NerdnetError('ERR_IN_USE', `network "${req}" still holds an attachment of stopped container ${who(pending)} that was never detached; remove the container first, or use -f to detach it and remove the network`);
  }
  return pending;
}

// host-local's lease dir goes with the network once it holds no lease (and no other config uses it).
async function removeLeaseDirs(r: NetworkRecord, others: readonly RawConfig[], warnings: string[]): Promise<void> {
  const shared = new Set(others.flatMap((c) => (typeof c.raw.name === 'string' ? hostLocalLeaseDirs(c.raw.name, pluginsOf(c.raw)) : [])));
  for (const dir of hostLocalLeaseDirs(r.name, pluginsOf(r.raw))) {
    if (shared.has(dir) || !existsSync(dir)) continue;
    // Under host-local's own lock, so no ADD writes a lease meanwhile.
    const leases = await withLock(join(dir, 'lock'), async () => {
      const left = (await readdir(dir)).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'));
      if (left.length === 0) await rm(dir, { recursive: true, force: true });
      return left;
    });
    if (leases.length > 0) warnings.push(`kept ${dir}: it still holds ${leases.length} lease(s) (${leases.join(', ')})`);
  }
}

// Delete the file, then the bridge it names, if it is a bridge and no other config names it.
async function removeRecord(r: NetworkRecord, host: HostNetwork, netconf: string, warnings: string[]): Promise<void> {
  await rm(r.file, { force: true });
  const others = await readAllConfigs(netconf);
  await removeLeaseDirs(r, others, warnings);
  const br = bridgeOf(r.raw);
  if (br === undefined) return;
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

// `force`: first detach what stopped containers left attached (a DEL with the cached config).
export async function removeNetworks(env: NetworkEnv, requests: readonly string[], opts: { force?: boolean } = {}): Promise<RemoveResult> {
  const host = env.host ?? new IpHostNetwork();
  const usage: NetworkUsage = env.usage ?? new CniCacheUsage();
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
        const why = await refusal(r, req, usage, opts.force === true);
        if (why instanceof NerdnetError) throw why;
        for (const p of why) {
          if (!usage.detach) throw new NerdnetError('ERR_INVALID_ARG', `network "${req}": cannot detach ${who([p])} without the CNI runtime`);
          out.warnings.push(...(await usage.detach(p)));
        }
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

// Every visible nerdctl network except the default, pseudo and in-use ones.
export async function pruneNetworks(env: NetworkEnv): Promise<RemoveResult> {
  const host = env.host ?? new IpHostNetwork();
  const usage = env.usage ?? new CniCacheUsage();
  const out: RemoveResult = { removed: [], errors: [], warnings: [] };
  await withConfLock(env, async () => {
    for (const r of await readVisibleNetworks(env.netconfPath, env.namespace, env.log)) {
      if (isDefault(r) || isPseudoName(r.name.toLowerCase()) || r.id === undefined) continue;
      if ((await usage.attachments(r.name)).length > 0 || ((await usage.pending?.(r.name)) ?? []).length > 0) continue;
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
