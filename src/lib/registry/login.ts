// login / logout: check a credential against the registry, then keep it in Docker's config.json
// as Docker does (`auths[<host>].auth` = base64 of user:password; docker.io under its index URL),
// leaving every other key of the file as it was.
import { readFile } from 'node:fs/promises';
import { NerdnetError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import { configKey, dockerConfigPath, readDockerConfig } from './auth.js';
import { RegistryClient, type RegistryClientOptions } from './client.js';

// `https://reg.example/v2/` or `reg.example` → `reg.example`; no server means docker.io.
export function loginHost(server: string | undefined): string {
  if (server === undefined || server === '' || /^(https?:\/\/)?(index\.)?docker\.io(\/.*)?$/.test(server)) return 'docker.io';
  return server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
}

async function rawConfig(path: string): Promise<Record<string, unknown>> {
  await readDockerConfig(path);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

export async function login(server: string | undefined, username: string, password: string, opts: RegistryClientOptions = {}): Promise<{ host: string; configPath: string }> {
  if (username === '' || password === '') throw new NerdnetError('ERR_INVALID_ARG', 'login needs a user name and a password');
  const host = loginHost(server);
  const configPath = opts.configPath ?? dockerConfigPath();
  await new RegistryClient(host, { ...opts, credential: { username, password, source: 'the login given' } }).ping();
  const config = await rawConfig(configPath);
  const auths = { ...((config.auths as Record<string, unknown> | undefined) ?? {}) };
  auths[configKey(host)] = { auth: Buffer.from(`${username}:${password}`).toString('base64') };
  await writeFileAtomic(configPath, `${JSON.stringify({ ...config, auths }, null, '\t')}\n`, { mode: 0o600, dirMode: 0o700 });
  return { host, configPath };
}

// true when there was a credential to remove.
export async function logout(server: string | undefined, opts: { configPath?: string } = {}): Promise<{ host: string; removed: boolean }> {
  const host = loginHost(server);
  const configPath = opts.configPath ?? dockerConfigPath();
  const config = await rawConfig(configPath);
  const auths = { ...((config.auths as Record<string, unknown> | undefined) ?? {}) };
  if (!(configKey(host) in auths)) return { host, removed: false };
  delete auths[configKey(host)];
  await writeFileAtomic(configPath, `${JSON.stringify({ ...config, auths }, null, '\t')}\n`, { mode: 0o600, dirMode: 0o700 });
  return { host, removed: true };
}
