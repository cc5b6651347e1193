// `ps --filter KEY=VALUE` strings → the library's typed ContainerListFilter (Docker's keys).
import { NerdnetError } from '../../lib/errors.js';
import type { ContainerManager } from '../../lib/container/manager.js';
import type { ContainerListFilter } from '../../lib/container/list-filter.js';
import type { ContainerStatus } from '../../lib/container/types.js';

const STATUSES = ['created', 'running', 'exited', 'paused', 'restarting', 'removing', 'dead'] as const;
const KEYS = ['id', 'name', 'label', 'status', 'exited', 'network', 'ancestor', 'before', 'since'];

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

export async function parsePsFilters(values: readonly string[], mgr: () => Promise<ContainerManager>): Promise<ContainerListFilter | undefined> {
  if (values.length === 0) return undefined;
  const f: ContainerListFilter = {};
  const push = <K extends keyof ContainerListFilter>(key: K, value: NonNullable<ContainerListFilter[K]> extends Array<infer T> ? T : never) => {
    ((f[key] as unknown[] | undefined) ??= []).push(value);
  };
  for (const raw of values) {
    const eq = raw.indexOf('=');
    const key = eq < 0 ? raw : raw.slice(0, eq);
    const value = eq < 0 ? '' : raw.slice(eq + 1);
    if (key === 'volume') throw invalid(`invalid --filter ${JSON.stringify(raw)}: the volume filter is not supported, nerdnet has no named volumes (bind mounts only)`);
    if (!KEYS.includes(key)) throw invalid(`invalid --filter ${JSON.stringify(raw)}: give KEY=VALUE with KEY one of ${KEYS.join(', ')}`);
    if (eq < 0 || (value === '' && key !== 'label')) throw invalid(`invalid --filter ${JSON.stringify(raw)}: give a value, like ${key}=...`);
    switch (key) {
      case 'id':
        push('ids', value);
        break;
      case 'name':
        try {
          new RegExp(value);
        } catch {
          throw invalid(`invalid --filter ${JSON.stringify(raw)}: not a regular expression`);
        }
        push('names', value);
        break;
      case 'label': {
        const at = value.indexOf('=');
        if (value === '' || at === 0) throw invalid(`invalid --filter ${JSON.stringify(raw)}: give label=KEY or label=KEY=VALUE`);
        push('labels', at < 0 ? { key: value } : { key: value.slice(0, at), value: value.slice(at + 1) });
        break;
      }
      case 'status':
        if (!(STATUSES as readonly string[]).includes(value)) throw invalid(`invalid --filter ${JSON.stringify(raw)}: status is one of ${STATUSES.join(', ')}`);
        push('statuses', value as ContainerStatus);
        break;
      case 'exited':
        if (!/^\d+$/.test(value)) throw invalid(`invalid --filter ${JSON.stringify(raw)}: give the exit code as a number, like exited=0`);
        push('exited', Number(value));
        break;
      case 'network':
        push('networks', value);
        break;
      case 'ancestor':
        push('ancestors', value);
        break;
      default: {
        const rec = await (await mgr()).resolve(value);
        f[key as 'before' | 'since'] = { id: rec.id, created: rec.created };
      }
    }
  }
  return f;
}
