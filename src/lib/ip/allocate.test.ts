import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NerdnetError } from '../errors.js';
import { findFreeSubnet } from './allocate.js';
import { cidrOf, formatCIDR, nextSubnet, overlaps, parseCIDR } from './cidr.js';
import type { Cidr } from './cidr.js';

const nets = (...s: string[]): Cidr[] => s.map((x) => parseCIDR(x).network);
const find = (used: Cidr[], extra: { start?: string; withinPrivate?: boolean; limit?: number } = {}): string =>
  formatCIDR(findFreeSubnet({ used, ...extra }));

function assertError(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(NerdnetError.is(err));
    assert.equal(err.code, code);
    assert.match(err.message, pattern);
    return true;
  });
}

// Go's walk, one subnet at a time: the reference the sweep must agree with.
function naive(start: Cidr, used: Cidr[], end: bigint): Cidr | undefined {
  for (let c: Cidr | undefined = start; c !== undefined && c.value <= end; c = nextSubnet(c)) {
    const candidate = c;
    if (!used.some((u) => overlaps(u, candidate))) return candidate;
  }
  return undefined;
}

void describe('findFreeSubnet', () => {
  void it('returns the start (10.4.1.0/24 by default) when it is free', () => {
    assert.equal(find([]), '10.4.1.0/24');
    assert.equal(find(nets('127.0.0.0/8', '10.4.0.0/24', '192.168.1.0/24', 'fd00::/8')), '10.4.1.0/24');
  });

  void it('skips used subnets', () => {
    assert.equal(find(nets('10.4.1.0/24', '10.4.2.0/24')), '10.4.3.0/24');
    assert.equal(find(nets('10.4.2.0/24', '10.4.1.0/24', '10.4.4.0/24')), '10.4.3.0/24');
  });

  void it('skips subnets overlapping larger or smaller used nets', () => {
    assert.equal(find(nets('10.4.0.0/16')), '10.5.0.0/24');
    assert.equal(find(nets('10.4.1.128/25')), '10.4.2.0/24');
    assert.equal(find(nets('10.4.1.77/32', '10.4.0.0/22')), '10.4.4.0/24');
    assert.equal(find(nets('10.0.0.0/9')), '10.128.0.0/24');
  });

  void it('ignores used subnets of the other family', () => {
    assert.equal(find(nets('::/0')), '10.4.1.0/24');
  });

  void it('walks other sizes and IPv6', () => {
    assert.equal(find(nets('172.16.0.0/16'), { start: '172.16.0.0/16' }), '172.17.0.0/16');
    assert.equal(find(nets('fd00:0:0:1::/64'), { start: 'fd00:0:0:1::/64' }), 'fd00:0:0:2::/64');
  });

  void it('errors at the end of 10.0.0.0/8 instead of walking into public space', () => {
    assertError(() => find(nets('10.0.0.0/8')), 'ERR_IN_USE', /^no free subnet: every \/24 from 10\.4\.1\.0\/24 to the end of 10\.0\.0\.0\/8/);
    assertError(
      () => find(nets('10.255.250.0/23', '10.255.252.0/22'), { start: '10.255.250.0/24' }),
      'ERR_IN_USE',
      /no free subnet/,
    );
    assert.equal(find(nets('10.255.250.0/23', '10.255.252.0/23'), { start: '10.255.250.0/24' }), '10.255.254.0/24');
  });

  void it('with withinPrivate: false continues past 10.255.255.0/24 like nerdctl', () => {
    assert.equal(find(nets('10.0.0.0/8'), { withinPrivate: false }), '11.0.0.0/24');
    assertError(
      () => find(nets('255.255.0.0/16'), { start: '255.255.0.0/24', withinPrivate: false }),
      'ERR_IN_USE',
      /to the end of the IPv4 address space/,
    );
  });

  void it('stops after `limit` candidates', () => {
    const used = nets('10.4.1.0/24', '10.4.2.0/24', '10.4.3.0/24');
    assert.equal(find(used, { limit: 4 }), '10.4.4.0/24');
    assertError(() => find(used, { limit: 3 }), 'ERR_IN_USE', /no free subnet within 3 \/24 subnets from 10\.4\.1\.0\/24/);
  });

  void it('rejects a bad start', () => {
    assertError(() => find([], { start: '10.4.1.5/24' }), 'ERR_INVALID_ARG', /has host bits set; did you mean "10\.4\.1\.0\/24"\?/);
    assertError(() => find([], { start: '8.8.8.0/24' }), 'ERR_INVALID_ARG', /8\.8\.8\.0\/24 is not inside a private block/);
    assertError(() => find([], { start: '10.0.0.0/7' }), 'ERR_INVALID_ARG', /not inside a private block/);
    assertError(() => find([], { start: 'banana' }), 'ERR_INVALID_ARG', /invalid CIDR "banana"/);
    assert.equal(find([], { start: '8.8.8.0/24', withinPrivate: false }), '8.8.8.0/24');
  });

  void it('agrees with the one-step-at-a-time walk', () => {
    const block = parseCIDR('10.4.0.0/22').network;
    const usedArb = fc.array(
      fc.tuple(fc.integer({ min: 0, max: 0x3ff }), fc.integer({ min: 21, max: 32 })).map(([low, prefix]) => cidrOf({ family: 4, value: block.value + BigInt(low) }, prefix)),
      { maxLength: 8 },
    );
    fc.assert(
      fc.property(usedArb, fc.integer({ min: 24, max: 28 }), (used, prefix) => {
        const start = cidrOf({ family: 4, value: block.value }, prefix);
        const want = naive(start, used, block.value + 0x3ffn);
        let got: Cidr | undefined;
        try {
          got = findFreeSubnet({ start, used });
        } catch {
          got = undefined;
        }
        // Past the /22 the fast path may still find space in 10/8; only compare inside it.
        if (want === undefined) assert.ok(got === undefined || got.value > block.value + 0x3ffn);
        else assert.deepEqual(got, want);
        if (got) assert.ok(!used.some((u) => overlaps(u, got)));
      }),
    );
  });
});
