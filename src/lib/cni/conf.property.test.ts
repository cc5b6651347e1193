// Properties of network config parsing on random bytes, random JSON and nearly valid conflists: only
// NerdnetError, and an accepted list has a name, typed plugins and boolean capabilities, and keeps its
// bytes. Loading a conf dir of such files fails only with NerdnetError too.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { fuzz, hostileString, outcome, outcomeAsync } from '../../../test/helpers/property.js';
import { confFromBytes, confListFromBytes, confListFromConf, injectConf } from './conf.js';
import { loadConfDir, loadConfList } from './conf-files.js';
import { validatePluginType } from './find.js';

const RUNS = 500;
const version = fc.oneof(fc.constantFrom('0.3.1', '0.4.0', '1.0.0', '1.1.0', '', '2.0.0'), fuzz(fc.constant('1.0.0')), fc.jsonValue());
const plugin = fc.record(
  {
    type: fc.oneof(fc.constantFrom('bridge', 'portmap', 'firewall', 'host-local'), fuzz(fc.constant('bridge')), fc.jsonValue()),
    capabilities: fc.oneof(fc.dictionary(fc.constantFrom('portMappings', 'ips', 'mac', '__proto__', 'constructor'), fc.oneof(fc.boolean(), fc.jsonValue())), fc.jsonValue()),
    ipam: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const list = fc.record(
  {
    cniVersion: version,
    cniVersions: fc.oneof(fc.array(version, { maxLength: 3 }), fc.jsonValue()),
    name: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), fc.jsonValue()),
    disableCheck: fc.oneof(fc.boolean(), fc.constantFrom('true', 'FALSE', 'yes'), fc.jsonValue()),
    disableGC: fc.oneof(fc.boolean(), fc.jsonValue()),
    loadOnlyInlinedPlugins: fc.oneof(fc.boolean(), fc.jsonValue()),
    plugins: fc.oneof({ arbitrary: fc.array(fc.oneof({ arbitrary: plugin, weight: 4 }, fc.jsonValue()), { maxLength: 3 }), weight: 4 }, fc.jsonValue()),
  },
  { requiredKeys: [] },
);
// JSON text, edited JSON text, or any bytes at all.
const bytes = fc.oneof(
  { arbitrary: list.map((o) => Buffer.from(JSON.stringify(o))), weight: 4 },
  { arbitrary: fuzz(list.map((o) => JSON.stringify(o))).map((s) => Buffer.from(s)), weight: 2 },
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
);

describe('conflist parsing (property)', () => {
  it('fails only with NerdnetError; an accepted list is well-formed and keeps its bytes', () => {
    fc.assert(
      fc.property(bytes, (b) => {
        const r = outcome(() => confListFromBytes(b, 'x.conflist'));
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_CONFIG');
          assert.ok(r.error.message.startsWith('x.conflist: '), r.error.message);
          return;
        }
        const l = r.value;
        assert.equal(typeof l.name, 'string');
        assert.ok(Buffer.from(l.bytes).equals(b));
        for (const p of l.plugins) {
          assert.ok(typeof p.type === 'string' && p.type !== '');
          for (const v of Object.values(p.capabilities)) assert.equal(typeof v, 'boolean');
        }
        for (const p of l.plugins) outcome(() => injectConf(p, { name: l.name, cniVersion: l.cniVersion }));
      }),
      { numRuns: RUNS },
    );
  });

  it('a legacy single-plugin conf fails only with NerdnetError and up-converts to a list', () => {
    fc.assert(
      fc.property(fc.oneof(plugin.map((p) => Buffer.from(JSON.stringify({ name: 'n', cniVersion: '0.4.0', ...p }))), bytes), (b) => {
        const r = outcome(() => confFromBytes(b, 'x.conf'));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_CONFIG');
        const l = outcome(() => confListFromConf(r.value, 'x.conf'));
        if (l.ok) assert.equal(l.value.plugins.length, 1);
      }),
      { numRuns: RUNS },
    );
  });

  it('a plugin type fails only with NerdnetError; an accepted one names a file inside the plugin dir', () => {
    fc.assert(
      fc.property(fuzz(fc.constantFrom('bridge', 'host-local', 'portmap')), (type) => {
        const r = outcome(() => validatePluginType(type));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_CONFIG');
        assert.equal(dirname(join('/opt/cni/bin', type)), '/opt/cni/bin', type);
      }),
      { numRuns: RUNS },
    );
  });

  describe('a conf dir of random files', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'nerdnet-conf-prop-'));
    });
    after(() => rm(dir, { recursive: true, force: true }));

    it('loads or fails only with NerdnetError', async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom('.conflist', '.conf', '.json', '.txt'), bytes), { minLength: 1, maxLength: 3 }), hostileString, async (files, name) => {
          const d = join(dir, String(n++));
          await mkdir(d);
          for (const [i, [ext, b]] of files.entries()) await writeFile(join(d, `${i}${ext}`), b);
          await outcomeAsync(() => loadConfDir(d));
          await outcomeAsync(() => loadConfList(d, name));
        }),
        { numRuns: 50 },
      );
    });
  });
});
