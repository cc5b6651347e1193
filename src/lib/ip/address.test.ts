import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { NerdnetError } from '../errors.js';
import {
  compareIP,
  formatIP,
  ipEquals,
  ipFromValue,
  ipParseError,
  isIPv4,
  isIPv4Mapped,
  isIPv6,
  mapIPv4,
  parseIP,
  tryParseIP,
  unmapIPv4,
} from './address.js';
import type { IP } from './address.js';

const canon = (s: string): string => formatIP(parseIP(s));

function assertInvalid(s: string, pattern?: RegExp): void {
  assert.throws(
    () => parseIP(s),
    (err: unknown) => {
      assert.ok(NerdnetError.is(err));
      assert.equal(err.code, 'ERR_INVALID_ARG');
      assert.ok(err.message.includes(JSON.stringify(s)), `message names the value: ${err.message}`);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
  assert.equal(tryParseIP(s), undefined);
}

void describe('parseIP', () => {
  void it('parses IPv4 dotted quads', () => {
    assert.deepEqual(parseIP('10.4.0.1'), { family: 4, value: 0x0a040001n });
    assert.deepEqual(parseIP('0.0.0.0'), { family: 4, value: 0n });
    assert.deepEqual(parseIP('255.255.255.255'), { family: 4, value: 0xffffffffn });
  });

  void it('parses IPv6 in every form', () => {
    assert.deepEqual(parseIP('::'), { family: 6, value: 0n });
    assert.deepEqual(parseIP('::1'), { family: 6, value: 1n });
    assert.deepEqual(parseIP('1::'), { family: 6, value: 1n << 112n });
    assert.deepEqual(parseIP('2001:DB8::1'), parseIP('2001:0db8:0000:0000:0000:0000:0000:0001'));
    assert.deepEqual(parseIP('1:2:3:4:5:6:7::'), parseIP('1:2:3:4:5:6:7:0'));
    assert.deepEqual(parseIP('::2:3:4:5:6:7:8'), parseIP('0:2:3:4:5:6:7:8'));
    assert.deepEqual(parseIP('::ffff:1.2.3.4'), { family: 6, value: 0xffff01020304n });
    assert.deepEqual(parseIP('::1.2.3.4'), { family: 6, value: 0x01020304n });
    assert.deepEqual(parseIP('1:2:3:4:5:6:1.2.3.4'), parseIP('1:2:3:4:5:6:102:304'));
  });

  void it('rejects malformed IPv4', () => {
    assertInvalid('10.0.0.256', /greater than 255/);
    assertInvalid('1.2.3', /4 dot-separated fields, found 3/);
    assertInvalid('1.2.3.4.5', /found 5/);
    assertInvalid('01.2.3.4', /leading zero/);
    assertInvalid('010.0.0.1', /leading zero/);
    assertInvalid('1.2.3.00');
    assertInvalid('1..3.4', /empty/);
    assertInvalid('1.2.3.-4');
    assertInvalid('1.2.3.4.');
    assertInvalid('0x1.2.3.4');
    assertInvalid('1234');
  });

  void it('rejects malformed IPv6', () => {
    assertInvalid(':::');
    assertInvalid('1::2::3', /only once/);
    assertInvalid('g::1', /unexpected character "g"/);
    assertInvalid('1:2:3:4:5:6:7', /needs 8 groups/);
    assertInvalid('1:2:3:4:5:6:7:8:9', /at most 8 groups/);
    assertInvalid('1:2:3:4::5:6:7:8', /at least one zero group/);
    assertInvalid('12345::1', /more than 4 hex digits/);
    assertInvalid(':1::2', /single ":"/);
    assertInvalid('1::2:', /single ":"/);
    assertInvalid('::ffff:01.2.3.4', /embedded IPv4.*leading zero/);
    assertInvalid('::1.2.3.4:5');
    assertInvalid('1:2:3:4:5:6:7:1.2.3.4', /no room/);
    assertInvalid('[::1]');
  });

  void it('rejects empty text, whitespace, zones and prefixes with a reason', () => {
    assertInvalid('', /empty/);
    assertInvalid(' 10.0.0.1', /whitespace/);
    assertInvalid('10.0.0.1\n', /whitespace/);
    assertInvalid('fe80::1%eth0', /zones \("%eth0"\) are not supported/);
    assertInvalid('10.0.0.0/24', /prefix length/);
  });

  void it('ipParseError explains or returns undefined', () => {
    assert.equal(ipParseError('10.0.0.1'), undefined);
    assert.match(ipParseError('10.0.0.256') ?? '', /greater than 255/);
  });
});

void describe('formatIP', () => {
  void it('prints RFC 5952 canonical IPv6', () => {
    const vectors: [string, string][] = [
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:0db8::0001', '2001:db8::1'],
      ['2001:db8::0:1', '2001:db8::1'],
      ['2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
      ['2001:DB8:AAAA::', '2001:db8:aaaa::'],
      ['0:0:0:0:0:0:0:0', '::'],
      ['::1', '::1'],
      ['fe80::', 'fe80::'],
      ['1::', '1::'],
      ['1:0:0:2:0:0:3:4', '1::2:0:0:3:4'],
      ['::ffff:1.2.3.4', '::ffff:1.2.3.4'],
      ['::ffff:0102:0304', '::ffff:1.2.3.4'],
      ['::1.2.3.4', '::102:304'],
      ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ];
    for (const [input, want] of vectors) assert.equal(canon(input), want, input);
  });

  void it('prints IPv4 dotted', () => {
    assert.equal(formatIP({ family: 4, value: 0x0a040001n }), '10.4.0.1');
    assert.equal(formatIP({ family: 4, value: 0n }), '0.0.0.0');
  });
});

void describe('helpers', () => {
  void it('isIPv4 / isIPv6 take addresses or text', () => {
    assert.equal(isIPv4('10.0.0.1'), true);
    assert.equal(isIPv4('::1'), false);
    assert.equal(isIPv6('::ffff:1.2.3.4'), true);
    assert.equal(isIPv6('nope'), false);
    assert.equal(isIPv4(parseIP('1.2.3.4')), true);
  });

  void it('maps and unmaps IPv4', () => {
    const mapped = parseIP('::ffff:10.1.2.3');
    assert.equal(isIPv4Mapped(mapped), true);
    assert.equal(isIPv4Mapped(parseIP('::10.1.2.3')), false);
    assert.deepEqual(unmapIPv4(mapped), parseIP('10.1.2.3'));
    assert.deepEqual(mapIPv4(parseIP('10.1.2.3')), mapped);
    assert.equal(ipEquals(mapped, parseIP('10.1.2.3')), false);
  });

  void it('compares by family then value', () => {
    const sorted = ['::', '10.0.0.2', '::1', '10.0.0.1', '9.255.255.255'].map(parseIP).sort(compareIP).map(formatIP);
    assert.deepEqual(sorted, ['9.255.255.255', '10.0.0.1', '10.0.0.2', '::', '::1']);
    assert.equal(compareIP(parseIP('1.2.3.4'), parseIP('1.2.3.4')), 0);
  });

  void it('ipFromValue checks the range', () => {
    assert.deepEqual(ipFromValue(4, 1n), { family: 4, value: 1n });
    assert.throws(() => ipFromValue(4, 1n << 32n), /not an IPv4 address/);
    assert.throws(() => ipFromValue(6, -1n), /not an IPv6 address/);
  });
});

const v4 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }).map((value): IP => ({ family: 4, value }));
// Groups biased towards zero so "::" compression paths are exercised.
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
const v6 = fc
  .array(group, { minLength: 8, maxLength: 8 })
  .map((gs): IP => ({ family: 6, value: gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n) }));
