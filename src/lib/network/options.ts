// `k=v` flag values (-o, --label, --ipam-opt, --aux-address) and Go's value grammars.
import { NerdnetError } from '../errors.js';

// `k=v` strings to a map; a bare `k` means "" and a later key wins, as Go's map assignment does.
export function parseKeyValues(values: readonly string[], flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const eq = v.indexOf('=');
    const key = eq < 0 ? v : v.slice(0, eq);
    if (key === '') throw new NerdnetError('ERR_INVALID_ARG', `invalid ${flag} "${v}": the key is empty; write key=value`);
    out.delete(key);
    out.set(key, eq < 0 ? '' : v.slice(eq + 1));
  }
  return out;
}

// Labels: duplicates dropped first (strutil.DedupeStrSlice), then map semantics.
export function parseLabels(values: readonly string[]): Record<string, string> {
  return Object.fromEntries(parseKeyValues([...new Set(values)], '--label'));
}

// Go's strconv.ParseBool.
export function parseGoBool(value: string, what: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new NerdnetError('ERR_INVALID_ARG', `invalid value ${JSON.stringify(value)} for ${what}: use true or false`);
}

// MTU: empty or 0 means the kernel default; otherwise what Linux accepts on an Ethernet-like link.
export function parseMTU(value: string): number {
  if (value === '') return 0;
  if (!/^[+-]?[0-9]+$/.test(value)) throw new NerdnetError('ERR_INVALID_ARG', `invalid mtu ${JSON.stringify(value)}: give a whole number, e.g. mtu=1450`);
  const n = Number(value);
  if (n < 0) throw new NerdnetError('ERR_INVALID_ARG', `mtu ${n} is less than zero; give 68-65535, or 0 for the default`);
  if (n !== 0 && (n < 68 || n > 65535)) throw new NerdnetError('ERR_INVALID_ARG', `mtu ${n} is out of range; give 68-65535, or 0 for the default`);
  return n;
}
