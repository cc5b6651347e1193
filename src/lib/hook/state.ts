// The hook's input: OCI state on stdin and the nerdctl/* annotations. Everything
// here comes from a bundle someone else may have written, so it is validated before use.
import type { ContainerNetworking } from '../attachment/types.js';
import { NerdnetError } from '../errors.js';
import { intIssues, isPlainObject, issuesText, recordOf, typeIssue, type Issue } from '../json-shape.js';

const SAFE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

// The OCI state fields the hook reads; other fields are dropped.
export interface OciState {
  ociVersion: string;
  id: string;
  status: string;
  pid?: number | undefined;
  bundle: string;
  annotations?: Record<string, string> | undefined;
}

// Checked by hand, not with zod: zod cost the hook (a fresh process per container start and stop)
// more load time than all of its own code. Messages read as zod's did.
function stringField(raw: Record<string, unknown>, key: string, issues: Issue[]): string {
  const v = raw[key];
  if (typeof v !== 'string') issues.push({ message: typeIssue('string', v), path: [key] });
  return v as string;
}

function validateOciState(raw: unknown): { state: OciState; issues: Issue[] } {
  if (!isPlainObject(raw)) return { state: raw as OciState, issues: [{ message: typeIssue('object', raw) }] };
  const issues: Issue[] = [];
  const ociVersion = stringField(raw, 'ociVersion', issues);
  const id = stringField(raw, 'id', issues);
  if (typeof id === 'string' && !SAFE_ID.test(id)) issues.push({ message: 'container ID must match [a-zA-Z0-9][a-zA-Z0-9_.-]*', path: ['id'] });
  const status = stringField(raw, 'status', issues);
  if (raw.pid !== undefined) issues.push(...intIssues(raw.pid, 0).map((message) => ({ message, path: ['pid'] })));
  const bundle = stringField(raw, 'bundle', issues);
  if (bundle === '') issues.push({ message: 'Too small: expected string to have >=1 characters', path: ['bundle'] });
  const state: OciState = { ociVersion, id, status, ...(raw.pid !== undefined ? { pid: raw.pid as number } : {}), bundle };
  if (raw.annotations !== undefined) state.annotations = recordOf(raw.annotations, 'string', ['annotations'], issues) as Record<string, string>;
  return { state, issues };
}

export function parseOciState(text: string): OciState {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new NerdnetError('ERR_INVALID_ARG', `the OCI state on stdin is not JSON (${(e as Error).message}): the hook must be run by an OCI runtime`);
  }
  const { state, issues } = validateOciState(raw);
  if (issues.length > 0) {
    throw new NerdnetError('ERR_INVALID_ARG', `invalid OCI state on stdin: ${issuesText(issues)}`);
  }
  return state;
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

export function readAnnotations(a: Record<string, string> | undefined): ContainerNetworking {
  const ann = a ?? {};
  const namespace = ann['nerdctl/namespace'] ?? '';
  if (!SAFE_ID.test(namespace)) throw new NerdnetError('ERR_INVALID_ARG', `namespace must be set (annotation nerdctl/namespace), got ${JSON.stringify(namespace)}`);
  const stateDir = ann['nerdctl/state-dir'] ?? '';
  if (!stateDir.startsWith('/') || stateDir.split('/').includes('..')) {
    throw new NerdnetError('ERR_INVALID_ARG', `state dir must be set to an absolute path without ".." (annotation nerdctl/state-dir), got ${JSON.stringify(stateDir)}`);
  }
  const out: ContainerNetworking = {
    namespace,
    name: noControl(ann['nerdctl/name'] ?? '', 'nerdctl/name'),
    stateDir: noControl(stateDir, 'nerdctl/state-dir'),
    hostname: noControl(ann['nerdctl/hostname'] ?? '', 'nerdctl/hostname'),
    domainname: noControl(ann['nerdctl/domainname'] ?? '', 'nerdctl/domainname'),
    networks: jsonStringArray(ann['nerdctl/networks'], 'nerdctl/networks').map((n) => noControl(n, 'nerdctl/networks')),
    extraHosts: jsonStringArray(ann['nerdctl/extraHosts'] ?? '[]', 'nerdctl/extraHosts').map((h) => noControl(h, 'nerdctl/extraHosts')),
  };
  const optional: Array<[keyof ContainerNetworking, string]> = [
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
