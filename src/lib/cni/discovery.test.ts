// Where plugins and configs come from: flag > env > containerd config.toml > defaults.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONF_DIR, discoverCniDirs, parseContainerdCniSection } from './discovery.js';

describe('parseContainerdCniSection', () => {
  it('reads bin_dir and conf_dir of config version 2 (not swapped as the seed prose has them)', () => {
    const toml = `version = 2
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "x"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"   # plugins
    conf_dir = "/etc/cni/net.d"
[plugins."io.containerd.grpc.v1.cri".containerd]
  bin_dir = "/not/this"
`;
    assert.deepEqual(parseContainerdCniSection(toml), { binDirs: ['/usr/lib/cni'], confDir: '/etc/cni/net.d' });
  });

  it('reads version 1 and version 3 layouts', () => {
    assert.deepEqual(parseContainerdCniSection('[plugins.cri.cni]\nbin_dir = "/a"\n'), { binDirs: ['/a'] });
    assert.deepEqual(parseContainerdCniSection(`[plugins.'io.containerd.cri.v1.runtime'.cni]\n`.replace(/'/g, '"') + 'bin_dirs = ["/x", "/y"]\nconf_dir = "/c"\n'), { binDirs: ['/x', '/y'], confDir: '/c' });
  });

  it('ignores other sections', () => {
    assert.deepEqual(parseContainerdCniSection('[other.cni]\nbin_dir = "/a"\n'), {});
  });
});

describe('discoverCniDirs', () => {
  it('prefers flag, then env, then containerd, then the first existing default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-disc-'));
    try {
      const toml = join(dir, 'config.toml');
      await writeFile(toml, '[plugins."io.containerd.grpc.v1.cri".cni]\nbin_dir = "/from/containerd"\nconf_dir = "/conf/containerd"\n');
      const base = { containerdConfig: toml, env: {} as NodeJS.ProcessEnv };
      assert.deepEqual(discoverCniDirs({ ...base, cniPath: '/f1:/f2', netconfPath: '/fc' }), { pluginDirs: ['/f1', '/f2'], confDir: '/fc', pluginDirsFrom: 'flag', confDirFrom: 'flag' });
      assert.deepEqual(discoverCniDirs({ ...base, env: { CNI_PATH: '/e', NETCONFPATH: '/ec' } }), { pluginDirs: ['/e'], confDir: '/ec', pluginDirsFrom: 'env', confDirFrom: 'env' });
      assert.deepEqual(discoverCniDirs(base), { pluginDirs: ['/from/containerd'], confDir: '/conf/containerd', pluginDirsFrom: 'containerd', confDirFrom: 'containerd' });
      const defaults = discoverCniDirs({ containerdConfig: join(dir, 'absent.toml'), env: {}, exists: (p) => p === '/usr/lib/cni' });
      assert.deepEqual(defaults, { pluginDirs: ['/usr/lib/cni'], confDir: DEFAULT_CONF_DIR, pluginDirsFrom: 'default', confDirFrom: 'default' });
      assert.deepEqual(discoverCniDirs({ containerdConfig: join(dir, 'absent.toml'), env: {}, exists: () => false }).pluginDirs, ['/opt/cni/bin']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