const v6Any = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }).map((value): IP => ({ family: 6, value }));
const anyIP = fc.oneof(v4, v6, v6Any);

// Non-canonical spellings of an address: padded groups, upper case, uncompressed.
const v6Text = fc.tuple(v6, fc.boolean(), fc.boolean()).map(([ip, pad, upper]) => {
  const gs = Array.from({ length: 8 }, (_, k) => ((ip.value >> BigInt(112 - 16 * k)) & 0xffffn).toString(16));
  const text = gs.map((g) => (pad ? g.padStart(4, '0') : g)).join(':');
  return upper ? text.toUpperCase() : text;
});

void describe('properties', () => {
  void it('parse(format(ip)) round-trips', () => {
    fc.assert(fc.property(anyIP, (ip) => assert.deepEqual(parseIP(formatIP(ip)), ip)));
  });

  void it('format(parse(text)) is a fixed point', () => {
    fc.assert(
      fc.property(fc.oneof(v6Text, anyIP.map(formatIP)), (text) => {
        const once = canon(text);
        assert.equal(canon(once), once);
      }),
    );
  });

  void it('IPv6 text matches the WHATWG URL serializer (also RFC 5952) outside ::ffff:0:0/96', () => {
    fc.assert(
      fc.property(fc.oneof(v6, v6Any), (ip) => {
        fc.pre(!isIPv4Mapped(ip));
        const full = Array.from({ length: 8 }, (_, k) => ((ip.value >> BigInt(112 - 16 * k)) & 0xffffn).toString(16)).join(':');
        assert.equal(`[${formatIP(ip)}]`, new URL(`http://[${full}]/`).hostname);
      }),
    );
  });

  void it('arbitrary text either parses to a fixed point or fails with ERR_INVALID_ARG', () => {
    const alphabet = fc.constantFrom(...'0123456789abcdefABCDEF:.%/ g'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: alphabet, maxLength: 45 })), (text) => {
        const ip = tryParseIP(text);
        if (ip === undefined) {
          assert.throws(() => parseIP(text), (err: unknown) => NerdnetError.is(err) && err.code === 'ERR_INVALID_ARG');
        } else {
          assert.equal(canon(formatIP(ip)), formatIP(ip));
        }
      }),
      { numRuns: 2000 },
    );
  });

  void it('acceptance agrees with node:net isIP on zone-free text', () => {
    const token = fc.oneof(
      fc.constantFrom(':', '::', '.', '0', '1', 'ffff', 'FfFf', '00000', '1.2.3.4', '01', '256'),
      fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16)),
    );
    fc.assert(
      fc.property(fc.array(token, { minLength: 1, maxLength: 18 }).map((parts) => parts.join('')), (text) => {
        assert.equal(tryParseIP(text) !== undefined, isIP(text) !== 0, text);
      }),
      { numRuns: 5000 },
    );
  });

  void it('IPv4 acceptance agrees with a strict grammar', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.stringMatching(/^[0-9]{1,4}$/));
    fc.assert(
      fc.property(fc.array(octet, { minLength: 3, maxLength: 5 }), (parts) => {
        const s = parts.join('.');
        const ok = parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
        assert.equal(tryParseIP(s) !== undefined, ok, s);
      }),
    );
  });
});
