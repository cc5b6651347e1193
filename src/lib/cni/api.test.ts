// libcni's api_test scenarios against fixture plugins: chaining, prevResult, reverse DEL,
// capability filtering, cache, CHECK/STATUS/GC rules and every error path.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FakePlugins } from '../../../test/helpers/fake-plugins.js';
import { CniError, NerdnetError } from '../errors.js';
import { CniConfig } from './api.js';
import { confListFromBytes, type NetworkConfigList } from './conf.js';
import { resultToJSON } from './result.js';
import { RawExec } from './exec.js';

const IP_RESULT = JSON.stringify({
  cniVersion: '1.0.0',
  interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', sandbox: '/proc/1/ns/net' }],
  ips: [{ interface: 0, address: '10.1.2.3/24', gateway: '10.1.2.1' }],
  routes: [{ dst: '0.0.0.0/0', gw: '10.1.2.1' }],
});

let fake: FakePlugins;
let cni: CniConfig;
let testNo = 0;
const rt = {
  containerID: 'some-container-id',
  netns: '/some/netns/path',
  ifName: 'eth0',
  args: [['K8S_POD_NAME', 'x'], ['IgnoreUnknown', '1']] as Array<[string, string]>,
  capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], otherCapability: 'x', notAdded: true },
};

async function makeList(version = '1.0.0', extra: Record<string, unknown> = {}): Promise<NetworkConfigList> {
  const d1 = await fake.debugFile('p1', { reportResult: IP_RESULT });
  const d2 = await fake.debugFile('p2', { reportResult: 'PASSTHROUGH' });
  const d3 = await fake.debugFile('p3', { reportResult: 'INJECT-DNS' });
  return confListFromBytes(
    Buffer.from(
      JSON.stringify({
        cniVersion: version,
        name: 'some-list',
        ...extra,
        plugins: [
          { type: 'noop', debugFile: d1, capabilities: { portMappings: true, otherCapability: true, noCapability: false }, runtimeConfig: { static: 1 } },
          { type: 'noop2', debugFile: d2, capabilities: { otherCapability: true } },
          { type: 'noop3', debugFile: d3, runtimeConfig: { static: 2 } },
        ],
      }),
    ),
  );
}

before(async () => {
  fake = await FakePlugins.create(['noop', 'noop2', 'noop3', 'sleeper']);
});
after(async () => fake.cleanup());
beforeEach(async () => {
  await fake.clearCalls();
  cni = new CniConfig({ path: [join(fake.dir, 'missing'), fake.binDir], cacheDir: join(fake.dir, `cache-${testNo++}`), exec: new RawExec({ busyRetryDelayMs: 10 }) });
});

