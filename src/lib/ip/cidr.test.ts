import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NerdnetError } from '../errors.js';
import { formatIP, parseIP } from './address.js';
import type { IPFamily } from './address.js';
import {
  addressCount,
  broadcast,
  cidrEquals,
  cidrOf,
  cidrParseError,
  compareCidr,
  contains,
  containsNet,
  firstUsable,
  formatCIDR,
  formatParsedCIDR,
  hasHostBits,
  ipsInNet,
  ipsInRange,
  lastAddress,
  lastUsable,
  maskSize,
  networkAddress,
  nextIP,
  nextSubnet,
  nthAddress,
  overlaps,
  parseCIDR,
  prefixMask,
  prevIP,
  tryParseCIDR,
} from './cidr.js';
import type { Cidr } from './cidr.js';

const net = (s: string): Cidr => parseCIDR(s).network;
const ip = parseIP;

function assertInvalid(s: string, pattern?: RegExp): void {
  assert.throws(
    () => parseCIDR(s),
    (err: unknown) => {
      assert.ok(NerdnetError.is(err));
      assert.equal(err.code, 'ERR_INVALID_ARG');
      assert.ok(err.message.includes(`"${s}"`), `message names the value: ${err.message}`);
      if (pattern) assert.match(err.message, pattern);
      return true;
    },
  );
  assert.equal(tryParseCIDR(s), undefined);
}

void describe('parseCIDR', () => {
  void it('keeps the written address and masks the network (Go net.ParseCIDR)', () => {
    const p = parseCIDR('10.4.0.7/24');
    assert.deepEqual(p.ip, ip('10.4.0.7'));
    assert.deepEqual(p.network, { family: 4, value: ip('10.4.0.0').value, prefix: 24 });
    assert.equal(hasHostBits(p), true);
    assert.equal(hasHostBits(parseCIDR('10.4.0.0/24')), false);
    assert.equal(formatCIDR(p.network), '10.4.0.0/24');
    assert.equal(formatParsedCIDR(p), '10.4.0.7/24');
  });

  void it('parses IPv6 and canonicalises output', () => {
    const p = parseCIDR('2001:DB8:0:0:1::7/64');
    assert.equal(formatCIDR(p.network), '2001:db8::/64');
    assert.equal(formatParsedCIDR(p), '2001:db8::1:0:0:7/64');
    assert.equal(formatCIDR(net('::/0')), '::/0');
    assert.equal(formatCIDR(net('0.0.0.0/0')), '0.0.0.0/0');
  });

  void it('accepts leading zeros in the prefix length like Go dtoi', () => {
    assert.equal(net('10.0.0.0/024').prefix, 24);
  });

  void it('rejects bad input with a reason', () => {
    assertInvalid('10.0.0.256/24', /greater than 255/);
    assertInvalid('10.0.0.0/33', /out of range for IPv4 \(0-32\)/);
    assertInvalid('fd00::/129', /out of range for IPv6 \(0-128\)/);
    assertInvalid('10.0.0.0/', /missing the prefix length/);
    assertInvalid('/24', /missing the address/);
    assertInvalid('10.0.0.0', /missing "\/<prefix length>"/);
    assertInvalid('10.0.0.0/-1', /not a decimal number/);
    assertInvalid('10.0.0.0/24/1', /not a decimal number/);
    assertInvalid('10.0.0.0/ 24');
    assertInvalid('fe80::%eth0/64', /zones/);
    assertInvalid('');
    assert.match(cidrParseError('1.2.3/8') ?? '', /4 dot-separated fields/);
    assert.equal(cidrParseError('1.2.3.0/8'), undefined);
  });
});

