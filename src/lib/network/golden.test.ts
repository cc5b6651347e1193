// Golden conflists: for each driver/flag combination of `network create` the bytes equal what nerdctl
// writes. Expected objects are written in nerdctl's key order (Go struct order; IPAM keys sorted)
// and serialized with JSON.stringify, independently of the code under test.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultNetworkRequest } from './default-network.js';
import { planNetwork, type PlanInput } from './plan.js';
import type { NetworkCreateRequest } from './types.js';

// Spec 2.6, verbatim.
const SPEC_DEFAULT_NETWORK = `{
  "cniVersion": "1.0.0",
  "name": "bridge",
  "nerdctlID": "17f29b073143d8cd97b5bbe492bdeffec1c5fee55cc1fe2112c8b9335f8b6121",
  "nerdctlLabels": {
    "nerdctl/default-network": "true"
  },
  "plugins": [
    {
      "type": "bridge",
      "bridge": "nerdctl0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "ranges": [
          [
            {
              "gateway": "10.4.0.1",
              "subnet": "10.4.0.0/24"
            }
          ]
        ],
        "routes": [
          {
            "dst": "0.0.0.0/0"
          }
        ],
        "type": "host-local"
      }
    },
    {
      "type": "portmap",
      "capabilities": {
        "portMappings": true
      }
    },
    {
      "type": "firewall",
      "ingressPolicy": "same-bridge"
    },
    {
      "type": "tuning"
    }
  ]
}`;

const NETCONF = '/etc/cni/net.d';
const input = (over: Partial<PlanInput> = {}): PlanInput => ({
  netconfPath: NETCONF,
  namespace: 'default',
  visible: [],
  configs: [],
  hostAddresses: [{ ifname: 'lo', address: '127.0.0.1', prefix: 8 }],
  hostRoutes: [],
  ...over,
});

// sha256("foo"), as nerdctl's own test of the network ID.
const FOO_ID = '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae';
const PORTMAP = { type: 'portmap', capabilities: { portMappings: true } };
const FIREWALL = { type: 'firewall', ingressPolicy: 'same-bridge' };
const TUNING = { type: 'tuning' };
const ROUTE4 = [{ dst: '0.0.0.0/0' }];

function bytes(req: NetworkCreateRequest, over: Partial<PlanInput> = {}): string {
  return planNetwork(req, input(over)).bytes;
}

function expected(obj: unknown): string {
  return JSON.stringify(obj, null, 2);
}

// `foo` with the given bridge plugin fields and chain tail.
function fooBridge(main: Record<string, unknown>, tail: unknown[] = [PORTMAP, FIREWALL, TUNING], labels?: Record<string, string>): string {
  return expected({
    cniVersion: '1.0.0',
    name: 'foo',
    nerdctlID: FOO_ID,
    ...(labels ? { nerdctlLabels: labels } : {}),
    plugins: [{ type: 'bridge', bridge: 'br-2c26b46b68ff', ...main }, ...tail],
  });
}