describe('AddNetworkList', () => {
  it('runs the chain in order with exact env, prevResult and filtered runtimeConfig', async () => {
    const list = await makeList();
    const result = await cni.addNetworkList(list, rt);
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => c.plugin), ['noop', 'noop2', 'noop3']);
    const [c1, c2, c3] = calls;
    assert.deepEqual(c1?.env, {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'some-container-id',
      CNI_NETNS: '/some/netns/path',
      CNI_IFNAME: 'eth0',
      CNI_ARGS: 'K8S_POD_NAME=x;IgnoreUnknown=1',
      CNI_PATH: `${join(fake.dir, 'missing')}:${fake.binDir}`,
    });
    // Only declared-and-supplied capabilities; a non-empty runtimeConfig replaces the static one.
    assert.deepEqual(c1?.stdin.runtimeConfig, { portMappings: rt.capabilityArgs.portMappings, otherCapability: 'x' });
    assert.equal(c1?.stdin.prevResult, undefined);
    assert.equal(c1?.stdin.name, 'some-list');
    assert.equal(c1?.stdin.cniVersion, '1.0.0');
    assert.deepEqual(c2?.stdin.runtimeConfig, { otherCapability: 'x' });
    assert.equal((c2?.stdin.prevResult as { ips: unknown[] }).ips.length, 1);
    // No capabilities in common: the file's static runtimeConfig passes through.
    assert.deepEqual(c3?.stdin.runtimeConfig, { static: 2 });
    assert.deepEqual(result.dns, { nameservers: ['1.2.3.4'] });
  });

  it('writes a cniCacheV1 entry with the list bytes, mode 0600', async () => {
    const list = await makeList();
    await cni.addNetworkList(list, rt);
    const file = join(cni.cache.resultsDir, 'some-list-some-container-id-eth0');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const entry = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(entry), ['kind', 'containerId', 'config', 'ifName', 'networkName', 'netns', 'cniArgs', 'capabilityArgs', 'result']);
    assert.equal(entry.kind, 'cniCacheV1');
    assert.ok(Buffer.from(entry.config as string, 'base64').equals(list.bytes));
    assert.deepEqual(entry.capabilityArgs, rt.capabilityArgs);
    assert.deepEqual((entry.result as { dns: unknown }).dns, { nameservers: ['1.2.3.4'] });
  });

  it('a chain failing after its first plugin caches the result so far: the DEL gets it as prevResult', async () => {
    const d1 = await fake.debugFile('p1', { reportResult: IP_RESULT });
    const d2 = await fake.debugFile('p2', { reportError: 'chained plugin broke', reportErrorCode: 11 });
    const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name: 'some-list', plugins: [{ type: 'noop', debugFile: d1 }, { type: 'noop2', debugFile: d2 }] })));
    await assert.rejects(cni.addNetworkList(list, rt), /chained plugin broke/);
    assert.equal((await cni.getNetworkListCachedResult(list, rt))?.cniVersion, '1.0.0');
    await fake.clearCalls();
    await fake.debugFile('p2', { reportResult: 'PASSTHROUGH' });
    await cni.delNetworkList(list, rt);
    const del = await fake.calls();
    assert.deepEqual(del.map((c) => c.plugin), ['noop2', 'noop']);
    assert.equal((del[1]?.stdin.prevResult as { ips: unknown[] }).ips.length, 1, 'DEL got the first plugin\'s result as prevResult');
    assert.equal(await cni.getNetworkListCachedResult(list, rt), undefined);
  });

  it('reports a missing plugin before validating IDs', async () => {
    const list = confListFromBytes(Buffer.from('{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"absent"}]}'));
    await assert.rejects(cni.addNetworkList(list, { ...rt, containerID: 'bad%%id' }), (e: NerdnetError) => {
      assert.match(e.message, /^plugin type="absent" failed \(add\): failed to find plugin "absent" in path/);
      assert.equal(e.code, 'ERR_PLUGIN_NOT_FOUND');
      return true;
    });
  });

  const invalid: Array<[string, Partial<typeof rt>, number, string, string]> = [
    ['container ID', { containerID: 'some-%%container-id' }, 4, 'invalid characters in containerID', 'some-%%container-id'],
    ['empty ifname', { ifName: '' }, 4, 'interface name is empty', ''],
    ['long ifname', { ifName: '1234567890123456' }, 4, 'interface name is too long', 'interface name should be less than 16 characters'],
    ['. ifname', { ifName: '.' }, 4, 'interface name is . or ..', ''],
    ['.. ifname', { ifName: '..' }, 4, 'interface name is . or ..', ''],
    ['slash ifname', { ifName: 'test/test' }, 4, 'interface name contains / or : or whitespace characters', ''],
    ['colon ifname', { ifName: 'test:test' }, 4, 'interface name contains / or : or whitespace characters', ''],
    ['space ifname', { ifName: 'test test' }, 4, 'interface name contains / or : or whitespace characters', ''],
  ];
  for (const [what, patch, code, msg, details] of invalid) {
    it(`rejects an invalid ${what} with libcni's error`, async () => {
      const list = await makeList();
      await assert.rejects(cni.addNetworkList(list, { ...rt, ...patch }), (e: CniError) => {
        assert.ok(e instanceof CniError);
        assert.equal(e.cniCode, code);
        assert.equal(e.msg, msg);
        assert.equal(e.details, details);
        assert.ok(e.message.startsWith('plugin type="noop" failed (add): '));
        return true;
      });
      assert.deepEqual(await fake.calls(), []);
    });
  }

  it('rejects an invalid network name', async () => {
    const list = confListFromBytes(Buffer.from(`{"cniVersion":"1.0.0","name":"invalid-%%-name","plugins":[{"type":"noop"}]}`));
    await assert.rejects(cni.addNetworkList(list, rt), (e: CniError) => e.cniCode === 7 && e.details === 'invalid-%%-name');
  });

  it('stops at a failing plugin, names it, and caches only what the plugins before it returned', async () => {
    const list = await makeList();
    const bad = await fake.debugFile('bad', { reportError: 'plugin error: banana', reportErrorCode: 11 });
    (list.plugins[1] as { raw: Record<string, unknown> }).raw.debugFile = bad;
    await assert.rejects(cni.addNetworkList(list, rt), (e: CniError) => {
      assert.equal(e.cniCode, 11);
      assert.equal(e.plugin, 'noop2');
      assert.equal(e.message, 'plugin type="noop2" failed (add): plugin error: banana');
      return true;
    });
    assert.deepEqual((await fake.calls()).map((c) => c.plugin), ['noop', 'noop2']);
    // libcni writes no cache here; the first plugin's result (no DNS yet) is what a DEL needs.
    const got = await cni.getNetworkListCachedResult(list, rt);
    assert.ok(got, 'a cache entry');
    const cached = resultToJSON(got) as { ips?: unknown[]; dns?: unknown };
    assert.equal(cached.ips?.length, 1);
    assert.equal(cached.dns, undefined);
    // A first plugin that fails leaves no cache: nothing ran before it.
    (list.plugins[0] as { raw: Record<string, unknown> }).raw.debugFile = bad;
    const other = { ...rt, containerID: 'other-container' };
    await assert.rejects(cni.addNetworkList(list, other), /banana/);
    await assert.rejects(stat(join(cni.cache.resultsDir, 'some-list-other-container-eth0')));
  });

  it('fails when the cache dir cannot be written', async () => {
    const list = await makeList();
    await writeFile(join(fake.dir, 'not-a-dir'), '');
    const c = new CniConfig({ path: [fake.binDir], cacheDir: join(fake.dir, 'not-a-dir') });
    await assert.rejects(c.addNetworkList(list, rt), /failed to set network "some-list" cached result/);
  });
});

