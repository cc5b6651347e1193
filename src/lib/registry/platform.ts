// Platforms as `--platform` spells them (`linux/amd64`, `linux/arm/v7`, `arm64`) and the choice of
// one manifest from an image index, as containerd's platform matcher does for the common cases.
import { NerdnetError } from '../errors.js';
import { hostArchitecture } from '../image/archive-plan.js';
import type { Descriptor } from '../image/schema.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

// containerd's defaults: arm64 means v8, arm means v7 unless said.
function normalVariant(arch: string, variant: string | undefined): string | undefined {
  if (arch === 'arm64') return variant === undefined || variant === 'v8' ? undefined : variant;
  if (arch === 'arm') return variant ?? 'v7';
  return variant;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', i386: '386' };

export function parsePlatform(text: string): Platform {
  const parts = text.toLowerCase().split('/');
  const bad = () => new NerdnetError('ERR_INVALID_ARG', `invalid platform ${JSON.stringify(text)}: write OS/ARCH[/VARIANT] (e.g. linux/amd64, linux/arm64, linux/arm/v7) or ARCH`);
  if (parts.some((p) => !/^[a-z0-9][a-z0-9_.-]*$/.test(p)) || parts.length > 3) throw bad();
  const [a, b, c] = parts;
  const known = new Set(['amd64', 'arm64', 'arm', '386', 'ppc64le', 's390x', 'riscv64', 'mips64le', 'loong64', ...Object.keys(ARCH_ALIASES)]);
  // A lone architecture means linux/ARCH, as containerd's platforms.Parse does.
  const [os, arch, variant] = parts.length === 1 && known.has(a as string) ? ['linux', a as string, undefined] : [a as string, b, c];
  if (arch === undefined) return { os, architecture: hostArchitecture() };
  const architecture = ARCH_ALIASES[arch] ?? arch;
  const v = normalVariant(architecture, variant);
  return { os, architecture, ...(v !== undefined ? { variant: v } : {}) };
}

export function hostPlatform(): Platform {
  return parsePlatform(`linux/${hostArchitecture()}`);
}

export function formatPlatform(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}

export function platformMatches(want: Platform, have: Platform | undefined): boolean {
  if (!have) return false;
  return have.os === want.os && (ARCH_ALIASES[have.architecture] ?? have.architecture) === want.architecture && normalVariant(want.architecture, have.variant) === want.variant;
}

// The index entry for `want`; ERR_NOT_FOUND listing what the index has.
export function selectManifest(manifests: readonly Descriptor[], want: Platform, where: string): Descriptor {
  const hit = manifests.find((m) => platformMatches(want, m.platform));
  if (hit) return hit;
  // Attestation manifests are listed as unknown/unknown; not worth naming.
  const have = manifests.filter((m) => m.platform && m.platform.os !== 'unknown').map((m) => formatPlatform(m.platform as Platform));
  throw new NerdnetError('ERR_NOT_FOUND', `platform not found: ${where} has no ${formatPlatform(want)} image (it has: ${have.join(', ') || 'no platforms'}); choose one with --platform`);
}
