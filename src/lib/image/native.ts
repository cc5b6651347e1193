// libc calls Node lacks, through koffi (host/libc.ts, also used for flock): mknod for device nodes and
// overlay whiteouts, lsetxattr/lgetxattr for opaque directories and file capabilities.
import { NerdnetError } from '../errors.js';
import { libc as loadLibc } from '../host/libc.js';

type MknodFn = (path: string, mode: number, dev: bigint) => number;
type SetXattrFn = (path: string, name: string, value: Buffer, size: number, flags: number) => number;
type GetXattrFn = (path: string, name: string, value: Buffer, size: number) => number;

let fns: { mknod: MknodFn; lsetxattr: SetXattrFn; lgetxattr: GetXattrFn } | undefined;

function libc() {
  if (!fns) {
    const { lib } = loadLibc();
    fns = {
      mknod: lib.func('int mknod(const char *path, uint32_t mode, uint64_t dev)') as MknodFn,
      lsetxattr: lib.func('int lsetxattr(const char *path, const char *name, const void *value, size_t size, int flags)') as SetXattrFn,
      lgetxattr: lib.func('intptr_t lgetxattr(const char *path, const char *name, _Out_ uint8_t *value, size_t size)') as GetXattrFn,
    };
  }
  return fns;
}

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
const ENODATA = 61;

// glibc's makedev(): 12+20 bits of major, 8+24 bits of minor.
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major);
  const mi = BigInt(minor);
  return ((ma & 0xfffff000n) << 32n) | ((ma & 0xfffn) << 8n) | ((mi & 0xffffff00n) << 12n) | (mi & 0xffn);
}

function fail(what: string, path: string): never {
  const errno = loadLibc().errno();
  const hint = errno === 1 ? ' (needs root: CAP_MKNOD / CAP_SYS_ADMIN)' : '';
  throw new NerdnetError('ERR_HOST', `${what} ${path} failed with errno ${errno}${hint}`);
}

export function mknod(path: string, mode: number, dev: bigint = 0n): void {
  if (libc().mknod(path, mode, dev) !== 0) fail('mknod', path);
}

// overlayfs's whiteout: a character device 0:0 hides the same name in lower layers.
export function mkWhiteout(path: string): void {
  mknod(path, S_IFCHR, 0n);
}

export function lsetxattr(path: string, name: string, value: Buffer): void {
  if (libc().lsetxattr(path, name, value, value.length, 0) !== 0) fail(`setxattr ${name} on`, path);
}

// The attribute's value, or undefined when it is not set.
export function lgetxattr(path: string, name: string): Buffer | undefined {
  const buf = Buffer.alloc(4096);
  const n = libc().lgetxattr(path, name, buf, buf.length);
  if (n < 0) {
    if (loadLibc().errno() === ENODATA) return undefined;
    fail(`getxattr ${name} on`, path);
  }
  return buf.subarray(0, n);
}

// overlayfs's opaque directory: lower layers' entries of this directory are hidden.
export const OPAQUE_XATTR = 'trusted.overlay.opaque';