describe('DelNetworkList', () => {
  it('runs plugins in reverse with the cached result as prevResult, then removes the cache', async () => {
    const list = await makeList();
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.delNetworkList(list, rt);
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => c.plugin), ['noop3', 'noop2', 'noop']);
    for (const c of calls) {
      assert.equal(c.env.CNI_COMMAND, 'DEL');
      assert.deepEqual((c.stdin.prevResult as { dns: unknown }).dns, { nameservers: ['1.2.3.4'] });
    }
    assert.deepEqual(calls[2]?.stdin.runtimeConfig, { portMappings: rt.capabilityArgs.portMappings, otherCapability: 'x' });
    await assert.rejects(stat(join(cni.cache.resultsDir, 'some-list-some-container-id-eth0')));
    // A second DEL works and sends no prevResult.
    await fake.clearCalls();
    await cni.delNetworkList(list, rt);
    assert.ok((await fake.calls()).every((c) => c.stdin.prevResult === undefined));
  });

  it('reuses the cached capability args and CNI_ARGS when the caller gives none (portmap leaks otherwise)', async () => {
    const list = await makeList();
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.delNetworkList(list, { containerID: rt.containerID, netns: rt.netns, ifName: rt.ifName });
    const first = (await fake.calls()).find((c) => c.plugin === 'noop');
    assert.deepEqual(first?.stdin.runtimeConfig, { portMappings: rt.capabilityArgs.portMappings, otherCapability: 'x' });
    assert.equal(first?.env.CNI_ARGS, 'K8S_POD_NAME=x;IgnoreUnknown=1');
  });

  it('sends no prevResult below 0.4.0', async () => {
    const list = await makeList('0.3.1');
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.delNetworkList(list, rt);
    assert.ok((await fake.calls()).every((c) => c.stdin.prevResult === undefined));
  });

  it('tolerates a corrupt (empty) cache file: DEL runs without prevResult (cni#1055)', async () => {
    const list = await makeList();
    await mkdir(join(cni.cache.resultsDir), { recursive: true });
    await writeFile(join(cni.cache.resultsDir, 'some-list-some-container-id-eth0'), '');
    await cni.delNetworkList(list, rt);
    const calls = await fake.calls();
    assert.equal(calls.length, 3);
    assert.ok(calls.every((c) => c.stdin.prevResult === undefined));
  });

  it('keeps the cache when a plugin fails, so a retry gets prevResult', async () => {
    const list = await makeList();
    await cni.addNetworkList(list, rt);
    const bad = await fake.debugFile('bad', { reportError: 'cannot delete' });
    (list.plugins[0] as { raw: Record<string, unknown> }).raw.debugFile = bad;
    await assert.rejects(cni.delNetworkList(list, rt), /plugin type="noop" failed \(delete\): cannot delete/);
    await stat(join(cni.cache.resultsDir, 'some-list-some-container-id-eth0'));
  });
});

