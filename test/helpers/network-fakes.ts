// Fakes for network tests: a scripted host (addresses, routes, links), a usage source, and a
// plugin dir whose `firewall` reports a chosen version. Nothing here touches the real host.
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { HostAddress, HostNetwork, HostRoute } from '../../src/lib/host/host-network.js';
import type { NetworkAttachmentInfo, NetworkUsage, PendingAttachment } from '../../src/lib/network/usage.js';

export class FakeHost implements HostNetwork {
  readonly deleted: string[] = [];
  constructor(
    public addrs: HostAddress[] = [{ ifname: 'lo', address: '127.0.0.1', prefix: 8 }],
    public routeList: HostRoute[] = [],
    public links: Record<string, string> = {},
  ) {}
  async addresses(): Promise<HostAddress[]> {
    return this.addrs;
  }
  async routes(): Promise<HostRoute[]> {
    return this.routeList;
  }
  async linkKind(name: string): Promise<string | undefined> {
    return this.links[name];
  }
  async deleteLink(name: string): Promise<void> {
    this.deleted.push(name);
    delete this.links[name];
  }
  forgotten: string[] = [];
  async forgetBridge(name: string): Promise<string[]> {
    this.forgotten.push(name);
    return [];
  }
}

export class FakeUsage implements NetworkUsage {
  // Attachments a stop left owing a DEL, and the ones detach() was asked to DEL.
  pendingByNetwork: Record<string, PendingAttachment[]> = {};
  readonly detached: PendingAttachment[] = [];
  constructor(public byNetwork: Record<string, NetworkAttachmentInfo[]> = {}) {}
  async attachments(network: string): Promise<NetworkAttachmentInfo[]> {
    return this.byNetwork[network] ?? [];
  }
  async pending(network: string): Promise<PendingAttachment[]> {
    return (this.pendingByNetwork[network] ?? []).filter((p) => !this.detached.includes(p));
  }
  async detach(a: PendingAttachment): Promise<string[]> {
    this.detached.push(a);
    return [];
  }
}

const PLUGINS = ['bridge', 'portmap', 'tuning', 'macvlan', 'ipvlan', 'host-local', 'dhcp', 'static'];

// A plugin dir of do-nothing scripts; `firewall` prints `CNI firewall plugin v<version>` (or "version unknown").
export async function fakePluginDir(firewallVersion?: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'nerdnet-netplugins-'));
  for (const p of PLUGINS) {
    await writeFile(join(dir, p), '#!/bin/sh\nexit 0\n');
    await chmod(join(dir, p), 0o755);
  }
  const v = firewallVersion === undefined ? 'version unknown' : `v${firewallVersion}`;
  await writeFile(join(dir, 'firewall'), `#!/bin/sh\necho "CNI firewall plugin ${v}" >&2\necho "CNI protocol versions supported: 0.4.0, 1.0.0" >&2\n`);
  await chmod(join(dir, 'firewall'), 0o755);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// Every file under `dir` with its mode and content, for "nothing was written" assertions.
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isDirectory()) {
        out[`${rel}/`] = ((await stat(p)).mode & 0o777).toString(8);
        await walk(p);
      } else out[rel] = `${((await stat(p)).mode & 0o777).toString(8)} ${await readFile(p, 'utf8')}`;
    }
  };
  await walk(dir);
  return out;
}
