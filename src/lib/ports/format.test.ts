import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NerdnetError } from '../errors.js';
import { formatPortLines, formatPsPorts, formatPublish } from './format.js';
import type { PortMapping, Protocol } from './types.js';

const m = (hostIP: string, hostPort: number, containerPort: number, protocol: Protocol = 'tcp'): PortMapping => ({ hostIP, hostPort, containerPort, protocol });
const range = (hostIP: string, host: number, container: number, n: number, protocol: Protocol = 'tcp'): PortMapping[] =>
  Array.from({ length: n }, (_, i) => m(hostIP, host + i, container + i, protocol));

void describe('formatPsPorts (spec 3.4 display formats)', () => {
  const vectors: Array<[string, PortMapping[], string]> = [
    ['empty', [], ''],
    ['one port', [m('0.0.0.0', 8080, 80)], '0.0.0.0:8080->80/tcp'],
    ['a range collapses', range('127.0.0.1', 7000, 79, 6), '127.0.0.1:7000-7005->79-84/tcp'],
    ['runs of one group share the address and protocol', [m('0.0.0.0', 443, 443), m('0.0.0.0', 80, 80)], '0.0.0.0:80->80, 443->443/tcp'],
    // nerdctl's own formatter_test vectors.
    ['localhost single', [m('127.0.0.1', 3000, 8080)], '127.0.0.1:3000->8080/tcp'],
    ['localhost consecutive', range('127.0.0.1', 3000, 8080, 2), '127.0.0.1:3000-3001->8080-8081/tcp'],
    ['udp', [m('0.0.0.0', 3000, 8080, 'udp')], '0.0.0.0:3000->8080/udp'],
    [
      'tcp and udp groups',
      [...range('0.0.0.0', 3000, 8080, 2), ...range('0.0.0.0', 3002, 8082, 2, 'udp')],
      '0.0.0.0:3000-3001->8080-8081/tcp, 0.0.0.0:3002-3003->8082-8083/udp',
    ],
    // Consecutive host ports to non-consecutive container ports are separate runs.
    ['broken run', [m('0.0.0.0', 8080, 80), m('0.0.0.0', 8081, 90)], '0.0.0.0:8080->80, 8081->90/tcp'],
    ['groups sorted by address then protocol', [m('127.0.0.1', 1, 1, 'udp'), m('127.0.0.1', 2, 2), m('0.0.0.0', 5, 5)], '0.0.0.0:5->5/tcp, 127.0.0.1:2->2/tcp, 127.0.0.1:1->1/udp'],
    ['IPv6 bracketed', [m('::', 8080, 80), m('0.0.0.0', 8080, 80)], '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp'],
    ['duplicates shown once', [m('0.0.0.0', 80, 80), m('0.0.0.0', 80, 80)], '0.0.0.0:80->80/tcp'],
  ];
  for (const [name, input, want] of vectors) void it(name, () => assert.equal(formatPsPorts(input), want));
});

void describe('formatPortLines (nerdctl port)', () => {
  const ports = [m('0.0.0.0', 8080, 80), m('127.0.0.1', 5353, 53, 'udp'), m('::1', 9090, 80)];
  void it('lists every mapping', () => {
    assert.deepEqual(formatPortLines(ports), ['80/tcp -> 0.0.0.0:8080', '53/udp -> 127.0.0.1:5353', '80/tcp -> [::1]:9090']);
  });
  void it('filters by container port and protocol', () => {
    assert.deepEqual(formatPortLines(ports, { containerPort: 80, protocol: 'tcp' }), ['0.0.0.0:8080', '[::1]:9090']);
    assert.deepEqual(formatPortLines(ports, { containerPort: 53, protocol: 'udp' }), ['127.0.0.1:5353']);
  });
  void it('names what is missing', () => {
    assert.throws(
      () => formatPortLines(ports, { containerPort: 53, protocol: 'tcp' }, 'container web'),
      (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_NOT_FOUND' && /no public port 53\/tcp published for container web/.test(e.message),
    );
  });
});

void describe('formatPublish', () => {
  void it('writes the canonical -p form', () => {
    assert.equal(formatPublish({ hostIP: '0.0.0.0', hostPorts: { start: 8080, end: 8080 }, containerPorts: { start: 80, end: 80 }, protocol: 'tcp' }), '0.0.0.0:8080:80/tcp');
    assert.equal(formatPublish({ hostIP: '::1', hostPorts: undefined, containerPorts: { start: 80, end: 82 }, protocol: 'udp' }), '[::1]::80-82/udp');
  });
});
