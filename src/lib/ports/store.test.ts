import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { NerdnetError } from '../errors.js';
import { parsePublish } from './parse.js';
import { publishPorts } from './publish.js';
import type { PortSources } from './sources.js';
import {
  decodeNetworkConfig,
  decodePortsLabel,
  encodeNetworkConfig,
  loadPortMappings,
  readNetworkConfig,
  readStoredClaims,
  writeNetworkConfig,
} from './store.js';
import type { PortMapping } from './types.js';

const SPEC_BYTES = '{"portMappings":[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":"0.0.0.0"}]}';
const ID_A = 'a'.repeat(64);
const ID_B = 'b'.repeat(64);
const ID_C = 'c'.repeat(64);

const emptyHost: PortSources = { readProcNet: async () => '', readNatRules: async () => '' };

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'nerdnet-ports-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

void describe('network-config.json encoding (spec 1.5)', () => {
  void it('writes the spec bytes exactly', () => {
    assert.equal(encodeNetworkConfig([{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }]), SPEC_BYTES);
  });
  void it('writes {} when empty (omitempty)', () => assert.equal(encodeNetworkConfig([]), '{}'));
  void it('round-trips byte for byte', () => {
    assert.equal(encodeNetworkConfig(decodeNetworkConfig(SPEC_BYTES)), SPEC_BYTES);
    const multi = '{"portMappings":[{"HostPort":7000,"ContainerPort":79,"Protocol":"udp","HostIP":"127.0.0.1"},{"HostPort":9090,"ContainerPort":80,"Protocol":"sctp","HostIP":"::0"}]}';
    assert.equal(encodeNetworkConfig(decodeNetworkConfig(multi)), multi);
  });
  void it('round-trips any mappings (property)', () => {
    const arb = fc.array(
      fc.record({
        hostPort: fc.integer({ min: 1, max: 65535 }),
        containerPort: fc.integer({ min: 1, max: 65535 }),
        protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
        hostIP: fc.constantFrom('0.0.0.0', '127.0.0.1', '::', '::1', '::ffff:10.0.0.1'),
      }).map((m) => ({ ...m })),
    );
    fc.assert(fc.property(arb, (ms: PortMapping[]) => assert.deepEqual(decodeNetworkConfig(encodeNetworkConfig(ms)), ms)));
  });
  void it('reads like Go: keys case-insensitively, unknown keys and null ignored', () => {
    assert.deepEqual(decodeNetworkConfig('{"PortMappings":[{"hostPort":1,"containerPort":2,"protocol":"UDP","hostIP":"10.0.0.1","Extra":true}],"x":1}'), [
      { hostPort: 1, containerPort: 2, protocol: 'udp', hostIP: '10.0.0.1' },
    ]);
    assert.deepEqual(decodeNetworkConfig('{"portMappings":null}'), []);
    assert.deepEqual(decodeNetworkConfig('{}'), []);
  });
  void it('names a broken file and says what to do', () => {
    const bad = (text: string, re: RegExp): void =>
      assert.throws(
        () => decodeNetworkConfig(text, '/x/network-config.json'),
        (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_INVALID_CONFIG' && re.test(e.message) && /recreate the container/.test(e.message),
      );
    bad('{', /^\/x\/network-config\.json is not valid JSON/);
    bad('[]', /must hold a JSON object/);
    bad('{"portMappings":{}}', /must be a JSON array/);
    bad('{"portMappings":[{"HostPort":0,"ContainerPort":80,"Protocol":"tcp","HostIP":""}]}', /port mapping 0 .* is invalid/);
    bad('{"portMappings":[{"HostPort":80,"ContainerPort":80,"Protocol":"icmp","HostIP":""}]}', /is invalid/);
    bad('{"portMappings":[{"HostPort":80,"ContainerPort":80,"Protocol":"tcp","HostIP":"nope"}]}', /not an IP address/);
  });
  void it('decodes the legacy nerdctl/ports label', () => {
    assert.deepEqual(decodePortsLabel('[{"HostPort":8080,"ContainerPort":80,"Protocol":"tcp","HostIP":"0.0.0.0"}]'), [{ hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }]);
  });
});

void describe('network-config.json on disk', () => {
  void it('writes atomically with mode 0600 and reads back', async () => {
    const dir = join(root, 'containers', 'default', ID_A);
    await writeNetworkConfig(dir, decodeNetworkConfig(SPEC_BYTES));
    const path = join(dir, 'network-config.json');
    assert.equal(await readFile(path, 'utf8'), SPEC_BYTES);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    assert.deepEqual(await readNetworkConfig(dir), decodeNetworkConfig(SPEC_BYTES));
    // No temp files left behind.
    assert.deepEqual((await readdir(dir)).sort(), ['network-config.json']);
    await writeNetworkConfig(dir, []);
    assert.equal(await readFile(path, 'utf8'), '{}');
  });
  void it('returns undefined for a container without the file', async () => {
    assert.equal(await readNetworkConfig(join(root, 'nothing-here')), undefined);
  });
  void it('loadPortMappings falls back to the legacy label and says so', async () => {
    const dir = join(root, 'legacy');
    const label = '[{"HostPort":1,"ContainerPort":2,"Protocol":"tcp","HostIP":"0.0.0.0"}]';
    assert.deepEqual(await loadPortMappings(dir, label), { mappings: [{ hostPort: 1, containerPort: 2, protocol: 'tcp', hostIP: '0.0.0.0' }], legacy: true });
    await writeNetworkConfig(dir, []);
    assert.equal((await loadPortMappings(dir, label)).legacy, true);
    assert.deepEqual(await loadPortMappings(dir), { mappings: [], legacy: false });
    await writeNetworkConfig(dir, [{ hostPort: 9, containerPort: 9, protocol: 'udp', hostIP: '0.0.0.0' }]);
    assert.deepEqual(await loadPortMappings(dir, label), { mappings: [{ hostPort: 9, containerPort: 9, protocol: 'udp', hostIP: '0.0.0.0' }], legacy: false });
  });
});

void describe('readStoredClaims and publishPorts', () => {
  let containers: string;
  before(async () => {
    containers = join(root, 'ds', 'containers');
    await writeNetworkConfig(join(containers, 'default', ID_A), [{ hostPort: 49153, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }]);
    await writeNetworkConfig(join(containers, 'other-ns', ID_B), [{ hostPort: 49154, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }]);
    // A broken file and a stray entry are skipped.
    await mkdir(join(containers, 'default', ID_C), { recursive: true });
    await writeFile(join(containers, 'default', ID_C, 'network-config.json'), '{');
    await writeFile(join(containers, '.tmp-junk'), '');
  });

  void it('reads every namespace, skipping excluded, ignored and broken entries', async () => {
    const all = await readStoredClaims(containers);
    assert.deepEqual(
      all.map((c) => [c.owner, c.mappings.map((m) => m.hostPort), c.soft]),
      [
        [`container ${ID_A.slice(0, 12)} (namespace default)`, [49153], false],
        [`container ${ID_B.slice(0, 12)} (namespace other-ns)`, [49154], false],
      ],
    );
    const some = await readStoredClaims(containers, { exclude: new Set([ID_A]), classify: (ns) => (ns === 'other-ns' ? 'soft' : 'held') });
    assert.deepEqual(some.map((c) => c.soft), [true]);
    assert.deepEqual(await readStoredClaims(containers, { classify: () => 'ignore' }), []);
    assert.deepEqual(await readStoredClaims(join(root, 'missing')), []);
  });

  void it('gives back-to-back containers different automatic ports (before any DNAT rule exists)', async () => {
    const lockPath = join(root, 'ds', 'ports.lock');
    const create = (id: string, spec: string) =>
      publishPorts([parsePublish(spec)], { stateDir: join(containers, 'default', id), containersRoot: containers, containerID: id, lockPath, sources: emptyHost });
    const ids = ['d', 'e', 'f'].map((c) => c.repeat(64));
    const results = await Promise.all(ids.map((id) => create(id, '80')));
    const got = results.map((r) => r.mappings[0]?.hostPort).sort();
    // 49153 and 49154 are claimed by A and B; the three concurrent creates get three distinct ports.
    assert.deepEqual(got, [49155, 49156, 49157]);
    for (const id of ids) assert.deepEqual((await readNetworkConfig(join(containers, 'default', id)))?.length, 1);
  });

  void it('refuses an explicit port another container holds, naming it', async () => {
    await assert.rejects(
      publishPorts([parsePublish('49153:80')], { stateDir: join(containers, 'default', '1'.repeat(64)), containersRoot: containers, lockPath: join(root, 'ds', 'ports.lock'), sources: emptyHost }),
      (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_IN_USE' && e.message.includes(`held by container ${ID_A.slice(0, 12)} (namespace default)`),
    );
    // Nothing was written for the failed container.
    assert.equal(await readNetworkConfig(join(containers, 'default', '1'.repeat(64))), undefined);
  });

  void it('writes {} for a container without -p', async () => {
    const dir = join(containers, 'default', '2'.repeat(64));
    assert.deepEqual(await publishPorts([], { stateDir: dir, lockPath: join(root, 'ds', 'ports.lock') }), { mappings: [], warnings: [] });
    assert.equal(await readFile(join(dir, 'network-config.json'), 'utf8'), '{}');
  });
});