describe('CheckNetworkList', () => {
  it('passes the cached result to every plugin in order', async () => {
    const list = await makeList();
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.checkNetworkList(list, rt);
    const calls = await fake.calls();
    assert.deepEqual(calls.map((c) => [c.plugin, c.env.CNI_COMMAND]), [['noop', 'CHECK'], ['noop2', 'CHECK'], ['noop3', 'CHECK']]);
    assert.ok(calls.every((c) => c.stdin.prevResult !== undefined));
  });

  it('runs nothing with disableCheck', async () => {
    const list = await makeList('1.0.0', { disableCheck: true });
    await cni.checkNetworkList(list, rt);
    assert.deepEqual(await fake.calls(), []);
  });

  it('refuses CHECK below 0.4.0', async () => {
    const list = await makeList('0.3.1');
    await assert.rejects(cni.checkNetworkList(list, rt), (e: NerdnetError) => e.code === 'ERR_CHECK_NOT_SUPPORTED' && /configuration version "0.3.1" does not support the CHECK command/.test(e.message));
  });

  it('reports an invalid cache', async () => {
    const list = await makeList();
    await mkdir(join(cni.cache.resultsDir), { recursive: true });
    await writeFile(join(cni.cache.resultsDir, 'some-list-some-container-id-eth0'), '{garbage');
    await assert.rejects(cni.checkNetworkList(list, rt), /failed to get network "some-list" cached result/);
  });
});

