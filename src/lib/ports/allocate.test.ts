import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NerdnetError } from '../errors.js';
import { allocatePorts } from './allocate.js';
import type { AllocateOptions } from './allocate.js';
import { scopeOfHostIP, scopesOverlap } from './hostip.js';
import { parsePublish } from './parse.js';
import { PortUsage } from './used.js';
import type { PortUse } from './used.js';
import type { PortMapping, Protocol, PublishRequest } from './types.js';

interface Held {
  port: number;
  ip?: string;
  protocol?: Protocol;
  soft?: boolean;
}

// A fixed snapshot: tcp on every address unless said otherwise.
function usage(held: ReadonlyArray<Held | number>): PortUsage {
  const uses: PortUse[] = held.map((h) => {
    const x = typeof h === 'number' ? { port: h } : h;
    return { protocol: x.protocol ?? 'tcp', scope: scopeOfHostIP(x.ip ?? ''), port: x.port, user: { by: `test holder of ${x.port}`, soft: x.soft } };
  });
  return new PortUsage(uses);
}

function plan(specs: string[], held: ReadonlyArray<Held | number> = [], opts: AllocateOptions = {}): string[] {
  return allocatePorts(specs.map(parsePublish), usage(held), opts).map((m) => `${m.hostIP}:${m.hostPort}->${m.containerPort}/${m.protocol}`);
}

function assertFails(fn: () => unknown, code: string, ...patterns: RegExp[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(NerdnetError.is(err));
    assert.equal(err.code, code, err.message);
    for (const p of patterns) assert.match(err.message, p);
    return true;
  });
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

void describe('automatic host ports (spec 3.4 step 5)', () => {
  void it('starts at 49153', () => assert.deepEqual(plan(['80']), ['0.0.0.0:49153->80/tcp']));
  void it('skips a used port', () => assert.deepEqual(plan(['80'], [49153]), ['0.0.0.0:49154->80/tcp']));
  void it('gives a range one free block', () => {
    assert.deepEqual(plan(['80-82']), ['0.0.0.0:49153->80/tcp', '0.0.0.0:49154->81/tcp', '0.0.0.0:49155->82/tcp']);
  });
  void it('advances in blocks aligned to the count, not by one', () => {
    // 49154 is used: the next candidate block is 49156-49158, not 49155-49157.
    assert.deepEqual(plan(['80-82'], [49154]), ['0.0.0.0:49156->80/tcp', '0.0.0.0:49157->81/tcp', '0.0.0.0:49158->82/tcp']);
    assert.deepEqual(plan(['80-81'], [49153]), ['0.0.0.0:49155->80/tcp', '0.0.0.0:49156->81/tcp']);
  });
  void it('gives two requests of one container different ports (nerdctl#2537)', () => {
    assert.deepEqual(plan(['80', '81', '82-83']), ['0.0.0.0:49153->80/tcp', '0.0.0.0:49154->81/tcp', '0.0.0.0:49155->82/tcp', '0.0.0.0:49156->83/tcp']);
  });
  void it('only counts the same protocol', () => {
    assert.deepEqual(plan(['80/tcp'], [{ port: 49153, protocol: 'udp' }]), ['0.0.0.0:49153->80/tcp']);
    assert.deepEqual(plan(['80/udp', '80/tcp']), ['0.0.0.0:49153->80/udp', '0.0.0.0:49153->80/tcp']);
  });
  void it('matches wildcard and specific addresses', () => {
    // A socket on 127.0.0.1 blocks 0.0.0.0 and 127.0.0.1, not 127.0.0.2.
    assert.deepEqual(plan(['80'], [{ port: 49153, ip: '127.0.0.1' }]), ['0.0.0.0:49154->80/tcp']);
    assert.deepEqual(plan(['127.0.0.1::80'], [{ port: 49153, ip: '127.0.0.1' }]), ['127.0.0.1:49154->80/tcp']);
    assert.deepEqual(plan(['127.0.0.2::80'], [{ port: 49153, ip: '127.0.0.1' }]), ['127.0.0.2:49153->80/tcp']);
    // A 0.0.0.0 holder blocks every IPv4 address.
    assert.deepEqual(plan(['127.0.0.2::80'], [{ port: 49153, ip: '0.0.0.0' }]), ['127.0.0.2:49154->80/tcp']);
  });
  void it('avoids soft claims too', () => assert.deepEqual(plan(['80'], [{ port: 49153, soft: true }]), ['0.0.0.0:49154->80/tcp']));
  void it('is refused in rootless mode with nerdctl\'s hint', () => {
    assertFails(() => plan(['80'], [], { rootless: true }), 'ERR_INVALID_ARG', /^automatic port allocation is not implemented for rootless mode \(Hint: specify the port like "12345:80", not just "80"\)$/);
    assert.deepEqual(plan(['8080:80'], [], { rootless: true }), ['0.0.0.0:8080->80/tcp']);
  });
  void it('reports exhaustion', () => {
    assertFails(() => plan(['80'], range(49153, 60999)), 'ERR_IN_USE', /^there is not enough 1 free ports: /, /49153-60999 on 0.0.0.0/, /give the host ports explicitly/);
    // Every third port used: no aligned block of 3 is free.
    const everyThird = range(49153, 60999).filter((p) => (p - 49153) % 3 === 1);
    assertFails(() => plan(['80-82'], everyThird), 'ERR_IN_USE', /^there is not enough 3 free ports/);
  });
  void it('refuses more ports than the range holds', () => {
    assertFails(() => plan(['1-11848']), 'ERR_INVALID_ARG', /^can not allocate 11848 ports: /, /49153-60999/);
    const all = plan(['1-11847']);
    assert.equal(all.length, 11847);
    assert.equal(all[0], '0.0.0.0:49153->1/tcp');
    assert.equal(all.at(-1), '0.0.0.0:60999->11847/tcp');
  });
  void it('keeps blocks inside 49153-60999 (deviation: nerdctl runs past 60999)', () => {
    // Only 60995-60999 free: blocks of 5 start at 49153+5k, so 60998-61002 would be next; it is refused.
    assertFails(() => plan(['1-5'], range(49153, 60994)), 'ERR_IN_USE', /not enough 5 free ports/);
    // nerdctl never tries 60999 alone (loop `start < 60999`); here it is the last candidate.
    assert.deepEqual(plan(['80'], range(49153, 60998)), ['0.0.0.0:60999->80/tcp']);
  });
});

