// Published ports against the real host: used-port detection sees a live listener and a real
// nat-table rule (root), and the port reserver holds and releases sockets (any user). Everything is
// on loopback; the only iptables change is one unreferenced test chain, removed afterwards.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { NerdnetError } from '../src/lib/errors.js';
import { allocatePorts, parsePublish, releasePortReservation, reservePorts, scanPortUsage, usedPorts } from '../src/lib/ports/index.js';
import type { PortMapping } from '../src/lib/ports/index.js';
import { sh, shOk, tempDir, uniqueTag } from './helpers/host.js';

const rootSkip = process.getuid?.() !== 0 ? 'needs root (reads the nat table)' : !shOk('iptables', ['-w', '5', '-t', 'nat', '-S']) ? 'needs a working iptables' : undefined;

function listen(host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ host, port: 0, exclusive: true }, () => resolve(s));
  });
}

function bindUdp(host: string, port = 0): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind({ address: host, port, exclusive: true }, () => resolve(s));
  });
}

const portOf = (s: Server | UdpSocket): number => {
  const a = s.address();
  assert.ok(a && typeof a === 'object');
  return a.port;
};
const close = (s: Server): Promise<void> => new Promise((resolve) => s.close(() => resolve()));

// A port free right now on 127.0.0.1 (for tcp and udp alike, as far as a test can tell).
async function freePort(): Promise<number> {
  for (;;) {
    const s = await listen('127.0.0.1');
    const port = portOf(s);
    await close(s);
    const u = await bindUdp('127.0.0.1', port).catch(() => undefined);
    if (u) {
      u.close();
      return port;
    }
  }
}

async function bindFails(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(undefined)));
  });
}

