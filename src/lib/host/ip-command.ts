// Running iproute2's `ip` (design.md §2 host/): JSON output is stable and, unlike
// os.networkInterfaces(), lists bridges that are down or have no carrier.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { NerdnetError } from '../errors.js';

// sbin is often missing from a non-login PATH; look there first.
const CANDIDATES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];
let ipPath: string | undefined;

export function ipBinary(): string {
  ipPath ??= CANDIDATES.find((p) => existsSync(p)) ?? 'ip';
  return ipPath;
}

export interface IpRunResult {
  stdout: string;
  stderr: string;
  code: number;
}

// Run `ip <args>`; never throws for a non-zero exit (callers decide what a failure means).
export function runIp(args: readonly string[], timeoutMs = 10_000): Promise<IpRunResult> {
  return new Promise((resolve, reject) => {
    execFile(ipBinary(), args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(new NerdnetError('ERR_HOST', `cannot run "ip ${args.join(' ')}": ${err.message}; install iproute2`, { cause: err }));
        return;
      }
      resolve({ stdout, stderr, code: err ? Number(err.code) : 0 });
    });
  });
}

// `ip -json <args>` parsed; a failure is an ERR_HOST naming the command and its stderr.
export async function ipJson(args: readonly string[]): Promise<unknown> {
  const full = ['-json', ...args];
  let r = await runIp(full);
  // A dump that races with link/address changes fails with "Dump was interrupted"; ask again.
  for (let i = 0; i < 3 && r.code !== 0 && /interrupted/i.test(r.stderr); i++) r = await runIp(full);
  if (r.code !== 0) throw new NerdnetError('ERR_HOST', `"ip ${full.join(' ')}" failed (exit ${r.code}): ${r.stderr.trim()}`);
  const text = r.stdout.trim();
  if (text === '') return [];
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new NerdnetError('ERR_HOST', `"ip ${full.join(' ')}" printed invalid JSON: ${(e as Error).message}`, { cause: e });
  }
}
