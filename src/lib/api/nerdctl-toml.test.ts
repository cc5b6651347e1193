import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadNerdctlToml, nerdctlTomlPath, parseNerdctlToml } from './nerdctl-toml.js';
import { resolveSettings } from './settings.js';

describe('nerdctl.toml', () => {
  it('reads nerdctl keys typed, in camelCase', () => {
    const text = 'debug = true\nnamespace = "k8s.io"\ncni_path = "/opt/x"\nhost_gateway_ip = "192.168.5.2"\ndns = ["10.0.0.53"]\ndns_search = ["a.test"]\ndns_opts = ["ndots:2"]\nhosts_dir = ["/etc/containerd/certs.d"]\n';
    const r = parseNerdctlToml(text, '/x.toml');
    assert.deepEqual(r.config, { debug: true, namespace: 'k8s.io', cniPath: '/opt/x', hostGatewayIP: '192.168.5.2', dns: ['10.0.0.53'], dnsSearch: ['a.test'], dnsOpts: ['ndots:2'], hostsDir: ['/etc/containerd/certs.d'] });
    assert.deepEqual(r.warnings, []);
  });

  it('warns about unknown keys with their line, and goes on', () => {
    const r = parseNerdctlToml('namespace = "a"\n\nnamespaec = "typo"\n', '/x.toml');
    assert.deepEqual(r.config, { namespace: 'a' });
    assert.deepEqual(r.warnings, ['unknown key "namespaec" in /x.toml:3, ignored']);
  });

  it('a malformed file or a wrongly typed value is an error naming the file and line', () => {
    assert.throws(() => parseNerdctlToml('namespace = "a"\ndebug = \n', '/x.toml'), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_CONFIG' && /^invalid nerdctl config \/x\.toml:2: /.test(e.message));
    assert.throws(() => parseNerdctlToml('\ndebug = "yes"\n', '/x.toml'), /invalid nerdctl config \/x\.toml:2: debug must be true or false, got "yes"/);
    assert.throws(() => parseNerdctlToml('dns = "10.0.0.1"\n', '/x.toml'), /x\.toml:1: dns must be an array of strings/);
  });

  it('a missing file is no config; NERDCTL_TOML names the file', () => {
    assert.deepEqual(loadNerdctlToml('/nonexistent/nerdctl.toml'), { path: undefined, config: {}, warnings: [] });
    assert.equal(nerdctlTomlPath({ NERDCTL_TOML: '/y.toml' }), '/y.toml');
  });

  it('precedence: option > env > toml > default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nerdnet-toml-'));
    try {
      const file = join(dir, 'nerdctl.toml');
      writeFileSync(file, `namespace = "toml"\naddress = "/toml.sock"\ndata_root = "${dir}/data"\ncni_netconfpath = "${dir}/net.d"\nbridge_ip = "10.1.100.1/24"\n`);
      const warnings: string[] = [];
      const t = resolveSettings({ nerdctlToml: file, env: {}, logger: (_l, m) => warnings.push(m) });
      assert.equal(t.namespace, 'toml');
      assert.equal(t.address, '/toml.sock');
      assert.equal(t.dataRoot, `${dir}/data`);
      assert.equal(t.confDir, `${dir}/net.d`);
      assert.equal(t.confDirFrom, 'nerdctl.toml');
      assert.equal(t.bridgeIP, '10.1.100.1/24');
      assert.equal(t.nerdctlToml, file);
      const e = resolveSettings({ env: { NERDCTL_TOML: file, CONTAINERD_NAMESPACE: 'env', NETCONFPATH: '/env/net.d' } });
      assert.equal(e.namespace, 'env');
      assert.equal(e.confDir, '/env/net.d');
      assert.equal(resolveSettings({ nerdctlToml: file, namespace: 'opt', env: { CONTAINERD_NAMESPACE: 'env' } }).namespace, 'opt');
      assert.equal(resolveSettings({ nerdctlToml: false, env: { NERDCTL_TOML: file } }).namespace, 'default');
      assert.deepEqual(warnings, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
