// --mac-address, --ip and --ip6 are refused when the plugins would reject or ignore them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confListFromBytes } from '../cni/conf.js';
import { NerdnetError } from '../errors.js';
import type { ResolvedNetwork } from '../attachment/networks.js';
import { checkNetworkRequest } from './network-checks.js';
import type { NetworkRequest } from './types.js';

// A resolved network whose first plugin is `main` (type, ipam, capabilities), portmap after it.
function network(name: string, main: Record<string, unknown>): ResolvedNetwork {
  const list = confListFromBytes(Buffer.from(JSON.stringify({ cniVersion: '1.0.0', name, plugins: [{ type: 'bridge', ...main }, { type: 'portmap', capabilities: { portMappings: true } }] })));
  return { requested: name, record: { name, file: `/x/${name}.conflist`, raw: {}, list }, list };
}
const v4 = network('v4', { ipam: { type: 'host-local', ranges: [[{ subnet: '10.4.1.0/24', gateway: '10.4.1.1' }]] } });
const ranged = network('ranged', { ipam: { type: 'host-local', ranges: [[{ subnet: '10.4.2.0/24', rangeStart: '10.4.2.128', rangeEnd: '10.4.2.191' }]] } });
const dual = network('dual', { capabilities: { ips: true }, ipam: { type: 'host-local', ranges: [[{ subnet: '10.4.3.0/24' }], [{ subnet: 'fd00:4:3::/64' }]] } });
const v6only = network('v6', { capabilities: { ips: true }, ipam: { type: 'host-local', ranges: [[{ subnet: 'fd00:4:6::/64' }]] } });
const staticIpam = network('st', { capabilities: { ips: true }, ipam: { type: 'static', addresses: [{ address: '10.4.4.2/24' }] } });

const req = (extra: Partial<NetworkRequest>): NetworkRequest => ({ networks: [], dns: [], dnsSearch: [], dnsOpt: [], addHost: [], publish: [], ...extra });
const refused = (extra: Partial<NetworkRequest>, nets: ResolvedNetwork[], re: RegExp): void =>
  assert.throws(() => checkNetworkRequest(req(extra), nets), (e: unknown) => NerdnetError.is(e) && e.code === 'ERR_INVALID_ARG' && re.test(e.message));

describe('checkNetworkRequest', () => {
  it('--mac-address: multicast, broadcast and all-zero are refused by name; a unicast one passes', () => {
    refused({ mac: '01:00:5e:00:00:01' }, [v4], /--mac-address 01:00:5e:00:00:01: it is a multicast address.*give a unicast address/);
    refused({ mac: '33:33:00:00:00:01' }, [v4], /33:33:00:00:00:01: it is a multicast/);
    refused({ mac: 'ff:ff:ff:ff:ff:ff' }, [v4], /ff:ff:ff:ff:ff:ff: it is the broadcast address/);
    refused({ mac: '00:00:00:00:00:00' }, [v4], /00:00:00:00:00:00: the all-zero address/);
    refused({ mac: '02:42:ac:11:00' }, [v4], /give six hex pairs/);
    checkNetworkRequest(req({ mac: '02:42:AC:11:00:02' }), [v4]);
  });

  it('--ip: a CIDR, the gateway, an address outside the subnet or the ip-range are refused', () => {
    refused({ ip: '10.4.1.7/24' }, [v4], /invalid --ip "10\.4\.1\.7\/24": give an address without a prefix length, e\.g\. 10\.4\.1\.7/);
    refused({ ip: '10.4.9.7' }, [v4], /--ip 10\.4\.9\.7 is outside network "v4" \(10\.4\.1\.0\/24\)/);
    refused({ ip: '10.4.1.1' }, [v4], /--ip 10\.4\.1\.1 is the gateway of network "v4"/);
    refused({ ip: '10.4.1.255' }, [v4], /outside the addresses network "v4" hands out \(10\.4\.1\.1-10\.4\.1\.254\)/);
    refused({ ip: '10.4.1.0' }, [v4], /outside the addresses/);
    refused({ ip: '10.4.2.7' }, [ranged], /--ip 10\.4\.2\.7 is outside the addresses network "ranged" hands out \(10\.4\.2\.128-10\.4\.2\.191\)/);
    refused({ ip: '10.4.1.7' }, [v4, ranged], /outside network "ranged"/);
    refused({ ip: '10.4.1.7' }, [v6only], /--ip 10\.4\.1\.7 cannot be used on network "v6": it has no IPv4 subnet; pick a network with an IPv4 subnet or drop --ip/);
    checkNetworkRequest(req({ ip: '10.4.1.254' }), [v4]);
    checkNetworkRequest(req({ ip: '10.4.2.130' }), [ranged]);
    checkNetworkRequest(req({ ip: '10.4.3.9' }), [dual]);
  });

  it('--ip6: refused on an IPv4-only network, as a CIDR, or outside the IPv6 subnet; used on --ipv6 and static networks', () => {
    refused({ ip6: 'fd00:4:3::9' }, [v4], /--ip6 fd00:4:3::9 cannot be used on network "v4": it has no IPv6 subnet; create a network with --ipv6/);
    refused({ ip6: 'fd00:4:3::9' }, [dual, v4], /network "v4": it has no IPv6 subnet/);
    refused({ ip6: 'fd00:4:3::9/64' }, [dual], /invalid --ip6 "fd00:4:3::9\/64": give an address without a prefix length/);
    refused({ ip6: 'fd00:9::9' }, [dual], /--ip6 fd00:9::9 is outside network "dual" \(fd00:4:3::\/64\)/);
    refused({ ip6: '10.4.3.9' }, [dual], /give an IPv6 address/);
    checkNetworkRequest(req({ ip6: 'fd00:4:3::9' }), [dual]);
    checkNetworkRequest(req({ ip6: 'fd00:4:6::9' }), [v6only]);
    checkNetworkRequest(req({ ip6: 'fd00:4:4::9' }), [staticIpam]);
  });
});