void describe('subnet math', () => {
  void it('network, broadcast and usable range of 10.4.0.7/24', () => {
    const n = net('10.4.0.7/24');
    assert.equal(formatIP(networkAddress(n)), '10.4.0.0');
    assert.equal(formatIP(broadcast(n)), '10.4.0.255');
    assert.equal(formatIP(firstUsable(n)), '10.4.0.1');
    assert.equal(formatIP(lastUsable(n)), '10.4.0.254');
    assert.equal(addressCount(n), 256n);
    assert.deepEqual(maskSize(n), { ones: 24, bits: 32 });
  });

  void it('IPv6 has no broadcast: the last address is usable', () => {
    const n = net('2001:db8::/64');
    assert.equal(formatIP(lastAddress(n)), '2001:db8::ffff:ffff:ffff:ffff');
    assert.equal(formatIP(lastUsable(n)), '2001:db8::ffff:ffff:ffff:ffff');
    assert.equal(formatIP(firstUsable(n)), '2001:db8::1');
    assert.equal(addressCount(n), 1n << 64n);
  });

  void it('refuses usable ranges of subnets too small for host-local', () => {
    assert.equal(formatIP(lastUsable(net('10.0.0.0/30'))), '10.0.0.2');
    for (const s of ['10.0.0.0/31', '10.0.0.0/32', 'fd00::/127', 'fd00::/128']) {
      assert.throws(() => firstUsable(net(s)), /too small/);
      assert.throws(() => lastUsable(net(s)), /too small/);
    }
  });

  void it('prefixMask', () => {
    assert.equal(prefixMask(4, 24), 0xffffff00n);
    assert.equal(prefixMask(4, 0), 0n);
    assert.equal(prefixMask(4, 32), 0xffffffffn);
    assert.equal(prefixMask(6, 64), ((1n << 64n) - 1n) << 64n);
    assert.throws(() => prefixMask(4, 33), /out of range/);
    assert.throws(() => prefixMask(6, 1.5), /out of range/);
  });

  void it('contains, containsNet and overlaps', () => {
    const big = net('10.4.0.0/16');
    const small = net('10.4.1.0/24');
    assert.equal(overlaps(big, small), true);
    assert.equal(overlaps(small, big), true);
    assert.equal(containsNet(big, small), true);
    assert.equal(containsNet(small, big), false);
    assert.equal(containsNet(small, small), true);
    assert.equal(overlaps(net('10.4.1.0/24'), net('10.4.2.0/24')), false);
    assert.equal(contains(small, ip('10.4.1.255')), true);
    assert.equal(contains(small, ip('10.4.2.0')), false);
  });

  void it('IPv4 and IPv6 never overlap or contain each other', () => {
    assert.equal(overlaps(net('0.0.0.0/0'), net('::/0')), false);
    assert.equal(overlaps(net('::/0'), net('0.0.0.0/0')), false);
    assert.equal(contains(net('::/0'), ip('1.2.3.4')), false);
    assert.equal(contains(net('0.0.0.0/0'), ip('::ffff:1.2.3.4')), false);
    assert.equal(containsNet(net('::/0'), net('10.0.0.0/8')), false);
  });

  void it('cidrOf, cidrEquals and compareCidr', () => {
    assert.equal(formatCIDR(cidrOf(ip('192.168.5.77'), 20)), '192.168.0.0/20');
    assert.equal(cidrEquals(net('10.0.0.1/8'), net('10.9.9.9/8')), true);
    assert.equal(cidrEquals(net('10.0.0.0/8'), net('10.0.0.0/9')), false);
    const sorted = ['fd00::/8', '10.4.1.0/24', '10.4.0.0/16', '10.3.0.0/24'].map(net).sort(compareCidr).map(formatCIDR);
    assert.deepEqual(sorted, ['10.3.0.0/24', '10.4.0.0/16', '10.4.1.0/24', 'fd00::/8']);
  });

  void it('nextIP / prevIP stop at the ends of the address space', () => {
    assert.equal(formatIP(nextIP(ip('10.0.0.255')) ?? ip('0.0.0.0')), '10.0.1.0');
    assert.equal(formatIP(nextIP(ip('10.0.0.0'), 300n) ?? ip('0.0.0.0')), '10.0.1.44');
    assert.equal(formatIP(prevIP(ip('10.0.1.0')) ?? ip('0.0.0.0')), '10.0.0.255');
    assert.equal(nextIP(ip('255.255.255.255')), undefined);
    assert.equal(prevIP(ip('0.0.0.0')), undefined);
    assert.equal(nextIP(ip('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')), undefined);
    assert.equal(formatIP(nextIP(ip('::ffff')) ?? ip('::')), '::1:0');
  });

  void it('nthAddress counts from the start, or from the end when negative', () => {
    const n = net('10.4.1.0/24');
    assert.equal(formatIP(nthAddress(n, 0n)), '10.4.1.0');
    assert.equal(formatIP(nthAddress(n, 10n)), '10.4.1.10');
    assert.equal(formatIP(nthAddress(n, -1n)), '10.4.1.255');
    assert.throws(() => nthAddress(n, 256n), /index 256 is outside 10\.4\.1\.0\/24/);
    assert.throws(() => nthAddress(n, -257n), /outside/);
  });

  void it('nextSubnet walks same-size subnets and ends at the top', () => {
    assert.equal(formatCIDR(nextSubnet(net('10.4.1.0/24')) ?? net('0.0.0.0/0')), '10.4.2.0/24');
    assert.equal(formatCIDR(nextSubnet(net('10.4.255.0/24')) ?? net('0.0.0.0/0')), '10.5.0.0/24');
    assert.equal(formatCIDR(nextSubnet(net('10.255.255.0/24')) ?? net('0.0.0.0/0')), '11.0.0.0/24');
    assert.equal(formatCIDR(nextSubnet(net('fd00:0:0:ffff::/64')) ?? net('::/0')), 'fd00:0:1::/64');
    assert.equal(nextSubnet(net('255.255.255.0/24')), undefined);
    assert.equal(nextSubnet(net('0.0.0.0/0')), undefined);
  });

  void it('iterates ranges, bounded', () => {
    const all = [...ipsInNet(net('10.0.0.0/30'))].map(formatIP);
    assert.deepEqual(all, ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.equal([...ipsInNet(net('fd00::/64'), 5)].length, 5);
    assert.equal([...ipsInNet(net('10.0.0.0/8'))].length, 65_536);
    assert.deepEqual([...ipsInRange(ip('10.0.0.5'), ip('10.0.0.4'))], []);
    assert.throws(() => [...ipsInRange(ip('10.0.0.1'), ip('::1'))], /different families/);
  });
});

const family = fc.constantFrom<IPFamily>(4, 6);
const cidrArb = family.chain((f) => {
  const bits = f === 4 ? 32 : 128;
  return fc
    .tuple(fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }), fc.integer({ min: 0, max: bits }))
    .map(([value, prefix]): Cidr => cidrOf({ family: f, value }, prefix));
});
// Small nets near each other so overlaps actually happen.
const nearbyV4 = fc
  .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 16, max: 32 }))
  .map(([low, prefix]): Cidr => cidrOf({ family: 4, value: 0x0a040000n + BigInt(low) }, prefix));

