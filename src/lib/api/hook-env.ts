// What the OCI hook's events need, built from the settings: the data store, the CNI runtime (its
// plugins' stderr teed into the hook's log), the run dir for port reservers. Light on purpose:
// the hook is a fresh process on every container start and stop.
import { CniConfig } from '../cni/api.js';
import { RawExec } from '../cni/exec.js';
import type { Logger } from '../etc/types.js';
import type { AttachmentEnv } from '../attachment/types.js';
import { openDataStore } from '../store/layout.js';
import type { Settings } from './settings.js';

type CniSettings = Pick<Settings, 'pluginDirs' | 'cniCacheDir'>;

export function cniConfigOf(s: CniSettings, stderr?: (chunk: Buffer) => void, timeoutMs?: number): CniConfig {
  return new CniConfig({
    path: s.pluginDirs,
    exec: new RawExec(stderr ? { stderr } : {}),
    ...(s.cniCacheDir ? { cacheDir: s.cniCacheDir } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
}

export async function hookEnvOf(s: Pick<Settings, 'dataRoot' | 'address' | 'confDir' | 'bridgeIP' | 'runDir'> & CniSettings, log: Logger): Promise<AttachmentEnv> {
  return {
    layout: await openDataStore(s.dataRoot, s.address),
    network: { netconfPath: s.confDir, pluginDirs: s.pluginDirs },
    cni: cniConfigOf(s, (c) => log('debug', c.toString().trimEnd())),
    bridgeIP: s.bridgeIP,
    runDir: s.runDir,
    // Published ports are held by a reserver process only when rootful (nerdctl >= 2.1.6).
    reservePorts: process.getuid?.() === 0,
    log,
  };
}
