// Mount and unmount overlayfs with util-linux, and read /proc/self/mountinfo to know what is mounted.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { NerdnetError } from '../errors.js';

const run = promisify(execFile);
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// mountinfo escapes space, tab, newline and backslash as \ooo octal.
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
  superOptions: string;
}

export async function readMountInfo(file = '/proc/self/mountinfo'): Promise<MountEntry[]> {
  const text = await readFile(file, 'utf8');
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    const tail = right?.split(' ') ?? [];
    if (fields.length < 5 || tail.length < 3) continue;
    out.push({ mountPoint: unescape(fields[4] as string), fsType: tail[0] as string, source: unescape(tail[1] as string), superOptions: tail[2] as string });
  }
  return out;
}

// Mounts at `path` or below it, deepest first (the order to unmount them in).
export async function mountsUnder(path: string): Promise<MountEntry[]> {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const all = await readMountInfo();
  return all.filter((m) => m.mountPoint === path || m.mountPoint.startsWith(prefix)).reverse();
}

export async function isMountPoint(path: string): Promise<boolean> {
  return (await readMountInfo()).some((m) => m.mountPoint === path);
}

async function tool(cmd: string, args: string[], cwd: string | undefined, what: string): Promise<void> {
  try {
    await run(cmd, args, { cwd, env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${SYSTEM_PATH}`, LC_ALL: 'C' } });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new NerdnetError('ERR_HOST', `${what}: ${cmd} not found; install util-linux (mount)`, { cause: err });
    const detail = (e.stderr ?? '').trim() || e.message;
    const code = /busy/i.test(detail) ? 'ERR_IN_USE' : 'ERR_HOST';
    throw new NerdnetError(code, `${what}: ${detail}`, { cause: err });
  }
}

// `lower` is top layer first and may be relative to `cwd` (keeps the option under one page).
export async function mountOverlay(opts: { lower: string[]; upper: string; work: string; target: string; cwd: string }): Promise<void> {
  const options = `lowerdir=${opts.lower.join(':')},upperdir=${opts.upper},workdir=${opts.work}`;
  // The kernel takes one page of options; say so rather than let mount fail obscurely.
  if (options.length > 4000) throw new NerdnetError('ERR_INVALID_ARG', `cannot mount ${opts.target}: the image has ${opts.lower.length} layers, more than one overlay mount can take`);
  await tool('mount', ['-t', 'overlay', 'overlay', '-o', options, opts.target], opts.cwd, `mounting the overlay rootfs at ${opts.target}`);
}

export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  await tool('umount', opts.lazy ? ['-l', target] : [target], undefined, `unmounting ${target}`);
}
