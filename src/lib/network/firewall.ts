// Which firewall plugin is installed: `<cnibin>/firewall` run with no environment
// prints "CNI firewall plugin vX.Y.Z" on stderr. Debian's build says "version unknown".
import { spawn } from 'node:child_process';
import { findInPath } from '../cni/find.js';

// The version ("1.7.1"), or undefined when the plugin is missing or does not say.
export async function detectFirewallVersion(pluginDirs: readonly string[], timeoutMs = 5000): Promise<string | undefined> {
  let path: string;
  try {
    path = await findInPath('firewall', pluginDirs);
  } catch {
    return undefined;
  }
  const stderr = await new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    const child = spawn(path, [], { env: {}, stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', () => resolve(''));
    child.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  return parseFirewallVersion(stderr);
}

export function parseFirewallVersion(stderr: string): string | undefined {
  return /CNI firewall plugin v(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)/.exec(stderr)?.[1];
}

// Semver comparison as Masterminds/semver does it: a pre-release sorts before its release.
export function versionAtLeast(version: string, min: string): boolean {
  const parse = (v: string) => {
    const [core = '', pre] = v.replace(/^v/, '').split(/-(.*)/s, 2);
    return { nums: core.split('+')[0]!.split('.').map((n) => Number(n)), pre: pre ?? '' };
  };
  const a = parse(version);
  const b = parse(min);
  for (let i = 0; i < 3; i++) {
    const d = (a.nums[i] ?? 0) - (b.nums[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  if (a.pre === b.pre) return true;
  if (a.pre === '') return true;
  if (b.pre === '') return false;
  return a.pre >= b.pre;
}
