// /etc/hosts builder: nerdctl's updater and parser cases as goldens, plus properties.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { makeMeta } from '../../../test/fixtures/etc/make-meta.js';
import { assembleHostsFile, buildHostsBlock, HostsBlockRenderer, indexAddresses, namesFor, parseHostsOutsideBlock, renderHostsFile } from './hosts-file.js';
import type { HostsMeta } from './hosts-meta.js';

const golden = (name: string): string => readFileSync(new URL(`../../../test/fixtures/etc/hosts/${name}`, import.meta.url), 'utf8');

function render(self: HostsMeta, all: HostsMeta[], current = ''): string {
  return renderHostsFile(current, self, indexAddresses(all));
}

describe('namesFor (updater_test.go TestCreateLine)', () => {
  const cases: Array<{ net: string; hostname?: string; name?: string; domain?: string; mine: string; want: string[] }> = [
    { net: 'n1', hostname: 'bar', name: 'foo', mine: 'n1', want: ['bar', 'bar.n1', 'foo', 'foo.n1'] },
    { net: 'n1', hostname: 'bar', mine: 'n1', want: ['bar', 'bar.n1'] },
    { net: 'bridge', hostname: 'bar', mine: 'n1', want: [] },
    { net: 'n1', name: 'foo', hostname: 'h', mine: 'bridge', want: [] },
    { net: 'n1', name: 'foo', hostname: 'h', mine: 'n2', want: [] },
    { net: 'n1', hostname: 'bar', name: 'foo', domain: 'example.com', mine: 'n1', want: ['bar.example.com', 'bar', 'bar.n1', 'foo', 'foo.n1'] },
    { net: 'bridge', hostname: 'bar', domain: 'example.com', mine: 'bridge', want: ['bar.example.com', 'bar'] },
    { net: 'bridge', hostname: 'bar', name: 'foo', mine: 'bridge', want: ['bar', 'foo'] },
    { net: 'bridge', hostname: 'bar.example.com', domain: 'example.com', mine: 'bridge', want: ['bar.example.com.example.com', 'bar.example.com'] },
    // Deviation: CNI + --uts=host has an empty hostname; nerdctl would emit "" and ".n1".
    { net: 'n1', hostname: '', name: 'foo', domain: 'example.com', mine: 'n1', want: ['foo', 'foo.n1'] },
  ];
  for (const c of cases) {
    it(`${c.hostname ?? ''}/${c.name ?? ''}/${c.domain ?? ''} on ${c.net} seen from ${c.mine}`, () => {
      const meta = makeMeta('984d63ce45ae', { hostname: c.hostname ?? '', name: c.name ?? '', domainname: c.domain ?? '', nets: { [c.net]: ['10.4.2.2/24'] } });
      assert.deepEqual(namesFor(meta, c.net, new Set([c.mine])), c.want);
    });
  }
});

describe('parseHostsOutsideBlock (hosts_test.go)', () => {
  it('a file that is only the block keeps nothing; a variant end line inside still ends the block', () => {
    assert.deepEqual(parseHostsOutsideBlock('# <nerdctl>\n10.4.0.2        a\n# </nerdctl>\n'), []);
    assert.deepEqual(parseHostsOutsideBlock('# <nerdctl>\n#  </nerdctl>\n10.0.0.1 kept\n# </nerdctl>\n'), ['10.0.0.1 kept']);
  });

  it('keeps lines outside the block', () => {
    const content = '\n10.4.1.6        outOfMarkedRegion\n# <nerdctl>\n127.0.0.1       localhost localhost.localdomain\n::1             localhost localhost.localdomain\n10.4.1.5        35af3f0922a9 35af3f0922a9.etcd-0 alpine-35af3 alpine-35af3.etcd-0\n# </nerdctl>\n';
    assert.deepEqual(parseHostsOutsideBlock(content), ['10.4.1.6        outOfMarkedRegion']);
  });
  it('recognizes indented markers', () => {
    const content = '\n\t\t# <nerdctl>\n\t\t127.0.0.1       localhost\n\t\t10.4.1.5        35af3f0922a9\n\t\t# </nerdctl>\n\t\t';
    assert.deepEqual(parseHostsOutsideBlock(content), []);
  });
});