describe('GCNetworkList and STATUS', () => {
  it('issues DEL for stale attachments and GC with the valid ones (libcni vector)', async () => {
    const list = await makeList('1.1.0');
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.gcNetworkList(list, { validAttachments: [{ containerID: rt.containerID, ifName: 'eth0' }] });
    let calls = await fake.calls();
    assert.deepEqual(calls.map((c) => c.env.CNI_COMMAND), ['GC', 'GC', 'GC']);
    assert.deepEqual(calls[0]?.stdin['cni.dev/valid-attachments'], [{ containerID: rt.containerID, ifname: 'eth0' }]);
    assert.deepEqual(calls[0]?.stdin['cni.dev/attachments'], [{ containerID: rt.containerID, ifname: 'eth0' }]);
    assert.equal(calls[0]?.env.CNI_CONTAINERID, '');

    await fake.clearCalls();
    await cni.gcNetworkList(list, { validAttachments: [] });
    calls = await fake.calls();
    assert.deepEqual(calls.map((c) => c.env.CNI_COMMAND), ['DEL', 'DEL', 'DEL', 'GC', 'GC', 'GC']);
    assert.deepEqual(calls[3]?.stdin['cni.dev/valid-attachments'], []);
    assert.deepEqual(await cni.cache.attachments(), []);
  });

  it('does nothing with disableGC', async () => {
    const list = await makeList('1.1.0', { disableGC: true });
    await cni.addNetworkList(list, rt);
    await fake.clearCalls();
    await cni.gcNetworkList(list, undefined);
    assert.deepEqual(await fake.calls(), []);
  });

  it('STATUS returns the first error unwrapped and stops', async () => {
    const list = await makeList('1.1.0');
    const bad = await fake.debugFile('status-bad', { reportError: 'not ready', reportErrorCode: 50 });
    (list.plugins[1] as { raw: Record<string, unknown> }).raw.debugFile = bad;
    await assert.rejects(cni.getStatusNetworkList(list), (e: CniError) => e.cniCode === 50 && e.message === 'not ready');
    assert.deepEqual((await fake.calls()).map((c) => c.plugin), ['noop', 'noop2']);
  });

  it('STATUS below 1.1.0 succeeds without running plugins', async () => {
    await cni.getStatusNetworkList(await makeList('1.0.0'));
    assert.deepEqual(await fake.calls(), []);
  });
});

describe('versions', () => {
  it('narrows cniVersions to what every plugin supports (Debian plugins stop at 1.0.0)', async () => {
    const d = await fake.debugFile('old', { reportResult: IP_RESULT });
    await fake.setVersions('noop', ['0.4.0', '1.0.0']);
    const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersions: ['0.4.0', '1.0.0', '1.1.0'], name: 'nego', plugins: [{ type: 'noop', debugFile: d }] })));
    assert.equal(list.cniVersion, '1.1.0');
    await cni.addNetworkList(list, rt);
    const add = (await fake.calls()).find((c) => c.env.CNI_COMMAND === 'ADD');
    assert.equal(add?.stdin.cniVersion, '1.0.0');
    await fake.setVersions('noop', ['0.4.0', '1.0.0', '1.1.0']);
  });

  it('validateNetworkList reports unsupported versions and returns capabilities', async () => {
    const list = await makeList('1.0.0');
    assert.deepEqual((await cni.validateNetworkList(list)).sort(), ['otherCapability', 'portMappings']);
    const broken = await makeList('broken');
    await assert.rejects(cni.validateNetworkList(broken), /\[plugin noop does not support config version "broken" plugin noop2/);
  });
});

describe('misbehaving plugins', () => {
  it('kills a hanging plugin after the timeout', async () => {
    const d = await fake.debugFile('sleep', { sleepMs: 30_000 });
    const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name: 'slow', plugins: [{ type: 'sleeper', debugFile: d }] })));
    const c = new CniConfig({ path: [fake.binDir], cacheDir: fake.cacheDir, timeoutMs: 1500 });
    await assert.rejects(c.addNetworkList(list, rt), (e: CniError) => {
      assert.match(e.message, /netplugin failed with no error message: signal: killed \(timed out after 1500 ms\)/);
      assert.equal(e.plugin, 'sleeper');
      return true;
    });
  });

  it('reports garbage output on success as a result parse error', async () => {
    const d = await fake.debugFile('garbage', { rawStdout: 'not json at all' });
    const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name: 'g', plugins: [{ type: 'noop', debugFile: d }] })));
    await assert.rejects(cni.addNetworkList(list, rt), /failed to unmarshal raw result/);
  });
});
