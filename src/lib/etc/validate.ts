// Validation of every value that ends up in resolv.conf, hosts or hostname (design.md §4): nothing with
// a newline, NUL, "/", "..", or whitespace gets into a file, and errors name the value and the fix.
import { NerdnetError } from '../errors.js';
import { formatIP, ipParseError, parseIP, unmapIPv4 } from '../ip/index.js';
import type { DnsSettings } from './types.js';

// One DNS label; "_" is allowed because compose service names become hostnames.
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
// sethostname(2)/setdomainname(2) refuse more than 64 bytes.
const UTS_MAX = 64;
const DOMAIN_MAX = 253;
// resolv.conf option tokens: ndots:5, attempts:10, edns0, no-tld-query, single-request-reopen.
const DNS_OPTION = /^[A-Za-z0-9][A-Za-z0-9_.:+-]*$/;

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

// Why a dotted name is not acceptable, or undefined.
function domainProblem(value: string, max: number): string | undefined {
  if (value === '') return 'it is empty';
  if (value.length > max) return `it is ${value.length} characters long (at most ${max})`;
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'it contains whitespace or a control character (newline, NUL, tab)';
  if (value.includes('/')) return 'it contains "/"';
  if (value.includes('..')) return 'it contains ".." (an empty label)';
  const bad = value.split('.').find((l) => !LABEL.test(l));
  if (bad !== undefined) return `label ${JSON.stringify(bad)} must be 1-63 letters, digits, "-" or "_", not starting or ending with "-"`;
  return undefined;
}

// --hostname: an RFC 1123 name (dots allowed), at most 64 bytes.
export function validateHostname(value: string, flag = '--hostname'): string {
  const why = domainProblem(value, UTS_MAX);
  if (why) throw invalid(`invalid ${flag} ${JSON.stringify(value)}: ${why}; use a name like "web" or "web.example.com"`);
  return value;
}

// --domainname: same rules as a hostname.
export function validateDomainname(value: string): string {
  return validateHostname(value, '--domainname');
}

// A host name of an extra hosts entry (--add-host NAME:IP).
export function validateHostAlias(value: string, raw: string): string {
  const why = domainProblem(value, DOMAIN_MAX);
  if (why) throw invalid(`invalid host name ${JSON.stringify(value)} in --add-host ${JSON.stringify(raw)}: ${why}; write --add-host NAME:IP like db:10.0.0.5`);
  return value;
}

// --dns: an IP address, printed canonically; ::ffff:a.b.c.d as a.b.c.d (Go's net.IP.String), since
// resolv.conf readers that follow moby's pattern do not see a dotted IPv6 address as a nameserver.
export function validateDnsServer(value: string): string {
  if (value === '') throw invalid('--dns flag was specified but no DNS server was provided; give an IP address like --dns 10.0.0.2');
  const why = ipParseError(value);
  if (why) throw invalid(`invalid --dns value ${JSON.stringify(value)}: ${why}; give the IP address of a DNS server like 10.0.0.2`);
  return formatIP(unmapIPv4(parseIP(value)));
}

// --dns-search: a domain (a trailing "." is allowed) or "." alone (no search list).
export function validateDnsSearch(value: string): string {
  const name = value.endsWith('.') && value !== '.' ? value.slice(0, -1) : value;
  const why = value === '.' ? undefined : domainProblem(name, DOMAIN_MAX);
  if (why) throw invalid(`invalid --dns-search value ${JSON.stringify(value)}: ${why}; give a domain like example.com`);
  return value;
}

// --dns-opt: one resolv.conf option token.
export function validateDnsOption(value: string): string {
  if (!DNS_OPTION.test(value) || value.includes('..') || value.length > 255) {
    throw invalid(`invalid --dns-opt value ${JSON.stringify(value)}: an option is one token of letters, digits and "_.:+-" without spaces; use a value like ndots:2`);
  }
  return value;
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

// Validate and dedupe requested DNS settings (first occurrence order).
export function validateDnsSettings(dns: Partial<DnsSettings> = {}): DnsSettings {
  return {
    servers: dedupe((dns.servers ?? []).map(validateDnsServer)),
    search: dedupe((dns.search ?? []).map(validateDnsSearch)),
    options: dedupe((dns.options ?? []).map(validateDnsOption)),
  };
}