describe('golden hosts files', () => {
  it('the spec example: c0 and its peer c1 on n0', () => {
    const c0 = makeMeta('c0id', { name: 'c0', hostname: 'c0-foobar', nets: { n0: ['10.4.1.2/24'] } });
    const c1 = makeMeta('c1id', { name: 'c1', hostname: 'c1-foobar', nets: { n0: ['10.4.1.3/24'] } });
    assert.equal(render(c0, [c1, c0]), golden('spec-example.c0.hosts'));
  });

  it('multi-network containers: one line per IP with that network suffix; only shared networks', () => {
    const all = [
      makeMeta('c1', { name: 'web', hostname: 'web-h', nets: { n2: ['10.4.2.2/24', 'fd00:2::2/64'], n1: ['10.4.1.2/24'] } }),
      makeMeta('c2', { name: 'db', hostname: 'db-h', nets: { n1: ['10.4.1.3/24'] } }),
      makeMeta('c3', { name: 'cache', hostname: 'cache-h', nets: { n2: ['10.4.2.3/24'] } }),
      makeMeta('c4', { name: 'other', hostname: 'other-h', nets: { bridge: ['10.4.0.5/24'] } }),
    ];
    const [c1, c2, , c4] = all as [HostsMeta, HostsMeta, HostsMeta, HostsMeta];
    assert.equal(render(c1, all), golden('multi-network.c1.hosts'));
    assert.equal(render(c2, all), golden('multi-network.c2.hosts'));
    assert.equal(render(c4, all), golden('multi-network.c4.hosts'));
  });

  it('extra hosts come first, sorted by name, IPv6 unpadded past 15 columns; domain name first', () => {
    const x = makeMeta('x', {
      name: 'x',
      hostname: 'x-h',
      domainname: 'example.com',
      nets: { bridge: ['10.4.0.7/24'] },
      extra: { v6: 'fd00::5', gw: '192.168.5.2', db: '10.0.0.5', 'long-v6': '2001:db8:1234:5678:9abc:def0:1234:5678' },
    });
    assert.equal(render(x, [x]), golden('extra-hosts.hosts'));
  });

  it('host mode keeps the host lines (normalized) and appends the block', () => {
    const h = makeMeta('h', { name: 'h', hostname: 'node1', extra: { db: '10.0.0.5' } });
    assert.equal(render(h, [h], golden('host-mode.input')), golden('host-mode.hosts'));
  });

  it('skips loopback and unspecified addresses, and replaces an old block wherever it was', () => {
    const a = makeMeta('a', { name: 'a', hostname: 'a', nets: { n: ['127.0.0.5/8', '0.0.0.0/0', '::1/128', '10.1.0.2/24'] } });
    const old = '1.2.3.4 before\n# <nerdctl>\n10.9.9.9 stale\n# </nerdctl>\n5.6.7.8 after\n';
    assert.equal(render(a, [a], old), `1.2.3.4 before\n5.6.7.8 after\n${buildHostsBlock(a, indexAddresses([a]))}`);
    assert.ok(!render(a, [a]).includes('127.0.0.5'));
  });
});

// Arbitrary containers on arbitrary subsets of four networks, each address unique.
const NETS = ['bridge', 'n1', 'n2', 'n3'];
const worldArb = fc
  .uniqueArray(fc.record({ id: fc.stringMatching(/^[0-9a-f]{4,8}$/), nets: fc.subarray(NETS) }), { selector: (c) => c.id, maxLength: 12 })
  .map((cs) =>
    cs.map((c, i) => makeMeta(c.id, { name: `c${i}`, hostname: `h${i}`, nets: c.nets.length === 0 ? undefined : Object.fromEntries(c.nets.map((n, k) => [n, [`10.${k}.${i}.2/16`]])) })),
  );