describe('golden conflists (spec 2.6)', () => {
  it('default network: the spec text, byte for byte', () => {
    const plan = planNetwork(defaultNetworkRequest(), input({ namespace: 'ns1' }));
    assert.equal(plan.bytes, SPEC_DEFAULT_NETWORK);
    assert.equal(plan.path, `${NETCONF}/nerdctl-bridge.conflist`);
    assert.equal(plan.bridge, 'nerdctl0');
  });

  it('default network with --bridge-ip 10.1.100.1/24', () => {
    const b = planNetwork(defaultNetworkRequest('10.1.100.1/24'), input()).bytes;
    assert.equal(b, SPEC_DEFAULT_NETWORK.replace('"10.4.0.1"', '"10.1.100.1"').replace('"10.4.0.0/24"', '"10.1.100.0/24"'));
  });

  it('custom bridge without flags: namespaced file, br-<12 hex>, first free /24 from 10.4.1.0', () => {
    const plan = planNetwork({ name: 'foo' }, input());
    assert.equal(plan.path, `${NETCONF}/default/nerdctl-foo.conflist`);
    assert.equal(plan.id, FOO_ID);
    assert.equal(plan.bytes, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { ranges: [[{ gateway: '10.4.1.1', subnet: '10.4.1.0/24' }]], routes: ROUTE4, type: 'host-local' } }));
    assert.ok(!plan.bytes.endsWith('\n'));
  });

  it('labels sorted, mtu and ip-masq=false', () => {
    const b = bytes({ name: 'foo', labels: ['z=1', 'a=2', 'z=1'], options: ['com.docker.network.driver.mtu=1400', 'ip-masq=false'], subnets: ['10.9.0.0/16'] });
    const ipam = { ranges: [[{ gateway: '10.9.0.1', subnet: '10.9.0.0/16' }]], routes: ROUTE4, type: 'host-local' };
    assert.equal(b, fooBridge({ isGateway: true, mtu: 1400, hairpinMode: true, ipam }, undefined, { a: '2', z: '1' }));
  });

  it('label values are escaped as Go escapes HTML characters', () => {
    assert.match(bytes({ name: 'foo', labels: ['k=<a&b>'] }), /"k": "\\u003ca\\u0026b\\u003e"/);
  });

  it('--internal: no gateway, masquerade, routes or portmap', () => {
    const b = bytes({ name: 'foo', internal: true, subnets: ['10.9.0.0/24'] });
    assert.equal(b, fooBridge({ hairpinMode: true, ipam: { ranges: [[{ gateway: '10.9.0.1', subnet: '10.9.0.0/24' }]], type: 'host-local' } }, [FIREWALL, TUNING]));
  });

  it('dual stack with explicit gateways paired per family', () => {
    const b = bytes({ name: 'foo', ipv6: true, subnets: ['10.5.0.0/16', 'fd00:5::/64'], gateways: ['fd00:5::fe', '10.5.0.254'] });
    const ranges = [[{ gateway: '10.5.0.254', subnet: '10.5.0.0/16' }], [{ gateway: 'fd00:5::fe', subnet: 'fd00:5::/64' }]];
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { ranges, routes: ROUTE4, type: 'host-local' }, capabilities: { ips: true } }));
  });

  it('--ipv6 with only an IPv6 subnet adds an automatic IPv4 set after it', () => {
    const b = bytes({ name: 'foo', ipv6: true, subnets: ['2001:db8:8::/64'] });
    const ranges = [[{ gateway: '2001:db8:8::1', subnet: '2001:db8:8::/64' }], [{ gateway: '10.4.1.1', subnet: '10.4.1.0/24' }]];
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { ranges, routes: ROUTE4, type: 'host-local' }, capabilities: { ips: true } }));
  });

  it('IPv6-only (--ipv4=false): default route ::/0', () => {
    const b = bytes({ name: 'foo', ipv4: false, ipv6: true, subnets: ['fd00:6::/64'] });
    const ipam = { ranges: [[{ gateway: 'fd00:6::1', subnet: 'fd00:6::/64' }]], routes: [{ dst: '::/0' }], type: 'host-local' };
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam, capabilities: { ips: true } }));
  });

  it('--ip-range: rangeStart/rangeEnd from the range, ipRange as typed', () => {
    const b = bytes({ name: 'foo', subnets: ['10.24.24.0/24'], gateways: ['10.24.24.1'], ipRanges: ['10.24.24.0/25'] });
    const r = { gateway: '10.24.24.1', ipRange: '10.24.24.0/25', rangeEnd: '10.24.24.127', rangeStart: '10.24.24.1', subnet: '10.24.24.0/24' };
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { ranges: [[r]], routes: ROUTE4, type: 'host-local' } }));
  });

  it('--aux-address: reserved IPs carved out of the window, recorded in the hidden label', () => {
    const b = bytes({ name: 'foo', subnets: ['10.24.24.0/24'], auxAddresses: ['router=10.24.24.2', 'dns=10.24.24.254'] });
    const set = [
      { gateway: '10.24.24.1', rangeEnd: '10.24.24.1', rangeStart: '10.24.24.1', subnet: '10.24.24.0/24' },
      { gateway: '10.24.24.1', rangeEnd: '10.24.24.253', rangeStart: '10.24.24.3', subnet: '10.24.24.0/24' },
    ];
    const labels = { 'nerdctl/network-aux-addresses': '{"10.24.24.0/24":{"dns":"10.24.24.254","router":"10.24.24.2"}}' };
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { ranges: [set], routes: ROUTE4, type: 'host-local' } }, undefined, labels));
  });

  it('icc=false: "isolated" with firewall >= 1.7.1, else same-bridge and a warning', () => {
    const ipam = { ranges: [[{ gateway: '10.4.1.1', subnet: '10.4.1.0/24' }]], routes: ROUTE4, type: 'host-local' };
    const main = { isGateway: true, ipMasq: true, hairpinMode: true, ipam };
    const isolated = planNetwork({ name: 'foo', options: ['icc=false'] }, input({ firewallVersion: '1.7.1' }));
    assert.equal(isolated.bytes, fooBridge(main, [PORTMAP, { type: 'firewall', ingressPolicy: 'isolated' }, TUNING]));
    assert.deepEqual(isolated.warnings, []);
    const old = planNetwork({ name: 'foo', options: ['com.docker.network.bridge.enable_icc=false'] }, input({ firewallVersion: undefined }));
    assert.equal(old.bytes, fooBridge(main));
    assert.match(old.warnings.join('\n'), /icc=false needs the CNI firewall plugin >= 1\.7\.1/);
  });

  it('rootless: the firewall plugin gets backend iptables', () => {
    const ipam = { ranges: [[{ gateway: '10.4.1.1', subnet: '10.4.1.0/24' }]], routes: ROUTE4, type: 'host-local' };
    assert.equal(
      bytes({ name: 'foo' }, { rootless: true }),
      fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam }, [PORTMAP, { type: 'firewall', backend: 'iptables', ingressPolicy: 'same-bridge' }, TUNING]),
    );
  });

  it('macvlan: master (parent), mode, mtu, nothing chained', () => {
    const b = bytes({ name: 'foo', driver: 'macvlan', options: ['parent=eth0', 'mode=bridge', 'mtu=1500'], subnets: ['192.168.77.0/24'], gateways: ['192.168.77.254'] });
    const ipam = { ranges: [[{ gateway: '192.168.77.254', subnet: '192.168.77.0/24' }]], routes: ROUTE4, type: 'host-local' };
    assert.equal(b, expected({ cniVersion: '1.0.0', name: 'foo', nerdctlID: FOO_ID, plugins: [{ type: 'macvlan', master: 'eth0', mode: 'bridge', mtu: 1500, ipam }] }));
  });

  it('macvlan without parent: master is always written, empty', () => {
    const b = bytes({ name: 'foo', driver: 'macvlan', subnets: ['192.168.77.0/24'] });
    const ipam = { ranges: [[{ gateway: '192.168.77.1', subnet: '192.168.77.0/24' }]], routes: ROUTE4, type: 'host-local' };
    assert.equal(b, expected({ cniVersion: '1.0.0', name: 'foo', nerdctlID: FOO_ID, plugins: [{ type: 'macvlan', master: '', ipam }] }));
  });

  it('ipvlan l3 with --ipv6', () => {
    const b = bytes({ name: 'foo', driver: 'ipvlan', ipv6: true, options: ['ipvlan_mode=l3', 'parent=eth1'], subnets: ['fd00:7::/64', '10.7.0.0/24'] });
    const ranges = [[{ gateway: 'fd00:7::1', subnet: 'fd00:7::/64' }], [{ gateway: '10.7.0.1', subnet: '10.7.0.0/24' }]];
    assert.equal(b, expected({ cniVersion: '1.0.0', name: 'foo', nerdctlID: FOO_ID, plugins: [{ type: 'ipvlan', master: 'eth1', mode: 'l3', ipam: { ranges, routes: ROUTE4, type: 'host-local' }, capabilities: { ips: true } }] }));
  });

  it('dhcp: daemon socket, host-name from the hook, user options (spec 2.4)', () => {
    const b = bytes({ name: 'foo', driver: 'macvlan', ipamDriver: 'dhcp', options: ['parent=eth0'], ipamOptions: ['domain-name={"type":"request","skipDefault":true}', 'vendor={"type":"provide","value":"nerdnet"}'] });
    const ipam = {
      daemonSocketPath: '/run/cni/dhcp.sock',
      provide: [
        { fromArg: 'NERDCTL_CNI_DHCP_HOSTNAME', option: 'host-name', value: '' },
        { fromArg: '', option: 'vendor', value: 'nerdnet' },
      ],
      request: [{ option: 'domain-name', skipDefault: true }],
      type: 'dhcp',
    };
    assert.equal(b, expected({ cniVersion: '1.0.0', name: 'foo', nerdctlID: FOO_ID, plugins: [{ type: 'macvlan', master: 'eth0', ipam }] }));
  });

  it('dhcp on a bridge, with a private daemon socket', () => {
    const b = bytes({ name: 'foo', ipamDriver: 'dhcp' }, { dhcpSocketPath: '/tmp/x/dhcp.sock' });
    const ipam = { daemonSocketPath: '/tmp/x/dhcp.sock', provide: [{ fromArg: 'NERDCTL_CNI_DHCP_HOSTNAME', option: 'host-name', value: '' }], request: null, type: 'dhcp' };
    assert.equal(b, fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam }));
  });

  it('static: ipam {"type":"static"} and the ips capability on the main plugin', () => {
    assert.equal(bytes({ name: 'foo', ipamDriver: 'static' }), fooBridge({ isGateway: true, ipMasq: true, hairpinMode: true, ipam: { type: 'static' }, capabilities: { ips: true } }));
    const mv = bytes({ name: 'foo', driver: 'macvlan', ipamDriver: 'static', options: ['parent=eth0'] });
    assert.equal(mv, expected({ cniVersion: '1.0.0', name: 'foo', nerdctlID: FOO_ID, plugins: [{ type: 'macvlan', master: 'eth0', ipam: { type: 'static' }, capabilities: { ips: true } }] }));
  });

  it('--ipam-driver host-local writes the same file as default', () => {
    assert.equal(bytes({ name: 'foo', ipamDriver: 'host-local' }), bytes({ name: 'foo' }));
  });
});
