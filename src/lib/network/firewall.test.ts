// Firewall plugin version detection: stderr parsing and semver comparison.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fakePluginDir } from '../../../test/helpers/network-fakes.js';
import { detectFirewallVersion, parseFirewallVersion, versionAtLeast } from './firewall.js';

let v171: { dir: string; remove: () => Promise<void> };
let unknown: { dir: string; remove: () => Promise<void> };
before(async () => {
  v171 = await fakePluginDir('1.7.1');
  unknown = await fakePluginDir();
});
after(async () => {
  await v171.remove();
  await unknown.remove();
});

describe('firewall version', () => {
  it('parses "CNI firewall plugin vX.Y.Z" from stderr', () => {
    assert.equal(parseFirewallVersion('CNI firewall plugin v1.7.1\nCNI protocol versions supported: 1.0.0\n'), '1.7.1');
    assert.equal(parseFirewallVersion('CNI firewall plugin v1.8.0-rc.1\n'), '1.8.0-rc.1');
    assert.equal(parseFirewallVersion('CNI firewall plugin version unknown\n'), undefined);
  });

  it('compares like semver: pre-releases sort before their release', () => {
    assert.ok(versionAtLeast('1.7.1', '1.7.1'));
    assert.ok(versionAtLeast('1.10.0', '1.7.1'));
    assert.ok(!versionAtLeast('1.7.0', '1.7.1'));
    assert.ok(!versionAtLeast('1.7.1-rc.1', '1.7.1'));
    assert.ok(versionAtLeast('2.0.0-rc.1', '1.7.1'));
  });

  it('runs the plugin with no environment', async () => {
    assert.equal(await detectFirewallVersion([v171.dir]), '1.7.1');
    assert.equal(await detectFirewallVersion([unknown.dir]), undefined);
    assert.equal(await detectFirewallVersion(['/nonexistent']), undefined);
  });
});