describe('a repeated address', () => {
  const lines = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('10.'));
  it('on one network: the record whose ID sorts last owns it (a stale record after a crash)', () => {
    const stale = makeMeta('a1', { hostname: 'old', nets: { n1: ['10.4.1.5/24'] } });
    const live = makeMeta('b2', { hostname: 'new', nets: { n1: ['10.4.1.5/24'] } });
    const self = makeMeta('c3', { hostname: 'me', nets: { n1: ['10.4.1.6/24'] } });
    assert.deepEqual(lines(render(self, [live, stale, self])), ['10.4.1.6        me me.n1', '10.4.1.5        new new.n1']);
  });

  it('on two networks (overlapping subnets): each network sees its own owner (nerdctl hides one)', () => {
    const onN1 = makeMeta('a1', { hostname: 'web', nets: { n1: ['10.9.0.5/16'] } });
    const onN2 = makeMeta('b2', { hostname: 'db', nets: { n2: ['10.9.0.5/16'] } });
    const both = makeMeta('c3', { hostname: 'app', nets: { n1: ['10.9.0.6/16'], n2: ['10.9.0.6/16'] } });
    assert.deepEqual(lines(render(onN1, [onN1, onN2, both])), ['10.9.0.5        web web.n1', '10.9.0.6        app app.n1']);
    assert.deepEqual(lines(render(onN2, [onN1, onN2, both])), ['10.9.0.5        db db.n2', '10.9.0.6        app app.n2']);
    assert.deepEqual(lines(render(both, [onN1, onN2, both])), ['10.9.0.6        app app.n1', '10.9.0.6        app app.n2', '10.9.0.5        web web.n1', '10.9.0.5        db db.n2']);
  });
});

describe('properties', () => {
  it("every container's block lists exactly the addresses of containers sharing a network with it", () => {
    fc.assert(
      fc.property(worldArb, (metas) => {
        const index = indexAddresses(metas);
        for (const self of metas) {
          const mine = new Set(Object.keys(self.Networks ?? {}));
          const want = new Set<string>();
          for (const other of metas) {
            for (const [net, res] of Object.entries(other.Networks ?? {})) {
              if (mine.has(net)) for (const ip of (res as { ips: Array<{ address: string }> }).ips) want.add(ip.address.split('/')[0] ?? '');
            }
          }
          const listed = buildHostsBlock(self, index)
            .split('\n')
            .filter((l) => l !== '' && !l.startsWith('#') && !l.includes('localhost'))
            .map((l) => l.split(' ')[0]);
          assert.deepEqual(new Set(listed), want);
          assert.equal(listed.length, want.size);
        }
      }),
    );
  });

  const hostLine = fc
    .tuple(fc.ipV4(), fc.array(fc.stringMatching(/^[a-z][a-z0-9.-]{0,10}$/), { minLength: 1, maxLength: 3 }))
    .filter(([ip]) => ip !== '127.0.0.1')
    .map(([ip, names]) => `${ip} ${names.join(' ')}`);

  it('parse(build(x)) keeps the lines outside the block', () => {
    fc.assert(
      fc.property(fc.array(hostLine, { maxLength: 8 }), worldArb, (lines, metas) => {
        const self = metas[0] ?? makeMeta('solo');
        const built = assembleHostsFile(lines, buildHostsBlock(self, indexAddresses(metas)));
        assert.deepEqual(parseHostsOutsideBlock(built), lines);
      }),
    );
  });

  it('HostsBlockRenderer (the store\'s fan-out) gives the same bytes as buildHostsBlock and renderHostsFile', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostLine, fc.constant('# <nerdctl>'), fc.constant('# </nerdctl>')), { maxLength: 6 }), worldArb, (raw, metas) => {
        const index = indexAddresses(metas);
        const renderer = new HostsBlockRenderer(index);
        for (const self of metas) {
          assert.equal(renderer.block(self), buildHostsBlock(self, index));
          assert.equal(renderer.file(raw.join('\n'), self), renderHostsFile(raw.join('\n'), self, index));
        }
      }),
    );
  });

  it('regenerating is idempotent for any current content', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hostLine, fc.string({ maxLength: 30 }), fc.constant('# <nerdctl>'), fc.constant('# </nerdctl>')), { maxLength: 10 }), worldArb, (raw, metas) => {
        const self = metas[0] ?? makeMeta('solo');
        const index = indexAddresses(metas);
        const once = renderHostsFile(raw.join('\n'), self, index);
        assert.equal(renderHostsFile(once, self, index), once);
      }),
    );
  });
});
