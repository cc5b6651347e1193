// Properties of the validators of everything that reaches resolv.conf, hosts and hostname, and of the
// hostname plan: only NerdnetError, and an accepted value can never break a line or a path.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { planHostname } from './hostname.js';
import { validateDnsOption, validateDnsSearch, validateDomainname, validateHostAlias, validateHostname } from './validate.js';

const RUNS = 1000;
// Nothing that ends a line, starts a comment, separates fields or climbs a path.
const SAFE = /^[A-Za-z0-9_.:+-]+$/;

function safe(value: string): void {
  assert.match(value, SAFE);
  assert.doesNotMatch(value, /\.\./);
  assert.notEqual(value, '.');
}

describe('etc validators (property)', () => {
  const cases: Array<[string, (v: string) => string, fc.Arbitrary<string>]> = [
    ['validateHostname', (v) => validateHostname(v), fc.domain()],
    ['validateDomainname', validateDomainname, fc.domain()],
    ['validateHostAlias', (v) => validateHostAlias(v, `${v}:10.0.0.1`), fc.domain()],
    ['validateDnsSearch', validateDnsSearch, fc.oneof(fc.domain(), fc.domain().map((d) => `${d}.`))],
    ['validateDnsOption', validateDnsOption, fc.constantFrom('ndots:2', 'edns0', 'attempts:10', 'rotate', 'single-request-reopen')],
  ];
  for (const [name, fn, valid] of cases) {
    it(`${name}: only NerdnetError naming the value; accepted values are one safe token`, () => {
      fc.assert(
        fc.property(fuzz(valid), (v) => {
          const r = outcome(() => fn(v));
          if (!r.ok) {
            assert.equal(r.error.code, 'ERR_INVALID_ARG');
            assert.ok(r.error.message.includes(JSON.stringify(v)), r.error.message);
            return;
          }
          assert.equal(r.value, v);
          // "." alone is --dns-search's "no search list".
          if (!(name === 'validateDnsSearch' && v === '.')) safe(v);
        }),
        { numRuns: RUNS },
      );
    });
  }

  it('planHostname: only NerdnetError; the hostname file is one safe line of at most 64 bytes', () => {
    const input = fc.record({
      mode: fc.constantFrom('cni' as const, 'host' as const, 'none' as const, 'ns' as const),
      id: fuzz(fc.stringMatching(/^[0-9a-f]{64}$/)),
      hostname: fc.option(fuzz(fc.domain()), { nil: undefined }),
      domainname: fc.option(fuzz(fc.domain()), { nil: undefined }),
      utsHost: fc.boolean(),
      hostHostname: fc.option(fuzz(fc.domain()), { nil: undefined }),
    });
    fc.assert(
      fc.property(input, (i) => {
        const r = outcome(() => planHostname(i));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_ARG');
        const { hostname, domainname, file } = r.value;
        if (hostname !== '') safe(hostname);
        if (domainname !== '') safe(domainname);
        assert.ok(Buffer.byteLength(hostname) <= 64);
        if (file !== undefined) assert.equal(file, `${hostname}\n`);
      }),
      { numRuns: RUNS },
    );
  });
});
