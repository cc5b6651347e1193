// Registry credentials and challenges: `WWW-Authenticate` parsing (RFC 7235), Docker's
// config.json (`auths`, `credHelpers`, `credsStore`) and the docker-credential-* helper protocol.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { NerdnetError } from '../errors.js';

export interface Challenge {
  // Lowercase: "bearer" or "basic".
  scheme: string;
  params: Record<string, string>;
}

// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`.
// Several challenges may share one header, separated by commas like the parameters.
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const token = /[\w!#$%&'*+.^`|~-]+/y;
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i] as string)) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    token.lastIndex = i;
    const m = token.exec(header);
    if (!m) break;
    i = token.lastIndex;
    skip(/\s/);
    const last = out[out.length - 1];
    // A word followed by "=" is a parameter of the current challenge, else a new scheme.
    if (header[i] !== '=' || !last) {
      out.push({ scheme: m[0].toLowerCase(), params: {} });
      continue;
    }
    i++;
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      for (i++; i < header.length && header[i] !== '"'; i++) value += header[i] === '\\' ? (header[++i] ?? '') : header[i];
      i++;
    } else {
      // Unquoted: up to the next comma or space (lenient: registries send URLs unquoted too).
      const unquoted = /[^\s,]*/y;
      unquoted.lastIndex = i;
      value = unquoted.exec(header)?.[0] ?? '';
      i = unquoted.lastIndex;
    }
    last.params[m[0].toLowerCase()] = value;
  }
  return out;
}

export interface Credential {
  username: string;
  password: string;
  // Where it came from, for error messages: "/root/.docker/config.json (auths)".
  source: string;
}

// Docker keeps docker.io's credentials under its v1 index URL.
export const DOCKER_INDEX_KEY = 'https://index.docker.io/v1/';

export function configKey(host: string): string {
  return host === 'docker.io' ? DOCKER_INDEX_KEY : host;
}

const authEntry = z.looseObject({ auth: z.string().optional(), username: z.string().optional(), password: z.string().optional(), identitytoken: z.string().optional() });
export const dockerConfigSchema = z.looseObject({
  auths: z.record(z.string(), authEntry).optional(),
  credHelpers: z.record(z.string(), z.string()).optional(),
  credsStore: z.string().optional(),
});
export type DockerConfig = z.infer<typeof dockerConfigSchema>;

// $DOCKER_CONFIG/config.json, else ~/.docker/config.json (Docker's and nerdctl's order).
export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const dir = env.DOCKER_CONFIG ?? join(env.HOME ?? homedir(), '.docker');
  return join(dir, 'config.json');
}

export async function readDockerConfig(path: string): Promise<DockerConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new NerdnetError('ERR_INVALID_CONFIG', `cannot read registry credentials ${path}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new NerdnetError('ERR_INVALID_CONFIG', `registry credentials ${path} are not JSON (${(err as Error).message}); fix or remove the file`, { cause: err });
  }
  const parsed = dockerConfigSchema.safeParse(json);
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_CONFIG', `registry credentials ${path} are invalid: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}

// The key of `auths` that names `host`: exact, or as a URL (`https://host`, `http://host/v2/`).
function authsEntry(auths: NonNullable<DockerConfig['auths']>, host: string): z.infer<typeof authEntry> | undefined {
  const key = configKey(host);
  if (auths[key]) return auths[key];
  for (const [k, v] of Object.entries(auths)) {
    const bare = k.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (bare === host || (host === 'docker.io' && bare === 'index.docker.io')) return v;
  }
  return undefined;
}

// docker-credential-<helper> get: server URL on stdin, {"Username","Secret"} on stdout.
export async function helperGet(helper: string, server: string): Promise<{ username: string; password: string } | undefined> {
  const bin = `docker-credential-${helper}`;
  const out = await new Promise<string>((resolve, reject) => {
    const child = execFile(bin, ['get'], { timeout: 30_000 }, (err, stdout) => {
      // Helpers exit 1 with "credentials not found in native keychain" for an unknown server.
      if (err && /credentials not found/i.test(stdout)) return resolve('');
      if (err) return reject(new NerdnetError('ERR_INVALID_CONFIG', `credential helper ${bin} failed for ${server}: ${stdout.trim() || err.message}`, { cause: err }));
      resolve(stdout);
    });
    child.stdin?.end(server);
  });
  if (out.trim() === '') return undefined;
  const parsed = z.looseObject({ Username: z.string(), Secret: z.string() }).safeParse(JSON.parse(out));
  if (!parsed.success) throw new NerdnetError('ERR_INVALID_CONFIG', `credential helper ${bin} answered ${server} with something other than {"Username","Secret"}`);
  return { username: parsed.data.Username, password: parsed.data.Secret };
}

// The credential Docker would use for `host`: credHelpers[host], then auths[host], then credsStore.
export async function findCredential(host: string, configPath: string = dockerConfigPath()): Promise<Credential | undefined> {
  const config = await readDockerConfig(configPath);
  const helper = config.credHelpers?.[configKey(host)] ?? config.credHelpers?.[host];
  if (helper) {
    const got = await helperGet(helper, configKey(host));
    return got && { ...got, source: `docker-credential-${helper} (credHelpers of ${configPath})` };
  }
  const entry = config.auths ? authsEntry(config.auths, host) : undefined;
  if (entry?.auth) {
    const text = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon < 0) throw new NerdnetError('ERR_INVALID_CONFIG', `auths entry for ${host} in ${configPath} is not base64 of user:password; run login again`);
    return { username: text.slice(0, colon), password: text.slice(colon + 1), source: `${configPath} (auths)` };
  }
  if (entry?.username !== undefined && entry.password !== undefined) return { username: entry.username, password: entry.password, source: `${configPath} (auths)` };
  if (config.credsStore) {
    const got = await helperGet(config.credsStore, configKey(host));
    return got && { ...got, source: `docker-credential-${config.credsStore} (credsStore of ${configPath})` };
  }
  return undefined;
}

export function basicHeader(c: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