void describe('explicit host ports (spec 3.4 step 6)', () => {
  void it('maps every port of a range', () => {
    assert.deepEqual(plan(['127.0.0.1:7000-7002:79-81']), ['127.0.0.1:7000->79/tcp', '127.0.0.1:7001->80/tcp', '127.0.0.1:7002->81/tcp']);
  });
  void it('refuses a used port with nerdctl\'s message and what to do', () => {
    assertFails(
      () => plan(['5000:80'], [5000]),
      'ERR_IN_USE',
      /^bind for 0\.0\.0\.0:5000 failed: port is already allocated \(held by test holder of 5000\); /,
      /choose another host port, leave it out to get a free one \(-p 80\)/,
    );
    assertFails(() => plan(['4999-5001:80-82'], [5001]), 'ERR_IN_USE', /^bind for 0\.0\.0\.0:5001 failed/);
    assertFails(() => plan(['[::1]:5000:80'], [{ port: 5000, ip: '::1' }]), 'ERR_IN_USE', /^bind for \[::1\]:5000 failed/);
  });
  void it('allows a port held on another address or protocol', () => {
    assert.deepEqual(plan(['127.0.0.2:5000:80'], [{ port: 5000, ip: '127.0.0.1' }]), ['127.0.0.2:5000->80/tcp']);
    assert.deepEqual(plan(['5000:80/udp'], [5000]), ['0.0.0.0:5000->80/udp']);
    assert.deepEqual(plan(['[::1]:5000:80'], [{ port: 5000, ip: '0.0.0.0' }]), ['::1:5000->80/tcp']);
  });
  void it('lets a stopped container\'s (soft) claim be taken explicitly', () => {
    assert.deepEqual(plan(['5000:80'], [{ port: 5000, soft: true }]), ['0.0.0.0:5000->80/tcp']);
  });
  void it('checks the requests of one container against each other', () => {
    assertFails(
      () => plan(['8080:80', '8080:81']),
      'ERR_IN_USE',
      /^bind for 0\.0\.0\.0:8080 failed: port is already allocated by another -p of this container \("0\.0\.0\.0:8080:80\/tcp" and "0\.0\.0\.0:8080:81\/tcp"\)/,
      /give each -p its own host port/,
    );
    assertFails(() => plan(['0.0.0.0:8080:80', '127.0.0.1:8080:81']), 'ERR_IN_USE', /another -p of this container/);
    assertFails(() => plan(['8079-8081:80-82', '8081:90']), 'ERR_IN_USE', /0\.0\.0\.0:8081 failed/);
    assert.deepEqual(plan(['8080:80', '8080:80/udp']), ['0.0.0.0:8080->80/tcp', '0.0.0.0:8080->80/udp']);
    assert.deepEqual(plan(['127.0.0.1:8080:80', '127.0.0.2:8080:80']), ['127.0.0.1:8080->80/tcp', '127.0.0.2:8080->80/tcp']);
    // Dual-stack publishing, as Docker does by default.
    assert.deepEqual(plan(['0.0.0.0:8080:80', '[::]:8080:80']), ['0.0.0.0:8080->80/tcp', ':::8080->80/tcp']);
  });
  void it('places explicit ports before automatic ones, keeping request order', () => {
    assert.deepEqual(plan(['80', '49153:81']), ['0.0.0.0:49154->80/tcp', '0.0.0.0:49153->81/tcp']);
    assert.deepEqual(plan(['80', '49153-49154:81']), ['0.0.0.0:49154->80/tcp', '0.0.0.0:49153->81/tcp']);
  });
});