void describe('properties', () => {
  void it('contains(net, nthAddress(net, k)) for every k in range', () => {
    fc.assert(
      fc.property(cidrArb, fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (n, k) => {
        const index = k % addressCount(n);
        assert.equal(contains(n, nthAddress(n, index)), true);
        assert.equal(contains(n, nthAddress(n, -1n - index)), true);
      }),
    );
  });

  void it('addresses just outside the net are not contained', () => {
    fc.assert(
      fc.property(cidrArb, (n) => {
        const before = prevIP(networkAddress(n));
        const after = nextIP(lastAddress(n));
        if (before) assert.equal(contains(n, before), false);
        if (after) assert.equal(contains(n, after), false);
      }),
    );
  });

  void it('overlaps is symmetric and matches address-range intersection', () => {
    fc.assert(
      fc.property(fc.oneof(nearbyV4, cidrArb), fc.oneof(nearbyV4, cidrArb), (a, b) => {
        assert.equal(overlaps(a, b), overlaps(b, a));
        const ranges =
          a.family === b.family && networkAddress(a).value <= lastAddress(b).value && networkAddress(b).value <= lastAddress(a).value;
        assert.equal(overlaps(a, b), ranges);
      }),
    );
  });

  void it('formatCIDR and parseCIDR round-trip', () => {
    fc.assert(fc.property(cidrArb, (n) => assert.deepEqual(parseCIDR(formatCIDR(n)).network, n)));
  });

  void it('nextSubnet is adjacent, same size and disjoint', () => {
    fc.assert(
      fc.property(cidrArb, (n) => {
        const next = nextSubnet(n);
        if (next === undefined) return;
        assert.equal(next.prefix, n.prefix);
        assert.equal(networkAddress(next).value, lastAddress(n).value + 1n);
        assert.equal(overlaps(n, next), false);
      }),
    );
  });
});
