// The create-time writer on random input: either every file is there, complete, and reads back as the
// values given, or a NerdnetError and nothing was written (no state dir, no hosts store entry).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { fuzz, hostileString, mostly, outcomeAsync } from '../../../test/helpers/property.js';
import { DataStoreLayout } from '../store/layout.js';
import { HostsStore } from './hosts-store.js';
import { prepareContainerFiles } from './prepare.js';
import { getNameservers, getOptions } from './resolv-conf.js';

const ID = '4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
const valuesOf = (f: (v: fc.Arbitrary<string>) => fc.Arbitrary<string>) =>
  fc.record({
    mode: fc.constantFrom('cni' as const, 'host' as const, 'none' as const),
    hostname: fc.option(f(fc.domain()), { nil: undefined }),
    domainname: fc.option(f(fc.domain()), { nil: undefined }),
    servers: fc.array(f(fc.oneof(fc.ipV4(), fc.ipV6())), { maxLength: 2 }),
    search: fc.array(f(fc.domain()), { maxLength: 2 }),
    options: fc.array(f(fc.constantFrom('ndots:2', 'edns0')), { maxLength: 2 }),
    addHosts: fc.array(f(fc.tuple(fc.domain(), fc.ipV4()).map(([h, ip]) => `${h}:${ip}`)), { maxLength: 2 }),
    hostResolvConf: fc.oneof(fc.constant('nameserver 192.168.1.2\nsearch lan\n'), hostileString),
  });

describe('prepareContainerFiles (property)', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-prepare-prop-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('writes complete files that read back, or nothing and a NerdnetError', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(valuesOf(fuzz), valuesOf(mostly)), async (v) => {
        const layout = new DataStoreLayout(join(dir, String(n++)));
        const r = await outcomeAsync(() =>
          prepareContainerFiles({
            layout,
            hostsStore: new HostsStore({ layout }),
            ns: 'default',
            id: ID,
            mode: v.mode,
            hostname: v.hostname,
            domainname: v.domainname,
            dns: { servers: v.servers, search: v.search, options: v.options },
            addHosts: v.addHosts,
            hostResolvConf: v.hostResolvConf,
            hostHostname: 'node1',
            hostEtcHosts: '192.168.1.10 nas\n',
            hostGatewayIP: '192.168.1.1',
          }),
        );
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.equal(existsSync(layout.stateDir('default', ID)), false, 'no state dir');
          assert.equal(existsSync(layout.etchostsDir('default', ID)), false, 'no hosts store entry');
          return;
        }
        const out = r.value;
        const resolv = await readFile(out.resolvConfPath, 'utf8');
        if (out.dns.servers.length > 0) assert.deepEqual(getNameservers(resolv), out.dns.servers);
        if (out.dns.options.length > 0) assert.deepEqual(getOptions(resolv), out.dns.options);
        assert.ok(resolv === '' || resolv.endsWith('\n'));
        if (out.hostnamePath) assert.equal(await readFile(out.hostnamePath, 'utf8'), `${out.hostname}\n`);
        assert.equal(await readFile(out.hostsPath, 'utf8'), v.mode === 'host' ? '192.168.1.10 nas\n' : '');
      }),
      { numRuns: 100 },
    );
  });
});