void describe('used ports on the real host', { skip: rootSkip }, () => {
  const chain = `CNI-DN-nerdnet${uniqueTag()}`;
  after(() => {
    if (shOk('iptables', ['-w', '5', '-t', 'nat', '-S', chain])) {
      sh('iptables', ['-w', '5', '-t', 'nat', '-F', chain]);
      sh('iptables', ['-w', '5', '-t', 'nat', '-X', chain]);
    }
    assert.equal(shOk('iptables', ['-w', '5', '-t', 'nat', '-S', chain]), false, `test chain ${chain} left behind`);
  });

  void it('sees a TCP listener on 127.0.0.1 and the allocator refuses its port', async () => {
    const server = await listen('127.0.0.1');
    try {
      const port = portOf(server);
      assert.ok((await usedPorts('tcp', '127.0.0.1')).has(port));
      assert.ok((await usedPorts('tcp', '0.0.0.0')).has(port));
      assert.equal((await usedPorts('tcp', '::1')).has(port), false);
      const usage = await scanPortUsage({ protocols: ['tcp'] });
      assert.deepEqual(usage.warnings, []);
      for (const spec of [`127.0.0.1:${port}:80`, `${port}:80`, `${port}-${port}:80`]) {
        assert.throws(
          () => allocatePorts([parsePublish(spec)], usage),
          (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_IN_USE' && e.message.includes(`:${port} failed: port is already allocated (held by a tcp socket on 127.0.0.1:${port}`),
        );
      }
      // Another loopback address is free, as the kernel agrees.
      assert.deepEqual(allocatePorts([parsePublish(`127.0.0.2:${port}:80`)], usage), [{ hostPort: port, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.2' }]);
    } finally {
      await close(server);
    }
  });

  void it('sees a UDP socket', async () => {
    const sock = await bindUdp('127.0.0.1');
    try {
      assert.ok((await usedPorts('udp', '127.0.0.1')).has(portOf(sock)));
    } finally {
      sock.close();
    }
  });

  void it('sees a DNAT rule in a CNI-DN-* chain of the live nat table', async () => {
    const port = await freePort();
    // An unreferenced chain: it forwards nothing, but `iptables -S` lists it as portmap's would be.
    sh('iptables', ['-w', '5', '-t', 'nat', '-N', chain]);
    sh('iptables', ['-w', '5', '-t', 'nat', '-A', chain, '-d', '127.0.0.1/32', '-p', 'tcp', '-m', 'tcp', '--dport', String(port), '-j', 'DNAT', '--to-destination', '10.200.0.2:80']);
    const used = await usedPorts('tcp', '127.0.0.1');
    assert.match(used.get(port)?.by ?? '', new RegExp(`DNAT rule in chain ${chain}`));
    assert.equal((await usedPorts('tcp', '127.0.0.2')).has(port), false);
    assert.equal((await usedPorts('udp', '127.0.0.1')).has(port), false);
  });
});

void describe('port reserver', () => {
  const pidFiles: string[] = [];
  const dirs: Array<() => Promise<void>> = [];
  after(async () => {
    for (const f of pidFiles) await releasePortReservation(f);
    for (const d of dirs) await d();
  });

  async function pidFileIn(): Promise<string> {
    const dir = await tempDir('reserver');
    dirs.push(dir.remove);
    const f = join(dir.path, 'run', 'port-reserver.pid');
    pidFiles.push(f);
    return f;
  }

  void it('holds TCP and UDP ports in a detached sleep until released', async () => {
    const [tcpPort, udpPort] = [await freePort(), await freePort()];
    const pidFile = await pidFileIn();
    const mappings: PortMapping[] = [
      { hostPort: tcpPort, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' },
      { hostPort: udpPort, containerPort: 53, protocol: 'udp', hostIP: '127.0.0.1' },
      { hostPort: udpPort, containerPort: 99, protocol: 'sctp', hostIP: '127.0.0.1' },
    ];
    const r = await reservePorts(mappings, { pidFile });
    assert.ok(r.pid);
    assert.deepEqual(r.held, mappings.slice(0, 2));
    assert.deepEqual(r.skipped.map((s) => s.reason), ['SCTP ports are not reserved']);
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(r.pid));
    assert.deepEqual((await readFile(`/proc/${r.pid}/cmdline`, 'utf8')).split('\0').slice(1, 2), ['infinity']);

    // Others cannot bind; conflict detection sees the ports.
    assert.equal(await bindFails('127.0.0.1', tcpPort), 'EADDRINUSE');
    await assert.rejects(bindUdp('127.0.0.1', udpPort), /EADDRINUSE/);
    assert.ok((await usedPorts('tcp', '127.0.0.1', { sources: { readProcNet: (f) => readFile(`/proc/net/${f}`, 'utf8'), readNatRules: async () => '' } })).has(tcpPort));

    assert.equal(await r.release(), true);
    assert.equal(existsSync(pidFile), false);
    assert.equal(existsSync(join(pidFile, '..')), false);
    assert.equal(await bindFails('127.0.0.1', tcpPort), undefined);
    (await bindUdp('127.0.0.1', udpPort)).close();
    assert.equal(await releasePortReservation(pidFile), false);
  });

  void it('reports ports it cannot bind and starts no process when none is held', async () => {
    const server = await listen('127.0.0.1');
    try {
      const pidFile = await pidFileIn();
      const r = await reservePorts([{ hostPort: portOf(server), containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }], { pidFile });
      assert.equal(r.pid, undefined);
      assert.match(r.skipped[0]?.reason ?? '', new RegExp(`^cannot bind tcp 127\\.0\\.0\\.1:${portOf(server)}: Address already in use$`));
      assert.equal(existsSync(pidFile), false);
    } finally {
      await close(server);
    }
  });

  void it('holds [::1] when IPv6 loopback exists', { skip: !existsSync('/proc/net/tcp6') && 'no IPv6' }, async () => {
    const pidFile = await pidFileIn();
    const probe = await listen('::1').catch(() => undefined);
    if (!probe) return;
    const port = portOf(probe);
    await close(probe);
    const r = await reservePorts([{ hostPort: port, containerPort: 80, protocol: 'tcp', hostIP: '::1' }], { pidFile });
    assert.deepEqual(r.skipped, []);
    assert.equal(await bindFails('::1', port), 'EADDRINUSE');
    // IPv4 is unaffected.
    assert.equal(await bindFails('127.0.0.1', port), undefined);
    assert.equal(await releasePortReservation(pidFile), true);
  });

  void it('never kills a process that is not a reserver (PID reuse)', async () => {
    const pidFile = await pidFileIn();
    await mkdir(join(pidFile, '..'), { recursive: true });
    await writeFile(pidFile, String(process.pid));
    assert.equal(await releasePortReservation(pidFile), false);
    assert.equal(existsSync(pidFile), false);
  });
});
