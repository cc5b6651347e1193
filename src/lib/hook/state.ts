// The hook's input (spec nerdctl 6.3): OCI state on stdin and the nerdctl/* annotations. Everything
// here comes from a bundle someone else may have written, so it is validated before use.
import { z } from 'zod';
import { NerdnetError } from '../errors.js';

const SAFE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export const ociStateSchema = z.object({
  ociVersion: z.string(),
  id: z.string().regex(SAFE_ID, 'container ID must match [a-zA-Z0-9][a-zA-Z0-9_.-]*'),
  status: z.string(),
  pid: z.number().int().nonnegative().optional(),
  bundle: z.string().min(1),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type OciState = z.infer<typeof ociStateSchema>;

export function parseOciState(text: string): OciState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NerdnetError('ERR_INVALID_ARG', `the OCI state on stdin is not JSON (${(e as Error).message}): the hook must be run by an OCI runtime`);
  }
  const parsed = ociStateSchema.safeParse(raw);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_ARG', `invalid OCI state on stdin: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

// The nerdctl/* annotations the hook needs (spec nerdctl 3.3).
export interface HookAnnotations {
  namespace: string;
  name: string;
  stateDir: string;
  hostname: string;
  domainname: string;
  networks: string[];
  extraHosts: string[];
  ip?: string;
  ip6?: string;
  mac?: string;
  pidFile?: string;
  netnsPath?: string;
}

function jsonStringArray(value: string | undefined, key: string): string[] {
  if (value === undefined) throw new NerdnetError('ERR_INVALID_ARG', `annotation ${key} is missing: the container was not created by nerdnet or nerdctl`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== 'string')) {
    throw new NerdnetError('ERR_INVALID_ARG', `annotation ${key} must be a JSON array of strings, got ${JSON.stringify(value)}`);
  }
  return parsed as string[];
}

function noControl(value: string, key: string): string {
   
  if (/[\0\n\r]/.test(value)) throw new NerdnetError('ERR_INVALID_ARG', `annotation ${key} contains a control character: ${JSON.stringify(value)}`);
  return value;
}

export function readAnnotations(a: Record<string, string> | undefined): HookAnnotations {
  const ann = a ?? {};
  const namespace = ann['nerdctl/namespace'] ?? '';
  if (!SAFE_ID.test(namespace)) throw new NerdnetError('ERR_INVALID_ARG', `namespace must be set (annotation nerdctl/namespace), got ${JSON.stringify(namespace)}`);
  const stateDir = ann['nerdctl/state-dir'] ?? '';
  if (!stateDir.startsWith('/') || stateDir.split('/').includes('..')) {
    throw new NerdnetError('ERR_INVALID_ARG', `state dir must be set to an absolute path without ".." (annotation nerdctl/state-dir), got ${JSON.stringify(stateDir)}`);
  }
  const out: HookAnnotations = {
    namespace,
    name: noControl(ann['nerdctl/name'] ?? '', 'nerdctl/name'),
    stateDir: noControl(stateDir, 'nerdctl/state-dir'),
    hostname: noControl(ann['nerdctl/hostname'] ?? '', 'nerdctl/hostname'),
    domainname: noControl(ann['nerdctl/domainname'] ?? '', 'nerdctl/domainname'),
    networks: jsonStringArray(ann['nerdctl/networks'], 'nerdctl/networks').map((n) => noControl(n, 'nerdctl/networks')),
    extraHosts: jsonStringArray(ann['nerdctl/extraHosts'] ?? '[]', 'nerdctl/extraHosts').map((h) => noControl(h, 'nerdctl/extraHosts')),
  };
  const optional: Array<[keyof HookAnnotations, string]> = [
    ['ip', 'nerdctl/ip'],
    ['ip6', 'nerdctl/ip6'],
    ['mac', 'nerdctl/mac-address'],
    ['pidFile', 'nerdctl/pid-file'],
    ['netnsPath', 'nerdctl/network-namespace'],
  ];
  for (const [field, key] of optional) {
    const v = ann[key];
    if (v) (out as unknown as Record<string, string>)[field] = noControl(v, key);
  }
  return out;
}
