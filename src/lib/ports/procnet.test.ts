import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIP } from '../ip/index.js';
import { parseProcNet, parseProcNetAddress } from './procnet.js';

// Fixed /proc/net text as a little-endian kernel prints it.
const PROC_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1192 1 0000000000000000 100 0 0 10 0
   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1193 1 0000000000000000 100 0 0 10 0
   2: 0100007F:C001 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  1000        0 2001 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:C002 0100007F:1F90 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
   4: 0100007F:C003 0100007F:1F90 08 00000000:00000000 00:00000000 00000000  1000        0 2003 1 0000000000000000 20 4 30 10 -1
   5: 0A04000A:C004 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2004 1 0000000000000000 100 0 0 10 0
`;

const PROC_TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1F92 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1F93 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3003 1 0000000000000000 100 0 0 10 0
   3: 000080FE00000000FF57A6705DC771FE:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3004 1 0000000000000000 100 0 0 10 0
   4: 00000000000000000000000001000000:C005 00000000000000000000000001000000:1F92 06 00000000:00000000 03:00001770 00000000     0        0 0 3 0000000000000000
`;

const PROC_UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  123: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4001 2 0000000000000000 0
  124: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 4002 2 0000000000000000 0
`;

const view = (text: string): string[] => parseProcNet(text, true).map((s) => `${formatIP(s.ip)} ${s.port} ${s.state.toString(16)}`);

void describe('parseProcNetAddress', () => {
  const cases: Array<[string, boolean, string, number]> = [
    ['0100007F:0050', true, '127.0.0.1', 80],
    ['00000000:0050', true, '0.0.0.0', 80],
    ['7F000001:1F90', false, '127.0.0.1', 8080],
    ['00000000000000000000000001000000:0050', true, '::1', 80],
    ['000080FE00000000FF57A6705DC771FE:0050', true, 'fe80::70a6:57ff:fe71:c75d', 80],
    ['0000000000000000FFFF00000100007F:1F93', true, '::ffff:127.0.0.1', 8083],
    ['FE800000000000000000000000000001:0050', false, 'fe80::1', 80],
  ];
  for (const [text, le, ip, port] of cases) {
    void it(`${text} (${le ? 'LE' : 'BE'})`, () => {
      const got = parseProcNetAddress(text, le);
      assert.ok(got);
      assert.equal(formatIP(got.ip), ip);
      assert.equal(got.port, port);
    });
  }
  void it('rejects other text', () => {
    for (const bad of ['local_address', '0100007F', '0100007:0050', '0100007F:50', 'ZZ00007F:0050']) assert.equal(parseProcNetAddress(bad, true), undefined, bad);
  });
});

void describe('parseProcNet', () => {
  void it('reads tcp lines with their states, header skipped', () => {
    assert.deepEqual(view(PROC_TCP), ['127.0.0.1 8080 a', '0.0.0.0 22 a', '127.0.0.1 49153 1', '127.0.0.1 49154 6', '127.0.0.1 49155 8', '10.0.4.10 49156 a']);
  });
  void it('reads tcp6 lines, mapped IPv4 included', () => {
    assert.deepEqual(view(PROC_TCP6), [':: 8081 a', '::1 8082 a', '::ffff:127.0.0.1 8083 a', 'fe80::70a6:57ff:fe71:c75d 80 a', '::1 49157 6']);
  });
  void it('reads udp lines', () => {
    assert.deepEqual(view(PROC_UDP), ['0.0.0.0 68 7', '127.0.0.53 53 7']);
  });
  void it('ignores empty and truncated text', () => {
    assert.deepEqual(parseProcNet('', true), []);
    assert.deepEqual(parseProcNet('   0: 0100007F:1F90', true), []);
  });
});
