// `nerdnet cni` as a user runs it: real plugins in a netns the test makes, and the errors a user
// sees for bad input (exit status 1, a message naming the value, nothing left behind).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestNetns, cniChains, deleteLink, removeNewChains, rootSkipReason, rulesMentioning, tempDir, testSubnet, uniqueTag, type ChainSnapshot } from './helpers/host.js';

const ENTRY = fileURLToPath(new URL('../src/bin/nerdnet.ts', import.meta.url));

function nerdnet(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('nerdnet cni (CLI)', { skip: rootSkipReason(['bridge', 'host-local', 'portmap']) }, () => {
  const tag = uniqueTag();
  let work: string;
  let removeWork: () => Promise<void>;
  let conf: string;
  let ns: TestNetns;
  let chains: ChainSnapshot;
  const bridge = `nnc${tag}`;
  const net = `nnt-cli-${tag}`;
  // A network as `network create` writes it: in <conf dir>/default/, not in the conf dir itself.
  const nsBridge = `nnd${tag}`;
  const nsNet = `nnt-clins-${tag}`;

  before(async () => {
    chains = cniChains();
    ({ path: work, remove: removeWork } = await tempDir('cli-cni'));
    conf = join(work, 'net.d');
    await mkdir(conf);
    const { subnet } = testSubnet();
    await writeFile(
      join(conf, `10-${net}.conflist`),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: net,
        plugins: [
          { type: 'bridge', bridge, isGateway: true, ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: join(work, 'leases') } },
          { type: 'portmap', capabilities: { portMappings: true } },
        ],
      }),
    );
    await mkdir(join(conf, 'default'));
    await writeFile(
      join(conf, 'default', `nerdctl-${nsNet}.conflist`),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: nsNet,
        plugins: [{ type: 'bridge', bridge: nsBridge, isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: testSubnet().subnet }]], dataDir: join(work, 'leases') } }],
      }),
    );
    await writeFile(join(conf, '20-broken.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'needs-missing', plugins: [{ type: 'no-such-plugin' }] }));
    ns = TestNetns.create(`nnt-cli-${tag}`);
  });

  after(async () => {
    ns.remove();
    deleteLink(bridge);
    deleteLink(nsBridge);
    removeNewChains(chains);
    await removeWork();
    assert.equal(existsSync(ns.path), false);
  });

  const flags = () => ['--cni-netconfpath', conf, '--cni-path', '/usr/lib/cni'];

  it('add prints the result, check passes, del removes interface and published port', () => {
    const add = nerdnet([...flags(), 'cni', 'add', net, ns.name], { CAP_ARGS: '{"portMappings":[{"hostPort":28080,"containerPort":80,"protocol":"tcp"}]}' });
    assert.equal(add.status, 0, add.stderr);
    const result = JSON.parse(add.stdout) as { ips: Array<{ address: string }> };
    assert.deepEqual(ns.addresses('eth0'), [result.ips[0]?.address]);
    assert.match(add.stdout, /^\{\n {4}"cniVersion": "1\.0\.0"/);
    assert.equal(nerdnet([...flags(), 'cni', 'check', net, ns.path]).status, 0);
    const del = nerdnet([...flags(), 'cni', 'del', net, ns.name]);
    assert.equal(del.status, 0, del.stderr);
    assert.equal(ns.hasLink('eth0'), false);
    assert.deepEqual(rulesMentioning('cnitool-'), []);
    assert.deepEqual(readdirSync(join(work, 'leases', net)).filter((f) => /^\d/.test(f)), []);
  });

  it("finds a network in the namespace's dir, where network create puts it", () => {
    const add = nerdnet([...flags(), 'cni', 'add', nsNet, ns.name]);
    assert.equal(add.status, 0, add.stderr);
    assert.equal(ns.hasLink('eth0'), true);
    const del = nerdnet([...flags(), 'cni', 'del', nsNet, ns.name]);
    assert.equal(del.status, 0, del.stderr);
    assert.equal(ns.hasLink('eth0'), false);
  });

  const failures: Array<[string, string[], NodeJS.ProcessEnv, RegExp]> = [
    ['an unknown network', ['cni', 'add', 'nope'], {}, /no net configuration with name "nope" in .*net\.d, nor in .*net\.d\/default \(namespace default's networks\): check the name with `nerdnet network ls`/],
    ['a missing plugin', ['cni', 'add', 'needs-missing'], {}, /failed to find plugin "no-such-plugin" in path \[\/usr\/lib\/cni\]: install the CNI plugins/],
    ['bad CAP_ARGS', ['cni', 'add', net], { CAP_ARGS: '{oops' }, /CAP_ARGS is not valid JSON/],
    ['bad CNI_ARGS', ['cni', 'add', net], { CNI_ARGS: 'IP' }, /invalid CNI_ARGS pair "IP"/],
    ['a bad interface name', ['cni', 'add', net, '--ifname', 'bad/name'], {}, /interface name contains \/ or : or whitespace characters \(CNI error code 4\)/],
    ['a netns that does not exist', ['cni', 'add', net], {}, /failed to open netns|no such file/i],
  ];
  for (const [what, args, env, re] of failures) {
    it(`fails clearly on ${what}, leaving nothing`, () => {
      const netnsArg = what.startsWith('a netns') ? `/run/netns/nnt-absent-${tag}` : ns.name;
      const full = args.includes('--ifname') ? [...flags(), 'cni', 'add', net, ns.name, '--ifname', 'bad/name'] : [...flags(), ...args, netnsArg];
      const res = nerdnet(full, env);
      assert.equal(res.status, 1, res.stdout);
      assert.match(res.stderr, /^nerdnet: /);
      assert.match(res.stderr, re);
      assert.equal(res.stdout, '');
      assert.equal(ns.hasLink('eth0'), false);
      const leases = join(work, 'leases');
      assert.deepEqual((existsSync(leases) ? readdirSync(leases) : []).flatMap((d) => readdirSync(join(leases, d)).filter((f) => /^\d/.test(f))), []);
    });
  }
});
