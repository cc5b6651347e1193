// Properties of the address and CIDR parsers on random, nearly valid and hostile text: only
// NerdnetError, canonical output that parses back to the same value, and agreement with Node's own
// address parser (node:net isIP) on what is an address.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { formatIP, ipParseError, parseIP, tryParseIP } from './address.js';
import { cidrParseError, formatCIDR, formatParsedCIDR, hasHostBits, parseCIDR, tryParseCIDR } from './cidr.js';

const RUNS = 1000;
const ipText = fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('::', '::1', '::ffff:10.1.2.3', '1:2:3:4:5:6:7::', 'fe80::1%eth0', '01.2.3.4'));
const cidrText = fc.tuple(ipText, fc.integer({ min: 0, max: 140 })).map(([ip, len]) => `${ip}/${len}`);

describe('parseIP (property)', () => {
  it('fails only with NerdnetError, the try/why forms agree, and output is canonical', () => {
    fc.assert(
      fc.property(fuzz(ipText), (s) => {
        const r = outcome(() => parseIP(s));
        assert.equal(tryParseIP(s) !== undefined, r.ok);
        assert.equal(ipParseError(s) === undefined, r.ok);
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.ok(r.error.message.includes(JSON.stringify(s)), r.error.message);
          return;
        }
        const text = formatIP(r.value);
        assert.deepEqual(parseIP(text), r.value);
        assert.equal(formatIP(parseIP(text)), text);
      }),
      { numRuns: RUNS },
    );
  });

  it('accepts exactly what Node accepts, minus zones', () => {
    fc.assert(
      fc.property(fuzz(ipText), (s) => {
        const node = isIP(s);
        const ours = tryParseIP(s);
        if (ours) assert.equal(node, ours.family, `${JSON.stringify(s)}: Node says ${node}`);
        else if (!s.includes('%')) assert.equal(node, 0, `${JSON.stringify(s)}: Node accepts it, nerdnet does not (${ipParseError(s)})`);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('parseCIDR (property)', () => {
  it('fails only with NerdnetError; a parsed CIDR prints and parses back to itself', () => {
    fc.assert(
      fc.property(fuzz(cidrText), (s) => {
        const r = outcome(() => parseCIDR(s));
        assert.equal(tryParseCIDR(s) !== undefined, r.ok);
        assert.equal(cidrParseError(s) === undefined, r.ok);
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          return;
        }
        const { ip, network } = r.value;
        assert.equal(ip.family, network.family);
        assert.ok(network.prefix >= 0 && network.prefix <= (ip.family === 4 ? 32 : 128));
        assert.deepEqual(parseCIDR(formatCIDR(network)).network, network);
        assert.equal(hasHostBits(parseCIDR(formatCIDR(network))), false);
        assert.deepEqual(parseCIDR(formatParsedCIDR(r.value)), r.value);
      }),
      { numRuns: RUNS },
    );
  });
});