void describe('host range pools (one container port, spec 3.4 step 6)', () => {
  void it('takes the first free port of the range', () => {
    assert.deepEqual(plan(['3000-3001:8080']), ['0.0.0.0:3000->8080/tcp']);
    assert.deepEqual(plan(['3000-3001:8080'], [3000]), ['0.0.0.0:3001->8080/tcp']);
    assert.deepEqual(plan(['3000-3002:8080', '3000-3002:8081']), ['0.0.0.0:3000->8080/tcp', '0.0.0.0:3001->8081/tcp']);
  });
  void it('prefers ports nothing claims, then ports only stopped containers claim', () => {
    assert.deepEqual(plan(['3000-3001:8080'], [{ port: 3000, soft: true }]), ['0.0.0.0:3001->8080/tcp']);
    assert.deepEqual(plan(['3000-3001:8080'], [{ port: 3000, soft: true }, { port: 3001, soft: true }]), ['0.0.0.0:3000->8080/tcp']);
  });
  void it('fails when the whole range is used', () => {
    assertFails(
      () => plan(['3000-3001:8080'], [3000, 3001]),
      'ERR_IN_USE',
      /^bind for 0\.0\.0\.0 failed: all ports in range 3000-3001 are already allocated \(in -p "0\.0\.0\.0:3000-3001:8080\/tcp"\); widen the range/,
    );
  });
});

void describe('request validation', () => {
  const base: PublishRequest = { hostIP: '0.0.0.0', hostPorts: { start: 3000, end: 3001 }, containerPorts: { start: 8080, end: 8082 }, protocol: 'tcp' };
  void it('refuses mismatched ranges built by a caller', () => {
    assertFails(() => allocatePorts([base], usage([])), 'ERR_INVALID_ARG', /^invalid ranges specified for container and host Ports: 8080-8082 and 3000-3001/);
  });
  void it('refuses out-of-range ports and bad protocols', () => {
    assertFails(() => allocatePorts([{ ...base, hostPorts: undefined, containerPorts: { start: 0, end: 1 } }], usage([])), 'ERR_INVALID_ARG', /containerPorts/);
    assertFails(() => allocatePorts([{ ...base, protocol: 'icmp' as Protocol }], usage([])), 'ERR_INVALID_ARG', /protocol/);
    assertFails(() => allocatePorts([{ ...base, hostIP: 'nope' }], usage([])), 'ERR_INVALID_ARG', /nope/);
  });
});

void describe('allocation properties', () => {
  const arbCase = fc.record({
    used: fc.uniqueArray(fc.integer({ min: 49153, max: 49220 }), { maxLength: 60 }),
    requests: fc.array(
      fc.oneof(
        fc.integer({ min: 1, max: 4 }).map((n) => `80-${79 + n}`),
        fc.integer({ min: 49153, max: 49220 }).map((p) => `${p}:80`),
        fc.integer({ min: 49153, max: 49210 }).map((p) => `${p}-${p + 5}:80`),
        fc.constantFrom('127.0.0.1::80', '80/udp', '[::1]::80'),
      ),
      { minLength: 1, maxLength: 6 },
    ),
  });
  void it('never returns a used port, and never one host port twice', () => {
    fc.assert(
      fc.property(arbCase, ({ used, requests }) => {
        let out: PortMapping[];
        try {
          out = allocatePorts(requests.map(parsePublish), usage(used));
        } catch (err) {
          assert.ok(NerdnetError.is(err) && err.code === 'ERR_IN_USE', String(err));
          return;
        }
        for (const m of out) if (m.protocol === 'tcp') assert.ok(!used.includes(m.hostPort), `${m.hostPort} is used`);
        for (const [i, a] of out.entries()) {
          for (const b of out.slice(i + 1)) {
            const clash = a.protocol === b.protocol && a.hostPort === b.hostPort && scopesOverlap(scopeOfHostIP(a.hostIP), scopeOfHostIP(b.hostIP));
            assert.ok(!clash, `${JSON.stringify(a)} and ${JSON.stringify(b)} share a host port`);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
