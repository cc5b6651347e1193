// ensureDhcpDaemon without a real daemon: a live socket is reused, a daemon that dies is reported.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fakePluginDir } from '../../../test/helpers/network-fakes.js';
import { confListFromBytes } from '../cni/conf.js';
import { dhcpSocketAlive, dhcpSocketOf, ensureDhcpDaemon } from './dhcp-daemon.js';

let plugins: Awaited<ReturnType<typeof fakePluginDir>>;
let server: Server;
before(async () => {
  plugins = await fakePluginDir();
  // The fake `dhcp` exits at once, like a daemon that cannot start.
  await writeFile(join(plugins.dir, 'dhcp'), '#!/bin/sh\necho "cannot listen" >&2\nexit 3\n');
});
after(async () => {
  server?.close();
  await plugins.remove();
});

describe('ensureDhcpDaemon', () => {
  it('reuses a daemon that answers on the socket', async () => {
    const sock = join(plugins.dir, 'live.sock');
    server = createServer((c) => c.end());
    await new Promise<void>((r) => server.listen(sock, r));
    assert.equal(await dhcpSocketAlive(sock), true);
    assert.deepEqual(await ensureDhcpDaemon({ pluginDirs: [plugins.dir], socketPath: sock }), { socketPath: sock, started: false });
  });

  it('reports a daemon that exits, with its log', async () => {
    const log = join(plugins.dir, 'dhcp.log');
    const sock = join(plugins.dir, 'sub', 'dead.sock');
    await assert.rejects(ensureDhcpDaemon({ pluginDirs: [plugins.dir], socketPath: sock, logFile: log }), new RegExp(`dhcp daemon .* did not start: exit status 3; see ${log}`));
    assert.equal(await dhcpSocketAlive(sock), false);
  });

  it('finds the socket a conflist needs', () => {
    const list = (ipam: object) => confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name: 'n', plugins: [{ type: 'macvlan', ipam }, { type: 'tuning' }] })));
    assert.equal(dhcpSocketOf(list({ type: 'dhcp', daemonSocketPath: '/x/d.sock' })), '/x/d.sock');
    assert.equal(dhcpSocketOf(list({ type: 'dhcp' })), '/run/cni/dhcp.sock');
    assert.equal(dhcpSocketOf(list({ type: 'host-local' })), undefined);
  });

  it('names the missing plugin', async () => {
    await assert.rejects(ensureDhcpDaemon({ pluginDirs: [join(plugins.dir, 'none')], socketPath: join(plugins.dir, 'x.sock') }), /failed to find plugin "dhcp"/);
  });
});
