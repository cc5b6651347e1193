// Image references normalised as Docker and nerdctl do (distribution/reference ParseNormalizedNamed):
// `busybox` → `docker.io/library/busybox:latest`, `me/app:1` → `docker.io/me/app:1`,
// `localhost:5000/app` keeps its registry. Shown back in the familiar short form (`busybox:latest`).
import { NerdnetError } from '../errors.js';

export const DEFAULT_DOMAIN = 'docker.io';
export const DEFAULT_TAG = 'latest';

export interface ImageReference {
  domain: string;
  // Repository path inside the registry, e.g. `library/busybox`.
  path: string;
  tag?: string;
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const NAME_MAX = 255;

function invalid(input: string, why: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', `invalid image reference ${JSON.stringify(input)}: ${why}; use a reference like busybox, busybox:1.36 or registry.example:5000/team/app:v1`);
}

// Registry part: the first component when it looks like a host (has "." or ":", or is localhost).
function splitDomain(name: string): { domain: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  if (slash === -1 || (!/[.:]/.test(first) && first !== 'localhost' && first.toLowerCase() === first)) {
    return { domain: DEFAULT_DOMAIN, path: name };
  }
  return { domain: first, path: name.slice(slash + 1) };
}

// Parse and normalise; a reference with neither tag nor digest gets `:latest`.
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input === '') throw invalid(String(input), 'it is empty');
  if (/[\s\0]/.test(input)) throw invalid(input, 'it contains whitespace or NUL');
  if (/^[a-f0-9]{64}$/.test(input)) throw invalid(input, 'a 64-hex-digit string is an image ID, not a name');
  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(input, `digest ${JSON.stringify(digest)} is not sha256:<64 lowercase hex digits>`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid(input, `tag ${JSON.stringify(tag)} may have only letters, digits, "_", "." and "-" (at most 128, not starting with "." or "-")`);
  }
  let { domain, path } = splitDomain(rest);
  if (!DOMAIN.test(domain)) throw invalid(input, `registry ${JSON.stringify(domain)} is not a host name`);
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) throw invalid(input, `repository name ${JSON.stringify(path)} must be lowercase`);
  if (path === '' || !path.split('/').every((c) => PATH_COMPONENT.test(c))) {
    throw invalid(input, `repository ${JSON.stringify(path)} must be lowercase letters and digits separated by "/", ".", "_", "__" or "-"`);
  }
  if (domain.length + 1 + path.length > NAME_MAX) throw invalid(input, `the name is longer than ${NAME_MAX} characters`);
  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

// `docker.io/library/busybox`
export function fullName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

// `docker.io/library/busybox:latest` (the key of the reference index).
export function formatReference(ref: ImageReference): string {
  return `${fullName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

export function normalizeReference(input: string): string {
  return formatReference(parseReference(input));
}

// `busybox`, `me/app`, `localhost:5000/app`: Docker's REPOSITORY column.
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  const short = ref.path.startsWith('library/') ? ref.path.slice('library/'.length) : ref.path;
  return short.includes('/') ? ref.path : short;
}

// `busybox:latest`: what `docker load` prints.
export function familiarString(ref: ImageReference): string {
  return `${familiarName(ref)}${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}
