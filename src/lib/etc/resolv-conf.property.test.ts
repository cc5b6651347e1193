// Properties of resolv.conf handling on random host files and random --dns/--dns-search/--dns-opt
// values: the readers never throw, bad values fail only with NerdnetError, and every accepted set of
// values builds a file whose lines parse back to exactly those values.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileString, outcome } from '../../../test/helpers/property.js';
import { buildResolvConf, filterResolvConf, getNameservers, getOptions, getSearchDomains } from './resolv-conf.js';
import { planResolvConf } from './resolv-conf-mode.js';
import { validateDnsSettings } from './validate.js';

const RUNS = 500;
const line = fc.oneof(
  fc.tuple(fc.constantFrom('nameserver ', 'nameserver\t', ' nameserver  ', 'nameserver'), fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('127.0.0.1', '::1', '127.0.0.53'))).map(([k, v]) => k + v),
  fc.tuple(fc.constantFrom('search ', 'options ', 'domain ', '# ', '; '), fc.array(fc.domain(), { maxLength: 3 })).map(([k, v]) => k + v.join(' ')),
  hostileString,
);
const hostFile = fc.array(line, { maxLength: 8 }).map((lines) => lines.join('\n'));
const server = fuzz(fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::ffff:10.1.2.3', '::10.1.2.3')));
const search = fuzz(fc.oneof(fc.domain(), fc.constant('.'), fc.domain().map((d) => `${d}.`)));
const option = fuzz(fc.constantFrom('ndots:2', 'edns0', 'attempts:10', 'timeout:1', 'rotate', 'single-request-reopen', 'use-vc', 'no-tld-query'));
const dns = fc.record({ servers: fc.array(server, { maxLength: 3 }), search: fc.array(search, { maxLength: 3 }), options: fc.array(option, { maxLength: 3 }) });

describe('resolv.conf (property)', () => {
  it('readers and the localhost filter never throw on any content; the filter leaves a server and no well-formed localhost line', () => {
    fc.assert(
      fc.property(hostFile, fc.boolean(), (content, allowLocalhost) => {
        getNameservers(content);
        getSearchDomains(content);
        getOptions(content);
        const filtered = filterResolvConf(content, { allowLocalhost });
        assert.ok(getNameservers(filtered.content).length > 0);
        // moby's filter (kept exactly) skips odd spellings like "nameserver127.0.0.1", which glibc ignores too.
        if (!allowLocalhost) assert.doesNotMatch(filtered.content, /^nameserver[ \t]+(?:127\.[0-9]+\.[0-9]+\.[0-9]+|::1)$/m);
      }),
      { numRuns: RUNS },
    );
  });

  it('user DNS values fail only with NerdnetError; accepted ones build a file that parses back to them', () => {
    fc.assert(
      fc.property(dns, hostFile, fc.constantFrom('cni' as const, 'host' as const), (raw, host, mode) => {
        const r = outcome(() => validateDnsSettings(raw));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_ARG');
        const v = r.value;
        const content = buildResolvConf(v.servers, v.search, v.options);
        assert.ok(content === '' || content.endsWith('\n'));
        assert.deepEqual(getNameservers(content), v.servers);
        assert.deepEqual(getSearchDomains(content), v.search.join(' ').trim() === '.' ? [] : v.search);
        assert.deepEqual(getOptions(content), v.options);
        // One line per value: nothing a user gives can add a line of its own.
        assert.equal(content.split('\n').length - 1, v.servers.length + (getSearchDomains(content).length > 0 ? 1 : 0) + (v.options.length > 0 ? 1 : 0));
        // What the container gets: given values win over the host's, each kind on its own.
        const planned = planResolvConf({ mode, hostContent: host, dns: v }).content;
        if (v.servers.length > 0) assert.deepEqual(getNameservers(planned), v.servers);
        if (v.options.length > 0) assert.deepEqual(getOptions(planned), v.options);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('resolv.conf: bugs the properties found', () => {
  it('a localhost line indented after another one is not left at column 0', () => {
    // One pass of moby's filter eats "\n " and leaves "nameserver  127.0.0.1" for glibc to use.
    const filtered = filterResolvConf('nameserver 127.0.0.1\n nameserver  127.0.0.1\n', {});
    assert.deepEqual(getNameservers(filtered.content), ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844']);
    assert.equal(filtered.usedFallback, true);
  });

  it('--dns ::ffff:a.b.c.d is written as a.b.c.d, a line resolv.conf readers see as a nameserver', () => {
    const v = validateDnsSettings({ servers: ['::ffff:10.1.2.3'] });
    assert.deepEqual(v.servers, ['10.1.2.3']);
    assert.deepEqual(getNameservers(buildResolvConf(v.servers, [], [])), ['10.1.2.3']);
  });
});
