// `ps --filter`, typed: Docker's rule, values of one kind OR'd, kinds AND'd.
import type { ContainerView } from './inspect.js';
import type { ContainerStatus } from './types.js';

export interface ContainerListFilter {
  // ID prefixes.
  ids?: string[];
  // Names: a regular expression matched anywhere in the name (Docker's).
  names?: string[];
  // `key` (present) or `key=value`.
  labels?: Array<{ key: string; value?: string }>;
  statuses?: ContainerStatus[];
  // Exit codes of exited containers.
  exited?: number[];
  // Network names (or modes: host, none) as the container was given them.
  networks?: string[];
  // Image references: the name as shown, with or without its registry, `library/` and `:latest`.
  ancestors?: string[];
  // Created before / after this container (resolved by the caller to its record).
  before?: { id: string; created: string };
  since?: { id: string; created: string };
}

// Docker's shortest image forms: docker.io/library/busybox:latest is also busybox:latest, busybox.
function imageNames(image: string): Set<string> {
  const out = new Set([image]);
  const bare = image.replace(/^docker\.io\//, '');
  out.add(bare);
  const short = bare.replace(/^library\//, '');
  out.add(short);
  for (const n of [...out]) if (n.endsWith(':latest')) out.add(n.slice(0, -':latest'.length));
  return out;
}

function networksOf(v: ContainerView): string[] {
  const recorded = v.record.annotations['nerdctl/networks'];
  return recorded ? (JSON.parse(recorded) as string[]) : v.record.network.networks;
}

function any<T>(values: readonly T[] | undefined, test: (value: T) => boolean): boolean {
  return values === undefined || values.length === 0 || values.some(test);
}

export function matchesFilter(v: ContainerView, f: ContainerListFilter): boolean {
  const rec = v.record;
  const labels = { ...rec.config.labels, ...rec.annotations };
  const created = Date.parse(rec.created);
  return (
    any(f.ids, (id) => rec.id.startsWith(id)) &&
    any(f.names, (re) => new RegExp(re).test(rec.name)) &&
    any(f.labels, (l) => (l.value === undefined ? l.key in labels : labels[l.key] === l.value)) &&
    any(f.statuses, (s) => v.state.status === s) &&
    any(f.exited, (code) => v.state.status === 'exited' && v.state.exitCode === code) &&
    any(f.networks, (n) => networksOf(v).includes(n)) &&
    any(f.ancestors, (a) => imageNames(rec.image).has(a)) &&
    (f.before === undefined || (rec.id !== f.before.id && created < Date.parse(f.before.created))) &&
    (f.since === undefined || (rec.id !== f.since.id && created > Date.parse(f.since.created)))
  );
}

// Docker lists stopped containers too when the filter asks for a status or an exit code.
export function filterWantsAll(f: ContainerListFilter): boolean {
  return (f.statuses?.length ?? 0) > 0 || (f.exited?.length ?? 0) > 0;
}
