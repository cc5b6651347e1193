// Properties of `network create` input on random, nearly valid and hostile flags: planning fails only
// with NerdnetError, an accepted plan is a conflist that parses back (name, labels, subnets), and the
// writer leaves either that complete file or nothing at all.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { FakeHost, fakePluginDir, snapshotDir } from '../../../test/helpers/network-fakes.js';
import { fuzz, mostly, outcome, outcomeAsync } from '../../../test/helpers/property.js';
import { confListFromBytes } from '../cni/conf.js';
import { overlaps, parseCIDR } from '../ip/index.js';
import { createNetwork } from './create.js';
import { planNetwork, type PlanInput } from './plan.js';
import type { NetworkCreateRequest } from './types.js';

const subnet = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.constantFrom(16, 20, 24, 28)).map(([a, b, p]) => `10.${a}.${b}.0/${p}`);
// Optional flags are mostly absent, as on a real command line.
const rarely = <T>(arb: fc.Arbitrary<T[]>): fc.Arbitrary<T[]> => fc.oneof({ arbitrary: fc.constant<T[]>([]), weight: 3 }, arb);
const requestOf = (f: (valid: fc.Arbitrary<string>) => fc.Arbitrary<string>): fc.Arbitrary<NetworkCreateRequest> =>
  fc.record(
    {
      name: f(fc.stringMatching(/^[a-z][a-z0-9_.-]{1,12}$/)),
      driver: f(fc.constant('bridge')),
      options: rarely(fc.array(f(fc.constantFrom('mtu=1450', 'com.docker.network.bridge.name=br0')), { maxLength: 2 })),
      ipamDriver: f(fc.constantFrom('default', 'host-local')),
      subnets: rarely(fc.array(f(subnet), { maxLength: 2 })),
      gateways: rarely(fc.array(f(fc.ipV4()), { maxLength: 1 })),
      auxAddresses: rarely(fc.array(f(fc.ipV4().map((ip) => `host1=${ip}`)), { maxLength: 1 })),
      labels: rarely(fc.array(f(fc.constantFrom('a=b', 'com.example.x=1', 'k', 'x=<&>')), { maxLength: 3 })),
      ipv6: fc.oneof({ arbitrary: fc.constant(false), weight: 4 }, fc.constant(true)),
      internal: fc.boolean(),
    },
    { requiredKeys: ['name'] },
  );
// Hostile flags (mostly refused) and mostly valid ones (mostly planned).
const request = fc.oneof(requestOf(fuzz), requestOf(mostly));
const USED = '10.4.1.0/24';

function input(conf: string): PlanInput {
  return {
    netconfPath: conf,
    namespace: 'default',
    visible: [],
    configs: [],
    hostAddresses: [{ ifname: 'eth0', address: '10.4.1.2', prefix: 24 }],
    hostRoutes: [],
    firewallVersion: '1.4.0',
  };
}

describe('network create (property)', () => {
  it('planning fails only with NerdnetError; a plan is a conflist that parses back, inside the conf dir', () => {
    fc.assert(
      fc.property(request, (req) => {
        const r = outcome(() => planNetwork(req, input('/etc/cni/net.d')));
        if (!r.ok) return assert.ok(['ERR_INVALID_ARG', 'ERR_ALREADY_EXISTS', 'ERR_IN_USE'].includes(r.error.code), `${r.error.code}: ${r.error.message}`);
        const plan = r.value;
        assert.equal(dirname(plan.path), '/etc/cni/net.d/default');
        assert.equal(plan.path, `/etc/cni/net.d/default/nerdctl-${req.name}.conflist`);
        const list = confListFromBytes(Buffer.from(plan.bytes), plan.path);
        assert.equal(list.name, req.name);
        assert.ok(list.plugins.length >= 1);
        for (const s of plan.subnets) assert.ok(!overlaps(parseCIDR(s).network, parseCIDR(USED).network), `${s} overlaps the host's ${USED}`);
        const labels = (JSON.parse(plan.bytes) as { nerdctlLabels?: Record<string, string> }).nerdctlLabels ?? {};
        for (const l of req.labels ?? []) {
          const eq = l.indexOf('=');
          assert.ok((eq < 0 ? l : l.slice(0, eq)) in labels, `label ${l}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  describe('the writer', () => {
    let conf: string;
    let plugins: Awaited<ReturnType<typeof fakePluginDir>>;
    before(async () => {
      conf = await mkdtemp(join(tmpdir(), 'nerdnet-plan-prop-'));
      plugins = await fakePluginDir('1.4.0');
    });
    after(async () => {
      await rm(conf, { recursive: true, force: true });
      await plugins.remove();
    });

    it('leaves the complete conflist, or nothing and a NerdnetError', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(request, async (req) => {
          const env = { netconfPath: join(conf, String(n++)), namespace: 'default', pluginDirs: [plugins.dir], host: new FakeHost([{ ifname: 'eth0', address: '10.4.1.2', prefix: 24 }]) };
          const r = await outcomeAsync(() => createNetwork(env, req));
          const files = Object.keys(await snapshotDir(env.netconfPath)).filter((f) => !f.endsWith('/') && f !== '.nerdctl.lock');
          if (!r.ok) return assert.deepEqual(files, [], `${r.error.message} but wrote ${files.join(', ')}`);
          assert.deepEqual(files, [`default/nerdctl-${req.name}.conflist`]);
          assert.equal(confListFromBytes(await readFile(r.value.path), r.value.path).name, req.name);
        }),
        { numRuns: 25 },
      );
    });
  });
});
