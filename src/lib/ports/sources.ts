// Where used ports are read from on a real host, behind an interface so tests feed fixed text.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import type { IPFamily } from '../ip/index.js';
import type { ProcNetFile } from './procnet.js';

export interface PortSources {
  // Text of /proc/net/<file>; "" when the file does not exist (IPv6 disabled).
  readProcNet(file: ProcNetFile): Promise<string>;
  // `iptables -t nat -S` (family 4) or `ip6tables -t nat -S` (6); throws ERR_HOST when it cannot run.
  readNatRules(family: IPFamily): Promise<string>;
}

// sbin is often missing from a hook's PATH; look there first.
function binary(name: string): string {
  return ['/usr/sbin', '/sbin', '/usr/bin', '/bin'].map((d) => `${d}/${name}`).find((p) => existsSync(p)) ?? name;
}

function run(file: string, args: readonly string[]): Promise<string> {
  const cmd = `${file} ${args.join(' ')}`;
  return new Promise((resolve, reject) => {
    execFile(file, args, { encoding: 'utf8', timeout: 15_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const why = typeof err.code === 'number' ? `exit ${err.code}: ${stderr.trim()}` : err.message;
      reject(new NerdnetError('ERR_HOST', `"${cmd}" failed (${why})`, { cause: err }));
    });
  });
}

/** The real host: /proc/net of the caller's network namespace and the nat table via iptables/ip6tables. */
export const hostPortSources: PortSources = {
  async readProcNet(file) {
    try {
      return await readFile(`/proc/net/${file}`, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new NerdnetError('ERR_HOST', `cannot read /proc/net/${file}: ${(err as Error).message}`, { cause: err });
    }
  },
  readNatRules(family) {
    // -w: wait for the xtables lock instead of failing while a CNI plugin holds it.
    return run(binary(family === 4 ? 'iptables' : 'ip6tables'), ['-w', '5', '-t', 'nat', '-S']);
  },
};
