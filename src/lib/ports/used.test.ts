import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NerdnetError } from '../errors.js';
import type { IPFamily } from '../ip/index.js';
import type { ProcNetFile } from './procnet.js';
import type { PortSources } from './sources.js';
import { scanPortUsage, usedPorts } from './used.js';
import type { ContainerPortClaim } from './used.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 100 0 0 10 0
   2: 0100007F:C001 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1
   3: 0100007F:C002 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0
   4: 0100007F:C003 0100007F:1F90 08 00000000:00000000 00:00000000 00000000     0        0 5 1 0 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 6 1 0 100 0 0 10 0
   1: 00000000000000000000000001000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7 1 0 100 0 0 10 0
   2: 0000000000000000FFFF00000200007F:1F93 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 8 1 0 100 0 0 10 0
`;
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 9 2 0 0
`;
const NAT4 = `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat" -m multiport --dports 5000 -j CNI-DN-a
-A CNI-DN-a -d 10.1.2.3/32 -p tcp -m tcp --dport 5000 -j DNAT --to-destination 10.4.0.5:80
-A CNI-HOSTPORT-DNAT -p sctp -m multiport --dports 6000 -j CNI-DN-b
`;
const NAT6 = `-A CNI-DN-c -d ::1/128 -p udp -m udp --dport 7000 -j DNAT --to-destination [fd00::5]:80
`;

class FakeSources implements PortSources {
  readonly reads: string[] = [];
  constructor(
    private readonly files: Partial<Record<ProcNetFile, string>>,
    private readonly nat: Partial<Record<IPFamily, string | Error>>,
  ) {}
  async readProcNet(file: ProcNetFile): Promise<string> {
    this.reads.push(file);
    return this.files[file] ?? '';
  }
  async readNatRules(family: IPFamily): Promise<string> {
    this.reads.push(`nat${family}`);
    const r = this.nat[family] ?? '';
    if (r instanceof Error) throw r;
    return r;
  }
}

const sources = (): FakeSources => new FakeSources({ tcp: TCP, tcp6: TCP6, udp: UDP }, { 4: NAT4, 6: NAT6 });
const ports = (m: ReadonlyMap<number, unknown>): number[] => [...m.keys()].sort((a, b) => a - b);

void describe('scanPortUsage', () => {
  void it('sees every tcp socket except TIME_WAIT and CLOSE_WAIT, plus DNAT rules', async () => {
    const usage = await scanPortUsage({ sources: sources(), littleEndian: true });
    assert.deepEqual(ports(usage.usedPorts('tcp', '0.0.0.0')), [22, 5000, 8080, 8081, 8083, 49153]);
    assert.deepEqual(usage.warnings, []);
  });
  void it('matches wildcard and specific host IPs (spec 3.4)', async () => {
    const usage = await scanPortUsage({ sources: sources(), littleEndian: true });
    // 0.0.0.0:22 and [::]:8081 (maybe dual-stack) cover every address; 127.0.0.1:8080 only itself.
    assert.deepEqual(ports(usage.usedPorts('tcp', '127.0.0.1')), [22, 8080, 8081, 49153]);
    assert.deepEqual(ports(usage.usedPorts('tcp', '127.0.0.2')), [22, 8081, 8083]);
    assert.deepEqual(ports(usage.usedPorts('tcp', '10.1.2.3')), [22, 5000, 8081]);
    // IPv6 addresses: only IPv6 holders and the dual-stack [::] socket.
    assert.deepEqual(ports(usage.usedPorts('tcp', '::1')), [8081, 8082]);
    assert.deepEqual(ports(usage.usedPorts('tcp', '::')), [8081, 8082]);
    assert.deepEqual(ports(usage.usedPorts('tcp', '')), [22, 5000, 8080, 8081, 8082, 8083, 49153]);
  });
  void it('keeps protocols apart; sctp comes only from DNAT rules', async () => {
    const usage = await scanPortUsage({ sources: sources(), littleEndian: true });
    assert.deepEqual(ports(usage.usedPorts('udp', '0.0.0.0')), [53]);
    assert.deepEqual(ports(usage.usedPorts('udp', '::1')), [7000]);
    assert.deepEqual(ports(usage.usedPorts('sctp', '0.0.0.0')), [6000]);
  });
  void it('names the holder', async () => {
    const usage = await scanPortUsage({ sources: sources(), littleEndian: true });
    assert.match(usage.usedPorts('tcp', '127.0.0.1').get(8080)?.by ?? '', /^a tcp socket on 127\.0\.0\.1:8080 \(\/proc\/net\/tcp\)$/);
    assert.match(usage.usedPorts('tcp', '10.1.2.3').get(5000)?.by ?? '', /iptables DNAT rule in chain CNI-DN-a/);
  });
  void it('reads only the files the protocols need', async () => {
    const s = sources();
    await scanPortUsage({ sources: s, protocols: ['udp'] });
    assert.deepEqual(s.reads.sort(), ['nat4', 'nat6', 'udp', 'udp6']);
  });
  void it('turns unreadable sources into warnings', async () => {
    const s = new FakeSources({ tcp: TCP }, { 4: NAT4, 6: new NerdnetError('ERR_HOST', '"ip6tables -w 5 -t nat -S" failed (exit 3: table does not exist)') });
    const usage = await scanPortUsage({ sources: s, protocols: ['tcp'], littleEndian: true });
    assert.deepEqual(ports(usage.usedPorts('tcp', '10.1.2.3')), [22, 5000]);
    assert.deepEqual(usage.warnings, ['IPv6 DNAT rules were not checked for port conflicts: "ip6tables -w 5 -t nat -S" failed (exit 3: table does not exist)']);
  });
  void it('counts other containers\' recorded mappings; a hard holder wins over a soft claim', async () => {
    const claims: ContainerPortClaim[] = [
      { owner: 'container a', mappings: [{ hostPort: 49160, containerPort: 80, protocol: 'tcp', hostIP: '0.0.0.0' }] },
      { owner: 'container b', soft: true, mappings: [{ hostPort: 49161, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }, { hostPort: 8080, containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1' }] },
    ];
    const usage = await scanPortUsage({ sources: sources(), claims, littleEndian: true });
    const used = usage.usedPorts('tcp', '127.0.0.1');
    assert.deepEqual(used.get(49160), { by: 'container a' });
    assert.deepEqual(used.get(49161), { by: 'container b', soft: true });
    assert.equal(used.get(8080)?.soft, undefined);
    assert.equal(usage.usedPorts('tcp', '127.0.0.2').has(49161), false);
  });
});

void describe('usedPorts', () => {
  void it('answers one protocol and host IP', async () => {
    assert.deepEqual(ports(await usedPorts('tcp', '127.0.0.2', { sources: sources(), littleEndian: true })), [22, 8081, 8083]);
    assert.deepEqual(ports(await usedPorts('udp', undefined, { sources: sources(), littleEndian: true })), [53, 7000]);
  });
});
