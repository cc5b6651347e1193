// Properties of --add-host parsing on random, nearly valid and hostile values: only NerdnetError,
// and an accepted entry is a safe host name and a canonical address that parse back to themselves.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { parseIP, formatIP } from '../ip/index.js';
import { extraHostsLabel, parseAddHost, parseAddHosts } from './add-host.js';
import { hostsLine } from './hosts-file.js';

const RUNS = 1000;
const valid = fc
  .tuple(fc.domain(), fc.constantFrom(':', '='), fc.oneof(fc.ipV4(), fc.ipV6(), fc.ipV6().map((ip) => `[${ip}]`), fc.constant('host-gateway')))
  .map(([h, sep, ip]) => `${h}${sep}${ip}`);
const opts = { hostGatewayIP: '192.168.7.1' };

describe('parseAddHost (property)', () => {
  it('fails only with NerdnetError; an accepted entry has a safe name, a canonical address, one hosts line', () => {
    fc.assert(
      fc.property(fuzz(valid), (raw) => {
        const r = outcome(() => parseAddHost(raw, opts));
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.ok(r.error.message.includes(JSON.stringify(raw)) || r.error.message.includes(JSON.stringify(raw.split(/[=:]/)[0])), r.error.message);
          return;
        }
        const { host, ip } = r.value;
        assert.match(host, /^[A-Za-z0-9_.-]+$/);
        assert.doesNotMatch(host, /\.\./);
        assert.equal(formatIP(parseIP(ip)), ip);
        assert.deepEqual(parseAddHost(`${host}=${ip}`, opts), r.value);
        assert.equal(hostsLine(ip, [host]).split('\n').length, 2);
      }),
      { numRuns: RUNS },
    );
  });

  it('a list fails only with NerdnetError and keeps one address per name, as a JSON label', () => {
    fc.assert(
      fc.property(fc.array(fuzz(valid), { maxLength: 5 }), (values) => {
        const r = outcome(() => parseAddHosts(values, opts));
        if (!r.ok) return;
        assert.equal(new Set(r.value.map((e) => e.host)).size, r.value.length);
        assert.equal((JSON.parse(extraHostsLabel(r.value)) as string[]).length, r.value.length);
      }),
      { numRuns: 300 },
    );
  });
});
