// resolv.conf parsing, filtering and building exactly as nerdctl's pkg/resolvconf does it.
// Pure functions over file content; reading the host file is in resolv-conf-mode.ts.

export const DEFAULT_IPV4_DNS: readonly string[] = ['8.8.8.8', '8.8.4.4'];
export const DEFAULT_IPV6_DNS: readonly string[] = ['2001:4860:4860::8888', '2001:4860:4860::8844'];
// systemd-resolved's stub; when it is the only server the upstream list is used instead.
export const SYSTEMD_STUB = '127.0.0.53';

export type NameserverKind = 'ip' | 'ipv4' | 'ipv6';

const V4_BLOCK = '(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)';
const V4 = `(?:${V4_BLOCK}\\.){3}${V4_BLOCK}`;
// Deliberately loose, as in moby: a superset of IPv6 with an optional zone.
const V6 = '(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\\w+)?';
const NAMESERVER: Record<NameserverKind, RegExp> = {
  ip: new RegExp(`^\\s*nameserver\\s*(${V4}|${V6})\\s*$`),
  ipv4: new RegExp(`^\\s*nameserver\\s*(${V4})\\s*$`),
  ipv6: new RegExp(`^\\s*nameserver\\s*(${V6})\\s*$`),
};
// nerdctl's localhost filter needs `nameserver` at column 0 and eats the trailing newlines.
const LOCALHOST_NAMESERVER = /^nameserver\s+(?:(?:127\.(?:[0-9]{1,3}\.){2}[0-9]{1,3})|(?:::1)$)\s*\n*/gm;
const SEARCH = /^\s*search([\s\S]*)$/;
const OPTIONS = /^\s*options([\s\S]*)$/;

// Lines with everything from the first "#" removed (";" is not a comment marker here).
export function contentLines(content: string): string[] {
  return content.split('\n').map((line) => {
    const hash = line.indexOf('#');
    return hash < 0 ? line : line.slice(0, hash);
  });
}

// Nameservers in file order; `ipv4`/`ipv6` keep only that family.
export function getNameservers(content: string, kind: NameserverKind = 'ip'): string[] {
  const out: string[] = [];
  for (const line of contentLines(content)) {
    const m = NAMESERVER[kind].exec(line);
    if (m?.[1] !== undefined) out.push(m[1]);
  }
  return out;
}

// The last matching line wins; like moby's regex, "search" need not be followed by a space.
function lastDirective(content: string, re: RegExp): string[] {
  let found: string[] = [];
  for (const line of contentLines(content)) {
    const m = re.exec(line);
    if (m) found = (m[1] ?? '').split(/\s+/).filter((f) => f !== '');
  }
  return found;
}

export function getSearchDomains(content: string): string[] {
  return lastDirective(content, SEARCH);
}

export function getOptions(content: string): string[] {
  return lastDirective(content, OPTIONS);
}

export interface FilteredResolvConf {
  content: string;
  // True when no nameserver was left and Google's public servers were appended.
  usedFallback: boolean;
}

// Deviation: moby's single pass lets one match eat the indentation of the next line ("\s*" spans the
// newline), which leaves that line's localhost server at column 0 where glibc reads it: repeat until stable.
function removeLocalhostServers(content: string): string {
  let out = content;
  for (let next = out.replace(LOCALHOST_NAMESERVER, ''); next !== out; next = out.replace(LOCALHOST_NAMESERVER, '')) out = next;
  return out;
}

// FilterResolvDNS: drop localhost servers unless allowed (host mode, nerdctl ≥ 2.3, #4651); when no
// server is left, append the IPv4 and (IPv6 being always "enabled" in nerdctl) IPv6 fallbacks.
export function filterResolvConf(content: string, opts: { allowLocalhost?: boolean } = {}): FilteredResolvConf {
  const cleaned = opts.allowLocalhost ? content : removeLocalhostServers(content);
  if (getNameservers(cleaned, 'ip').length > 0) return { content: cleaned, usedFallback: false };
  const fallback = [...DEFAULT_IPV4_DNS, ...DEFAULT_IPV6_DNS].map((ip) => `nameserver ${ip}`).join('\n');
  return { content: `${cleaned}\n${fallback}`, usedFallback: true };
}

// Build: `search`, then one `nameserver` per server, then `options`; each line ends with "\n".
export function buildResolvConf(servers: readonly string[], search: readonly string[], options: readonly string[]): string {
  let out = '';
  const searchLine = search.join(' ');
  if (search.length > 0 && searchLine.trim() !== '.') out += `search ${searchLine}\n`;
  for (const s of servers) out += `nameserver ${s}\n`;
  const optionsLine = options.join(' ');
  if (options.length > 0 && optionsLine.trim() !== '') out += `options ${optionsLine}\n`;
  return out;
}
