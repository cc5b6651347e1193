import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatCIDR } from '../ip/index.js';
import { natPortUses, parseNatRule, splitRuleTokens } from './nat.js';

// `iptables -t nat -S` after portmap ADDed two containers; CNI-DN-5678's rules are not in the listing.
const NAT_V4 = String.raw`-P PREROUTING ACCEPT
-P INPUT ACCEPT
-P OUTPUT ACCEPT
-P POSTROUTING ACCEPT
-N CNI-DN-1234abcd
-N CNI-HOSTPORT-DNAT
-N CNI-HOSTPORT-MASQ
-N CNI-HOSTPORT-SETMARK
-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT
-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ
-A CNI-DN-1234abcd -s 10.4.0.0/24 -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-1234abcd -s 127.0.0.1/32 -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-1234abcd -d 127.0.0.1/32 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.4.0.5:80
-A CNI-DN-1234abcd -s 10.4.0.0/24 -p tcp -m tcp --dport 8443 -j CNI-HOSTPORT-SETMARK
-A CNI-DN-1234abcd -p tcp -m tcp --dport 8443 -j DNAT --to-destination 10.4.0.5:443
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \"bridge\" id: \"default-abc\"" -m multiport --dports 8080,8443 -j CNI-DN-1234abcd
-A CNI-HOSTPORT-DNAT -p udp -m comment --comment "dnat name: \"bridge\" id: \"default-def\"" -m multiport --dports 5353,5354 -j CNI-DN-5678
-A CNI-HOSTPORT-DNAT -p sctp -m comment --comment "dnat name: \"bridge\" id: \"default-ghi\"" -m multiport --dports 7000:7002 -j CNI-DN-9abc
-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE
-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000
-A DOCKER -p tcp -m tcp --dport 9999 -j DNAT --to-destination 172.17.0.2:80
`;

const NAT_V6 = `-N CNI-DN-ffff
-A CNI-DN-ffff -d ::1/128 -p tcp -m tcp --dport 9090 -j DNAT --to-destination [fd00::5]:80
-A CNI-DN-ffff -p tcp -m tcp --dport 9091 -j DNAT --to-destination [fd00::5]:81
-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"v6\\" id: \\"x\\"" -m multiport --dports 9090,9091 -j CNI-DN-ffff
`;

const view = (text: string, family: 4 | 6): string[] =>
  [...new Set(natPortUses(text, family).map((u) => `${u.protocol ?? '*'} ${u.scope ? formatCIDR(u.scope) : '*'} ${u.port}`))].sort();

void describe('splitRuleTokens', () => {
  void it('keeps quoted comments whole', () => {
    assert.deepEqual(splitRuleTokens(String.raw`-A X -m comment --comment "dnat name: \"bridge\" id: \"a b\"" -j Y`), ['-A', 'X', '-m', 'comment', '--comment', 'dnat name: "bridge" id: "a b"', '-j', 'Y']);
    assert.deepEqual(splitRuleTokens('  -A   X  ""  '), ['-A', 'X', '']);
  });
});

void describe('parseNatRule', () => {
  // nerdctl's pkg/portutil/iptable tests, with the protocol kept.
  const cases: Array<[string, { protocol?: string; destination?: string; ports: number[]; jump?: string } | undefined]> = [
    ['-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"bridge\\" id: \\"some-id\\"" -m multiport --dports 8080 -j CNI-DN-some-hash', { protocol: 'tcp', ports: [8080], jump: 'CNI-DN-some-hash' }],
    ['-A CNI-HOSTPORT-DNAT -p tcp -m multiport --dports 8080,9090 -j CNI-DN-some-hash', { protocol: 'tcp', ports: [8080, 9090], jump: 'CNI-DN-some-hash' }],
    ['-A CNI-DN-some-hash -d 192.168.1.141/32 -p tcp -m tcp --dport 80 -j DNAT --to-destination 10.4.0.2:80', { protocol: 'tcp', destination: '192.168.1.141/32', ports: [80], jump: 'DNAT' }],
    ['-A CNI-DN-hash1 -d 10.0.0.1 -p tcp -m tcp --dport 443 -j DNAT --to-destination 10.4.0.2:443', { protocol: 'tcp', destination: '10.0.0.1/32', ports: [443], jump: 'DNAT' }],
    ['-A CNI-DN-h -p udp -m udp --dport 5000:5002 -j DNAT', { protocol: 'udp', ports: [5000, 5001, 5002], jump: 'DNAT' }],
    ['-A CNI-DN-h ! -d 10.0.0.1/32 -p tcp ! --dport 22 -j DNAT', { protocol: 'tcp', ports: [], jump: 'DNAT' }],
    ['-N CNI-DN-h', undefined],
    ['-P PREROUTING ACCEPT', undefined],
    ['', undefined],
  ];
  for (const [line, want] of cases) {
    void it(line || '(empty)', () => {
      const got = parseNatRule(line);
      if (!want) return assert.equal(got, undefined);
      assert.ok(got);
      assert.deepEqual(
        { protocol: got.protocol, destination: got.destination && formatCIDR(got.destination), ports: got.ports, jump: got.jump },
        { protocol: want.protocol, destination: want.destination, ports: want.ports, jump: want.jump },
      );
    });
  }
});

void describe('natPortUses', () => {
  void it('takes ports and addresses from CNI-DN-* chains, and CNI-HOSTPORT-DNAT only for unlisted chains', () => {
    assert.deepEqual(view(NAT_V4, 4), ['sctp 0.0.0.0/0 7000', 'sctp 0.0.0.0/0 7001', 'sctp 0.0.0.0/0 7002', 'tcp 0.0.0.0/0 8443', 'tcp 127.0.0.1/32 8080', 'udp 0.0.0.0/0 5353', 'udp 0.0.0.0/0 5354']);
  });
  void it('scopes ip6tables rules to IPv6', () => {
    assert.deepEqual(view(NAT_V6, 6), ['tcp ::/0 9091', 'tcp ::1/128 9090']);
  });
  void it('ignores other chains and empty text', () => {
    assert.deepEqual(view('-A DOCKER -p tcp --dport 1 -j DNAT\n-A PREROUTING -p tcp --dport 2 -j X', 4), []);
    assert.deepEqual(view('', 4), []);
  });
});
