// Debian's docker-registry (the CNCF distribution registry 2.8) started by a test on 127.0.0.1:
// its own port, storage dir and config file, optional htpasswd auth; stopped by PID.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const SKOPEO_BIN = '/usr/bin/skopeo';
export const HTPASSWD_BIN = '/usr/bin/htpasswd';

export function registrySkipReason(needs: string[] = [REGISTRY_BIN, SKOPEO_BIN]): string | undefined {
  const missing = needs.filter((b) => !existsSync(b));
  return missing.length > 0 ? `needs ${missing.join(', ')} (Debian packages docker-registry, skopeo, apache2-utils; scripts/setup installs them)` : undefined;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface TestRegistry {
  // 127.0.0.1:<port>: the registry part of image references.
  host: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

// `users`: name → password, written with htpasswd -B (bcrypt, which the registry requires).
export async function startRegistry(dir: string, opts: { users?: Record<string, string> } = {}): Promise<TestRegistry> {
  const port = await freePort();
  await mkdir(join(dir, 'storage'), { recursive: true });
  let auth = '';
  if (opts.users) {
    const file = join(dir, 'htpasswd');
    for (const [i, [user, pass]] of Object.entries(opts.users).entries()) {
      execFileSync(HTPASSWD_BIN, [...(i === 0 ? ['-c'] : []), '-B', '-b', file, user, pass], { stdio: 'ignore' });
    }
    auth = `auth:\n  htpasswd:\n    realm: nerdnet-test\n    path: ${file}\n`;
  }
  // Listens on loopback only; no debug server, no health checks.
  const config = `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'storage')}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`;
  const configFile = join(dir, 'config.yml');
  await writeFile(configFile, config);
  const proc = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise<void>((r) => proc.once('exit', () => r()));
    if (proc.pid !== undefined) process.kill(proc.pid, 'SIGTERM');
    await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
    if (proc.exitCode === null && proc.signalCode === null && proc.pid !== undefined) process.kill(proc.pid, 'SIGKILL');
  };
  const host = `127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      await fetch(`http://${host}/v2/`).then((r) => r.body?.cancel());
      break;
    } catch {
      if (i > 100 || proc.exitCode !== null) {
        await stop();
        throw new Error(`docker-registry did not start on ${host}: ${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { host, proc, stop };
}

// Copy a docker-archive into the registry with skopeo (plain HTTP to loopback).
export function skopeoCopy(from: string, to: string, extra: string[] = []): void {
  execFileSync(SKOPEO_BIN, ['--insecure-policy', 'copy', '-q', '--dest-tls-verify=false', ...extra, from, to], { stdio: ['ignore', 'ignore', 'pipe'] });
}
