// --add-host: name:ip, name=ip, IPv6 with or without brackets, host-gateway.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectHostGatewayIP, extraHostsLabel, extraHostsMap, parseAddHost, parseAddHosts } from './add-host.js';

const IFACES = {
  lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4' as const, mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
  eth0: [
    { address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6' as const, mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
    { address: '192.168.5.15', netmask: '255.255.255.0', family: 'IPv4' as const, mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.5.15/24' },
  ],
};

describe('parseAddHost', () => {
  it('accepts name:ip and name=ip (nerdctl fails on the latter)', () => {
    assert.deepEqual(parseAddHost('db:10.0.0.5'), { host: 'db', ip: '10.0.0.5' });
    assert.deepEqual(parseAddHost('db=10.0.0.5'), { host: 'db', ip: '10.0.0.5' });
  });

  it('accepts IPv6 with or without brackets and writes it without', () => {
    assert.deepEqual(parseAddHost('v6:[fd00::5]'), { host: 'v6', ip: 'fd00::5' });
    assert.deepEqual(parseAddHost('v6:fd00:0::5'), { host: 'v6', ip: 'fd00::5' });
    assert.deepEqual(parseAddHost('v6=[::1]'), { host: 'v6', ip: '::1' });
  });

  it('resolves host-gateway from the given IP, else the first non-loopback IPv4 address', () => {
    assert.deepEqual(parseAddHost('gw:host-gateway', { hostGatewayIP: '192.168.5.2' }), { host: 'gw', ip: '192.168.5.2' });
    assert.deepEqual(parseAddHost('gw:host-gateway', { interfaces: IFACES }), { host: 'gw', ip: '192.168.5.15' });
    assert.equal(detectHostGatewayIP({ lo: IFACES.lo }), undefined);
    assert.throws(() => parseAddHost('gw:host-gateway', { interfaces: { lo: IFACES.lo } }), /unable to derive the IP value for host-gateway.*set --host-gateway-ip/);
    assert.throws(() => parseAddHost('gw:host-gateway', { hostGatewayIP: 'nope' }), /invalid host-gateway IP "nope"/);
  });

  const bad: Array<[string, RegExp]> = [
    ['10.0.0.5', /bad format for add-host "10.0.0.5": no ":" or "="/],
    [':10.0.0.5', /the host name is empty/],
    ['10.0.0.5:db', /invalid IP address in add-host "10.0.0.5:db": "db" is not an IP address .*name first/],
    ['db:10.0.0.256', /invalid IP address in add-host "db:10.0.0.256"/],
    ['db:', /invalid IP address in add-host "db:"/],
    ['d b:10.0.0.5', /invalid host name "d b"/],
    ['db\n10.0.0.9 evil:10.0.0.5', /invalid host name "db\\n10.0.0.9 evil"/],
    ['a/../b:10.0.0.5', /invalid host name "a\/..\/b"/],
    ['db:10.0.0.5\n', /invalid IP address/],
    ['db:10.0.0.5\0', /invalid IP address/],
  ];
  for (const [value, re] of bad) it(`rejects ${JSON.stringify(value)}`, () => assert.throws(() => parseAddHost(value), re));
});

describe('parseAddHosts', () => {
  it('dedupes, keys by host (last wins, #1072) and keeps two hosts on one IP', () => {
    const list = parseAddHosts(['a:10.0.0.1', 'b:10.0.0.1', 'a:10.0.0.1', 'a:10.0.0.2']);
    assert.deepEqual(list, [
      { host: 'a', ip: '10.0.0.2' },
      { host: 'b', ip: '10.0.0.1' },
    ]);
    assert.deepEqual(extraHostsMap(list), { a: '10.0.0.2', b: '10.0.0.1' });
    assert.equal(extraHostsLabel(parseAddHosts(['db:10.0.0.5', 'v6:[fd00::5]'])), '["db:10.0.0.5","v6:fd00::5"]');
  });
});
