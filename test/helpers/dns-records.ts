// Hosts store records for DNS tests: meta.json fixtures written as the hook's acquire would.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonObject } from '../../src/lib/cni/conf.js';
import { makeHostsMeta, serializeHostsMeta } from '../../src/lib/etc/hosts-meta.js';
import { DataStoreLayout } from '../../src/lib/store/layout.js';

export interface FixtureContainer {
  id: string;
  name: string;
  hostname?: string;
  // network -> addresses (`10.200.1.2` or `fd00::2`), given as CNI result ips.
  networks: Record<string, string[]>;
}

function cniResult(addresses: readonly string[]): JsonObject {
  return {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'eth0' }],
    ips: addresses.map((a) => ({ address: `${a}/${a.includes(':') ? 64 : 24}`, interface: 0 })),
  };
}

export function writeRecord(dataStore: string, ns: string, c: FixtureContainer): string {
  const path = new DataStoreLayout(dataStore).hostsMetaPath(ns, c.id);
  mkdirSync(dirname(path), { recursive: true });
  const networks: Record<string, JsonObject> = Object.fromEntries(Object.entries(c.networks).map(([n, a]) => [n, cniResult(a)]));
  writeFileSync(path, serializeHostsMeta(makeHostsMeta(c.id, { name: c.name, hostname: c.hostname ?? c.name, networks })));
  return path;
}

export function removeRecord(dataStore: string, ns: string, id: string): void {
  rmSync(new DataStoreLayout(dataStore).hostsMetaPath(ns, id), { force: true });
}

export const id64 = (c: string): string => c.repeat(64).slice(0, 64);
