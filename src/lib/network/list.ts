// `network ls`: rows in sorted-path order, then the pseudo networks when unfiltered.
import { NerdnetError } from '../errors.js';
import { withConfLock } from './create.js';
import { driverOf, visibleLabels } from './describe.js';
import { PSEUDO_NETWORKS } from './names.js';
import { readVisibleNetworks, type NetworkRecord } from './store.js';
import type { NetworkEnv } from './types.js';

export interface NetworkSummary {
  // Short (12-char) ID; '' for foreign and pseudo networks.
  id: string;
  fullID: string;
  name: string;
  file: string;
  driver: string;
  labels: Record<string, string>;
  pseudo: boolean;
}

export type NetworkPredicate = (r: NetworkRecord) => boolean;

// `name=<regexp>`, `label=<k>[=<v>]`, `id=<prefix>`, `driver=<d>`; AND-ed. nerdctl ignores unknown
// keys silently (so a typo matches everything): they are an error here.
export function parseFilters(filters: readonly string[]): NetworkPredicate[] {
  return filters.map((f): NetworkPredicate => {
    const eq = f.indexOf('=');
    const key = eq < 0 ? f : f.slice(0, eq);
    const value = eq < 0 ? '' : f.slice(eq + 1);
    if (eq < 0) throw new NerdnetError('ERR_INVALID_ARG', `invalid filter "${f}": write key=value, e.g. name=^web or label=env=prod`);
    switch (key) {
      case 'name': {
        let re: RegExp;
        try {
          re = new RegExp(value);
        } catch (e) {
          throw new NerdnetError('ERR_INVALID_ARG', `invalid filter "${f}": ${(e as Error).message}`);
        }
        return (r) => re.test(r.name);
      }
      case 'label': {
        const i = value.indexOf('=');
        const [k, v] = i < 0 ? [value, undefined] : [value.slice(0, i), value.slice(i + 1)];
        return (r) => {
          const labels = visibleLabels(r);
          return k in labels && (v === undefined || labels[k] === v);
        };
      }
      case 'id':
        return (r) => r.id !== undefined && r.id.startsWith(value);
      case 'driver':
        return (r) => driverOf(r) === value;
      default:
        throw new NerdnetError('ERR_INVALID_ARG', `unsupported filter "${key}" in "${f}"; use name=, label=, id= or driver=`);
    }
  });
}

export function summarize(r: NetworkRecord): NetworkSummary {
  return { id: r.id?.slice(0, 12) ?? '', fullID: r.id ?? '', name: r.name, file: r.file, driver: driverOf(r), labels: visibleLabels(r), pseudo: false };
}

// Labels as one "k=v,k2=v2" string (the ls template field; sorted, where nerdctl uses map order).
export function labelsString(labels: Record<string, string>): string {
  return Object.entries(labels)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

export async function listNetworks(env: NetworkEnv, opts: { filters?: readonly string[] } = {}): Promise<NetworkSummary[]> {
  const filters = parseFilters(opts.filters ?? []);
  const records = await withConfLock(env, () => readVisibleNetworks(env.netconfPath, env.namespace, env.log), true);
  const rows = records.filter((r) => filters.every((f) => f(r))).map(summarize);
  if (filters.length === 0) {
    for (const name of PSEUDO_NETWORKS) rows.push({ id: '', fullID: '', name, file: '', driver: name === 'none' ? 'null' : 'host', labels: {}, pseudo: true });
  }
  return rows;
}
