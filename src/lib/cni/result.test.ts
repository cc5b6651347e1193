// Ports pkg/types/100/types_test.go, pkg/types/040/types_test.go, the result half of pkg/invoke/exec_test.go,
// and libcni's leniency rules for results (version conversion, Go's case-insensitive keys).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { NerdnetError } from '../errors.js';
import {
  canonicalCIDR,
  canonicalIP,
  convertResult,
  isResult020,
  isResult040,
  isResult100,
  parsePluginOutput,
  parseResult,
  resultToJSON,
} from './result.js';
import type { Result, Result020, Result040, Result100 } from './result.js';

function throwsWith(fn: () => unknown, code: string, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(NerdnetError.is(err), `expected a NerdnetError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

// Byte-exact compact JSON, so key order is asserted too.
function emitted(r: Result): string {
  return JSON.stringify(resultToJSON(r));
}

const DNS_VECTOR = {
  nameservers: ['1.2.3.4', '1::cafe'],
  domain: 'acompany.com',
  search: ['somedomain.com', 'otherdomain.net'],
  options: ['foo', 'bar'],
};

// pkg/types/100/types_test.go testResult(), plus the 1.1.0 interface mtu.
const V110 = {
  cniVersion: '1.1.0',
  interfaces: [
    { name: 'eth0', mac: '00:11:22:33:44:55', mtu: 1500, sandbox: '/proc/3553/ns/net', socketPath: '/path/to/vhost/fd', pciID: '8086:9a01' },
  ],
  ips: [
    { interface: 0, address: '1.2.3.30/24', gateway: '1.2.3.1' },
    { interface: 0, address: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1' },
  ],
  routes: [
    { dst: '15.5.6.0/24', gw: '15.5.6.8' },
    { dst: '1111:dddd::/80', gw: '1111:dddd::aaaa' },
  ],
  dns: DNS_VECTOR,
};

// "correctly encodes a 0.4.0 Result" (Go order puts version first).
const V040 = {
  cniVersion: '0.4.0',
  interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', sandbox: '/proc/3553/ns/net' }],
  ips: [
    { version: '4', interface: 0, address: '1.2.3.30/24', gateway: '1.2.3.1' },
    { version: '6', interface: 0, address: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1' },
  ],
  routes: V110.routes,
  dns: DNS_VECTOR,
};

// "correctly encodes a 0.1.0 Result".
const V010 = {
  cniVersion: '0.1.0',
  ip4: { ip: '1.2.3.30/24', gateway: '1.2.3.1', routes: [{ dst: '15.5.6.0/24', gw: '15.5.6.8' }] },
  ip6: { ip: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1', routes: [{ dst: '1111:dddd::/80', gw: '1111:dddd::aaaa' }] },
  dns: DNS_VECTOR,
};

// Debian loopback 1.1.1: a 0.3.1 result without ips[].version.
const LOOPBACK_031 =
  '{"cniVersion":"0.3.1","interfaces":[{"name":"lo","mac":"00:00:00:00:00:00","sandbox":"/var/run/netns/t"}],' +
  '"ips":[{"interface":0,"address":"127.0.0.1/8"},{"interface":0,"address":"::1/128"}],"dns":{}}';

describe('1.1.0 result (pkg/types/100/types_test.go)', () => {
  const r = parseResult(V110, '1.1.0');

  it('parses to a 1.x result', () => {
    assert.ok(isResult100(r));
    assert.ok(!isResult040(r) && !isResult020(r));
    assert.deepEqual(r, V110);
  });

  it('encodes with Go field order', () => {
    assert.equal(emitted(r), JSON.stringify(V110));
  });

  it('converts to 1.0.0 and back unchanged', () => {
    const v100 = convertResult(r, '1.0.0');
    assert.equal(v100.cniVersion, '1.0.0');
    assert.deepEqual({ ...v100, cniVersion: '1.1.0' }, V110);
    assert.deepEqual(convertResult(v100, '1.1.0'), r);
  });

  it('encodes as 0.4.0', () => {
    assert.equal(emitted(convertResult(r, '0.4.0')), JSON.stringify(V040));
  });

  it('encodes as 0.1.0 and 0.2.0', () => {
    assert.equal(emitted(convertResult(r, '0.1.0')), JSON.stringify(V010));
    assert.equal(emitted(convertResult(r, '0.2.0')), JSON.stringify({ ...V010, cniVersion: '0.2.0' }));
  });

  it('up-converts the 0.4.0 encoding to 1.1.0 (1.1.0-only interface fields are gone)', () => {
    const up = convertResult(parseResult(V040, '0.4.0'), '1.1.0');
    assert.deepEqual(up, {
      ...V110,
      interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', sandbox: '/proc/3553/ns/net' }],
    });
  });

  it('up-converts the 0.1.0 encoding to 1.1.0 (no interfaces, no ips[].interface)', () => {
    const up = convertResult(parseResult(V010, '0.1.0'), '1.1.0');
    assert.equal(
      emitted(up),
      JSON.stringify({
        cniVersion: '1.1.0',
        ips: [
          { address: '1.2.3.30/24', gateway: '1.2.3.1' },
          { address: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1' },
        ],
        routes: V110.routes,
        dns: DNS_VECTOR,
      }),
    );
  });

  it('round-trips interface index 0 and omits a missing index', () => {
    const withIndex = parseResult({ cniVersion: '1.0.0', ips: [{ interface: 0, address: '10.1.2.3/24' }] }, '1.0.0');
    assert.equal(emitted(withIndex), '{"cniVersion":"1.0.0","ips":[{"interface":0,"address":"10.1.2.3/24"}]}');
    assert.deepEqual(parseResult(resultToJSON(withIndex), '1.0.0'), withIndex);
    const without = parseResult({ cniVersion: '1.0.0', ips: [{ address: '10.1.2.3/24' }] }, '1.0.0');
    assert.equal(emitted(without), '{"cniVersion":"1.0.0","ips":[{"address":"10.1.2.3/24"}]}');
  });

  it('rejects a non-string address, naming the field', () => {
    throwsWith(() => parseResult({ cniVersion: '1.0.0', ips: [{ address: 5 }] }, '1.0.0'), 'ERR_PLUGIN_FAILED', 'invalid CNI result: ips[0].address: expected a CIDR string, got number 5');
  });
});

describe('0.3.x / 0.4.0 results (pkg/types/040/types_test.go)', () => {
  const v031 = { ...V040, cniVersion: '0.3.1' };

  it('encodes a 0.3.1 result', () => {
    const r = parseResult(v031, '0.3.1');
    assert.ok(isResult040(r));
    assert.equal(emitted(r), JSON.stringify(v031));
  });

  it('encodes a 0.3.1 result as 0.1.0', () => {
    assert.equal(emitted(convertResult(parseResult(v031, '0.3.1'), '0.1.0')), JSON.stringify(V010));
  });

  it('converts between 0.3.0, 0.3.1 and 0.4.0 by changing only the version', () => {
    const r = parseResult(v031, '0.3.1');
    for (const to of ['0.3.0', '0.4.0'] as const) assert.deepEqual(convertResult(r, to), { ...r, cniVersion: to });
  });

  for (const [label, withGw] of [
    ['with', true],
    ['without', false],
  ] as const) {
    it(`round-trips a 0.2.0 result ${label} route gateways through 0.4.0`, () => {
      const v4Route = withGw ? { dst: '15.5.6.0/24', gw: '15.5.6.8' } : { dst: '15.5.6.0/24' };
      const v6Route = withGw ? { dst: '1111:dddd::/80', gw: '1111:dddd::aaaa' } : { dst: '1111:dddd::/80' };
      const orig = {
        cniVersion: '0.2.0',
        ip4: { ip: '1.2.3.30/24', gateway: '1.2.3.1', routes: [v4Route] },
        ip6: { ip: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1', routes: [v6Route] },
        dns: DNS_VECTOR,
      };
      const r020 = parseResult(orig, '0.2.0');
      const r040 = convertResult(r020, '0.4.0');
      assert.deepEqual(r040.routes, [v4Route, v6Route]);
      assert.equal(r040.interfaces, undefined);
      const back = convertResult(r040, '0.2.0');
      assert.equal(emitted(back), JSON.stringify(orig));
    });
  }

  it('fails to down-convert a result with no IPs', () => {
    const r = parseResult({ ...v031, ips: [], routes: [] }, '0.3.1');
    throwsWith(() => convertResult(r, '0.2.0'), 'ERR_VERSION', 'cannot convert: no valid IP addresses');
    const r100 = parseResult({ cniVersion: '1.0.0', interfaces: [{ name: 'eth0' }] }, '1.0.0');
    throwsWith(() => convertResult(r100, '0.1.0'), 'ERR_VERSION', 'cannot convert: no valid IP addresses');
  });

  it('skips null ips and routes entries (libcni HEAD)', () => {
    const r = parseResult({ ...v031, ips: [null, ...v031.ips], routes: [null, ...v031.routes] }, '0.3.1');
    const down = convertResult(r, '0.2.0');
    assert.equal(down.ip4?.ip, '1.2.3.30/24');
    assert.equal(down.ip6?.ip, 'abcd:1234:ffff::cdde/64');
    assert.deepEqual(down.ip4?.routes, [{ dst: '15.5.6.0/24', gw: '15.5.6.8' }]);
  });

  it('encodes version before interface in ips', () => {
    const r = parseResult({ cniVersion: '0.4.0', ips: [{ version: '4', interface: 0, address: '10.1.2.3/24' }] }, '0.4.0');
    assert.equal(emitted(r), '{"cniVersion":"0.4.0","ips":[{"version":"4","interface":0,"address":"10.1.2.3/24"}],"dns":{}}');
  });

  it('drops 1.1.0-only interface fields from a 0.4.0 result', () => {
    const r = parseResult({ cniVersion: '0.4.0', interfaces: [{ name: 'eth0', mtu: 1500, pciID: 'x' }] }, '0.4.0') as Result040;
    assert.deepEqual(r.interfaces, [{ name: 'eth0' }]);
  });
});

describe('lenient parsing (spec 1.7, 8)', () => {
  it('infers ips[].version for Debian loopback\'s 0.3.1 result', () => {
    const r = parsePluginOutput(LOOPBACK_031, '{"cniVersion":"0.3.1","name":"lo","type":"loopback"}') as Result040;
    assert.equal(r.cniVersion, '0.3.1');
    assert.deepEqual(r.ips?.map((ip) => ip.version), ['4', '6']);
    assert.equal(r.dns, undefined);
    const down = convertResult(r, '0.2.0');
    assert.equal(down.ip4?.ip, '127.0.0.1/8');
    assert.equal(down.ip6?.ip, '::1/128');
  });

  it('derives version from the address when it contradicts it', () => {
    const r = parseResult({ cniVersion: '0.4.0', ips: [{ version: '4', address: 'fd00::2/64' }] }, '0.4.0') as Result040;
    assert.equal(r.ips?.[0]?.version, '6');
  });

  it('rejects a version that is neither "4" nor "6"', () => {
    throwsWith(() => parseResult({ cniVersion: '0.4.0', ips: [{ version: '5', address: '10.0.0.2/24' }] }, '0.4.0'), 'ERR_PLUGIN_FAILED', 'invalid CNI result: ips[0].version: expected "4" or "6", got string "5"');
  });

  it('accepts Debian\'s "dns":{} on 1.0.0 and drops it when emitting', () => {
    const stdout = '{\n    "cniVersion": "1.0.0",\n    "interfaces": [{"name": "eth0", "sandbox": "/var/run/netns/t"}],\n    "ips": [{"interface": 0, "address": "10.200.0.2/24", "gateway": "10.200.0.1"}],\n    "dns": {}\n}';
    const r = parsePluginOutput(stdout, '{"cniVersion":"1.0.0"}');
    assert.equal(r.dns, undefined);
    assert.equal(
      emitted(r),
      '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/t"}],"ips":[{"interface":0,"address":"10.200.0.2/24","gateway":"10.200.0.1"}]}',
    );
  });

  it('normalises PascalCase keys from Go producers', () => {
    const raw = {
      CNIVersion: '0.3.1',
      Interfaces: [{ Name: 'eth0', Mac: 'aa:bb:cc:dd:ee:ff', Sandbox: '/run/netns/x' }],
      IPs: [{ Version: '4', Interface: 0, Address: '10.0.0.2/24', Gateway: '10.0.0.1' }],
      Routes: [{ Dst: '0.0.0.0/0', GW: '10.0.0.1', MTU: 1400, AdvMSS: 1360 }],
      DNS: { Nameservers: ['10.0.0.1'], Search: ['example.test'] },
    };
    assert.deepEqual(parseResult(raw, '1.0.0'), {
      cniVersion: '0.3.1',
      interfaces: [{ name: 'eth0', mac: 'aa:bb:cc:dd:ee:ff', sandbox: '/run/netns/x' }],
      ips: [{ version: '4', interface: 0, address: '10.0.0.2/24', gateway: '10.0.0.1' }],
      routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1', mtu: 1400, advmss: 1360 }],
      dns: { nameservers: ['10.0.0.1'], search: ['example.test'] },
    });
  });

  it('accepts SPEC 0.3.0\'s misnamed `ip` list', () => {
    const r = parseResult({ cniVersion: '0.3.0', ip: [{ version: '4', address: '10.0.0.2/24' }] }, '0.3.0') as Result040;
    assert.deepEqual(r.ips, [{ version: '4', address: '10.0.0.2/24' }]);
  });

  it('treats null, "" and empty lists as absent and ignores unknown keys', () => {
    const r = parseResult(
      { cniVersion: '1.1.0', interfaces: null, ips: [{ address: '10.0.0.2/24', gateway: '' }], routes: [], dns: null, extra: { x: 1 } },
      '1.1.0',
    );
    assert.deepEqual(r, { cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24' }] });
  });

  it('canonicalises addresses as Go prints them', () => {
    const r = parseResult(
      {
        cniVersion: '1.0.0',
        ips: [
          { address: 'ABCD:1234:FFFF:0:0:0:0:CDDE/64', gateway: 'ABCD:1234:FFFF::0001' },
          { address: '::ffff:10.1.2.3/120', gateway: '::ffff:10.1.2.1' },
        ],
        routes: [{ dst: '0:0:0:0:0:0:0:0/0', gw: '1:0:0:1:0:0:0:1' }],
      },
      '1.0.0',
    ) as Result100;
    assert.deepEqual(r.ips, [
      { address: 'abcd:1234:ffff::cdde/64', gateway: 'abcd:1234:ffff::1' },
      { address: '10.1.2.3/24', gateway: '10.1.2.1' },
    ]);
    assert.deepEqual(r.routes, [{ dst: '::/0', gw: '1:0:0:1::1' }]);
  });

  it('keeps host bits in addresses (10.1.0.5/16, not the network)', () => {
    const r = parseResult({ cniVersion: '1.0.0', ips: [{ address: '10.1.0.5/16' }] }, '1.0.0') as Result100;
    assert.equal(r.ips?.[0]?.address, '10.1.0.5/16');
  });
});

describe('result version resolution (spec 1.9, pkg/invoke/exec_test.go)', () => {
  it('parses a legacy 0.2.0 result for a 0.2.0 config', () => {
    const r = parsePluginOutput('{ "ip4": { "ip": "1.2.3.4/24" } }', '{ "some": "stdin", "cniVersion": "0.2.0" }') as Result020;
    assert.equal(r.cniVersion, '0.2.0');
    assert.equal(r.ip4?.ip, '1.2.3.4/24');
  });

  it('uses the config version when the result has none (0.3.1)', () => {
    const r = parsePluginOutput('{ "ips": [ { "version": "4", "address": "1.2.3.4/24" } ] }', '{ "some": "stdin", "cniVersion": "0.3.1" }');
    assert.equal(r.cniVersion, '0.3.1');
    assert.ok(isResult040(r));
  });

  it('uses the config version when the result version is empty or not a string', () => {
    assert.equal(parsePluginOutput('{ "cniVersion": "", "ips": [] }', '{"cniVersion":"0.3.1"}').cniVersion, '0.3.1');
    assert.equal(parsePluginOutput('{ "cniVersion": 1 }', '{"cniVersion":"1.0.0"}').cniVersion, '1.0.0');
  });

  it('falls back to 0.1.0 when both are missing (legacy V010 example)', () => {
    const stdout =
      '{"ip4":{"ip":"10.1.2.3/24","gateway":"10.1.2.1","routes":[{"dst":"0.0.0.0/0","gw":"10.1.0.1"}]},' +
      '"dns":{"nameservers":["8.8.8.8"],"domain":"example.com"}}';
    const r = parsePluginOutput(stdout, '{ "some": "stdin" }');
    assert.deepEqual(r, {
      cniVersion: '0.1.0',
      ip4: { ip: '10.1.2.3/24', gateway: '10.1.2.1', routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }] },
      dns: { nameservers: ['8.8.8.8'], domain: 'example.com' },
    });
    assert.equal(parseResult({}, '').cniVersion, '0.1.0');
  });

  it('keeps the result\'s own version, not the config\'s', () => {
    assert.equal(parsePluginOutput(LOOPBACK_031, '{"cniVersion":"1.0.0"}').cniVersion, '0.3.1');
  });

  it('treats `null` stdout as an empty result of the config version', () => {
    assert.deepEqual(parsePluginOutput('null', '{"cniVersion":"1.0.0"}'), { cniVersion: '1.0.0' });
  });

  it('parses an error object printed with exit 0 as an empty result (spec 2.5)', () => {
    assert.deepEqual(parsePluginOutput('{"code":7,"msg":"bad"}', '{"cniVersion":"0.4.0"}'), { cniVersion: '0.4.0' });
  });

  it('rejects unsupported result versions', () => {
    throwsWith(() => parsePluginOutput('{"cniVersion":"0.5.0"}', '{"cniVersion":"1.0.0"}'), 'ERR_VERSION', 'unsupported CNI result version "0.5.0"');
    throwsWith(() => parsePluginOutput('{}', '{"cniVersion":"1.2.3"}'), 'ERR_VERSION', 'unsupported CNI result version "1.2.3"');
    throwsWith(() => parseResult({ cniVersion: '5678.456' }, '0.3.0'), 'ERR_VERSION', 'unsupported CNI result version "5678.456"');
  });

  it('fails on empty or invalid stdout with libcni\'s prefix', () => {
    throwsWith(() => parsePluginOutput(Buffer.alloc(0), '{"cniVersion":"1.0.0"}'), 'ERR_PLUGIN_FAILED', 'failed to unmarshal raw result: unexpected end of JSON input');
    throwsWith(() => parsePluginOutput('garbage', '{"cniVersion":"1.0.0"}'), 'ERR_PLUGIN_FAILED', /^failed to unmarshal raw result: /);
    throwsWith(() => parsePluginOutput('[1]', '{"cniVersion":"1.0.0"}'), 'ERR_PLUGIN_FAILED', 'failed to unmarshal raw result: expected a JSON object, got array');
  });

  it('fails when the request config cannot be decoded', () => {
    throwsWith(() => parsePluginOutput('{}', 'not json'), 'ERR_INVALID_CONFIG', /^decoding version from network config: /);
  });

  it('rejects a non-object raw result in parseResult', () => {
    throwsWith(() => parseResult('1.0.0', '1.0.0'), 'ERR_PLUGIN_FAILED', 'invalid CNI result: expected a JSON object, got string "1.0.0"');
  });
});

describe('shape validation names the offending field', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['bad address', { ips: [{ address: '10.0.0.2' }] }, 'ips[0].address: invalid CIDR address: 10.0.0.2'],
    ['missing address', { ips: [{ gateway: '10.0.0.1' }] }, 'ips[0].address: missing CIDR address'],
    ['bad gateway', { ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.300' }] }, 'ips[0].gateway: invalid IP address: 10.0.0.300'],
    ['negative interface index', { ips: [{ interface: -1, address: '10.0.0.2/24' }] }, 'ips[0].interface: expected an index >= 0, got -1'],
    ['fractional interface index', { ips: [{ interface: 0.5, address: '10.0.0.2/24' }] }, 'ips[0].interface: expected an integer, got number 0.5'],
    ['missing route dst', { routes: [{ gw: '10.0.0.1' }] }, 'routes[0].dst: missing CIDR address'],
    ['prefix too long', { routes: [{ dst: '10.0.0.0/33' }] }, 'routes[0].dst: invalid CIDR address: 10.0.0.0/33'],
    ['zoned address', { routes: [{ dst: 'fe80::/64', gw: 'fe80::1%eth0' }] }, 'routes[0].gw: invalid IP address: fe80::1%eth0'],
    ['string mtu', { routes: [{ dst: '0.0.0.0/0', mtu: '1500' }] }, 'routes[0].mtu: expected an integer, got string "1500"'],
    ['interfaces not a list', { interfaces: { name: 'eth0' } }, 'interfaces: expected an array, got object'],
    ['null interface entry', { interfaces: [null] }, 'interfaces[0]: expected an object, got null'],
    ['missing interface name', { interfaces: [{ mac: 'aa' }] }, 'interfaces[0].name: missing interface name'],
    ['numeric mac', { interfaces: [{ name: 'eth0', mac: 5 }] }, 'interfaces[0].mac: expected a string, got number 5'],
    ['dns not an object', { dns: ['1.1.1.1'] }, 'dns: expected an object, got array'],
    ['non-string search entry', { dns: { search: ['a', 2] } }, 'dns.search[1]: expected a string, got number 2'],
  ];
  for (const [label, body, problem] of cases) {
    it(label, () => {
      throwsWith(() => parseResult({ cniVersion: '1.1.0', ...body }, '1.1.0'), 'ERR_PLUGIN_FAILED', `invalid CNI result: ${problem}`);
    });
  }

  it('validates legacy ip4/ip6 blocks', () => {
    throwsWith(() => parseResult({ cniVersion: '0.2.0', ip4: { ip: 'nope' } }, '0.2.0'), 'ERR_PLUGIN_FAILED', 'invalid CNI result: ip4.ip: invalid CIDR address: nope');
    throwsWith(() => parseResult({ cniVersion: '0.2.0', ip6: 'fd00::2/64' }, '0.2.0'), 'ERR_PLUGIN_FAILED', 'invalid CNI result: ip6: expected an object, got string "fd00::2/64"');
    throwsWith(
      () => parseResult({ cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24', routes: [{ dst: 'x' }] } }, '0.2.0'),
      'ERR_PLUGIN_FAILED',
      'invalid CNI result: ip4.routes[0].dst: invalid CIDR address: x',
    );
  });
});

describe('convertResult rules (spec 1.8)', () => {
  const r110 = parseResult(V110, '1.1.0') as Result100;

  it('treats target "" as 0.1.0', () => {
    const r = convertResult(r110, '');
    assert.equal(r.cniVersion, '0.1.0');
    assert.ok(isResult020(r));
  });

  it('fails with no converter for unknown versions', () => {
    throwsWith(() => convertResult(r110, '2.0.0'), 'ERR_VERSION', 'no converter for CNI result version 1.1.0 to 2.0.0');
    throwsWith(() => convertResult(r110, '1.1.0.0'), 'ERR_VERSION', 'no converter for CNI result version 1.1.0 to 1.1.0.0');
    const bogus = { cniVersion: '0.5.0' } as unknown as Result;
    throwsWith(() => convertResult(bogus, '1.0.0'), 'ERR_VERSION', 'no converter for CNI result version 0.5.0 to 1.0.0');
  });

  it('returns a copy for the same version', () => {
    const same = convertResult(r110, '1.1.0');
    assert.deepEqual(same, r110);
    assert.notEqual(same, r110);
    same.ips?.pop();
    assert.equal(r110.ips?.length, 2);
  });

  it('keeps extended route fields when going to 0.4.0 but only dst/gw for 0.2.0', () => {
    const r = parseResult(
      { cniVersion: '1.1.0', ips: [{ address: '10.0.0.2/24' }], routes: [{ dst: '0.0.0.0/0', gw: '10.0.0.1', mtu: 1400, advmss: 1360, priority: 5, table: 100, scope: 0 }] },
      '1.1.0',
    );
    assert.deepEqual(convertResult(r, '0.4.0').routes, [{ dst: '0.0.0.0/0', gw: '10.0.0.1', mtu: 1400, advmss: 1360, priority: 5, table: 100, scope: 0 }]);
    assert.deepEqual(convertResult(r, '0.2.0').ip4?.routes, [{ dst: '0.0.0.0/0', gw: '10.0.0.1' }]);
  });

  it('down-converts only the first IP of each family and drops routes of a family without an IP', () => {
    const r = parseResult(
      {
        cniVersion: '1.0.0',
        ips: [{ address: '10.0.0.2/24' }, { address: '10.0.1.2/24' }],
        routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0', gw: 'fd00::1' }],
      },
      '1.0.0',
    );
    const down = convertResult(r, '0.2.0');
    assert.deepEqual(down, { cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24', routes: [{ dst: '0.0.0.0/0' }] } });
  });

  it('up-converts 0.2.0 ip6-only results with routes from both blocks in order', () => {
    const r = parseResult({ cniVersion: '0.2.0', ip6: { ip: 'fd00::2/64', routes: [{ dst: '::/0', gw: 'fd00::1' }] } }, '0.2.0');
    assert.deepEqual(convertResult(r, '0.3.0'), {
      cniVersion: '0.3.0',
      ips: [{ version: '6', address: 'fd00::2/64' }],
      routes: [{ dst: '::/0', gw: 'fd00::1' }],
    });
  });

  it('converts 0.1.0 <-> 0.2.0 by copying', () => {
    const r = parseResult(V010, '0.1.0');
    const r020 = convertResult(r, '0.2.0');
    assert.deepEqual(r020, { ...r, cniVersion: '0.2.0' });
    assert.deepEqual(convertResult(r020, '0.1.0'), r);
  });

  it('converts every known pair without throwing for a dual-stack result', () => {
    const versions = ['0.1.0', '0.2.0', '0.3.0', '0.3.1', '0.4.0', '1.0.0', '1.1.0'];
    for (const from of versions) {
      const src = convertResult(r110, from);
      for (const to of versions) assert.equal(convertResult(src, to).cniVersion, to, `${from} -> ${to}`);
    }
  });
});

describe('resultToJSON (Go omitempty)', () => {
  it('omits zero mtu/advmss/priority and keeps table/scope 0', () => {
    const r: Result100 = { cniVersion: '1.1.0', routes: [{ dst: '10.0.0.0/8', mtu: 0, advmss: 0, priority: 0, table: 0, scope: 0 }] };
    assert.equal(emitted(r), '{"cniVersion":"1.1.0","routes":[{"dst":"10.0.0.0/8","table":0,"scope":0}]}');
  });

  it('emits route fields in Go order', () => {
    const r: Result100 = { cniVersion: '1.1.0', routes: [{ scope: 253, table: 254, priority: 9, advmss: 1360, mtu: 1400, gw: '10.0.0.1', dst: '10.0.0.0/8' }] };
    assert.equal(emitted(r), '{"cniVersion":"1.1.0","routes":[{"dst":"10.0.0.0/8","gw":"10.0.0.1","mtu":1400,"advmss":1360,"priority":9,"table":254,"scope":253}]}');
  });

  it('drops empty optional strings, lists and the empty 1.x dns', () => {
    const r: Result100 = { cniVersion: '1.0.0', interfaces: [{ name: 'eth0', mac: '', mtu: 0, sandbox: '' }], ips: [], routes: [], dns: { nameservers: [], domain: '' } };
    assert.equal(emitted(r), '{"cniVersion":"1.0.0","interfaces":[{"name":"eth0"}]}');
  });

  it('always emits dns for 0.x results, as Go does', () => {
    assert.equal(emitted({ cniVersion: '0.4.0' }), '{"cniVersion":"0.4.0","dns":{}}');
    assert.equal(emitted({ cniVersion: '0.2.0', ip4: { ip: '10.0.0.2/24' } }), '{"cniVersion":"0.2.0","ip4":{"ip":"10.0.0.2/24"},"dns":{}}');
  });

  it('emits the 1.1.0 interface fields in Go order', () => {
    const r: Result100 = { cniVersion: '1.1.0', interfaces: [{ pciID: 'p', socketPath: 's', sandbox: '/n', mtu: 9000, mac: 'm', name: 'net1' }] };
    assert.equal(emitted(r), '{"cniVersion":"1.1.0","interfaces":[{"name":"net1","mac":"m","mtu":9000,"sandbox":"/n","socketPath":"s","pciID":"p"}]}');
  });
});

describe('IP text helpers', () => {
  it('canonicalIP follows Go ParseIP/String', () => {
    assert.deepEqual(canonicalIP('10.0.0.1'), { text: '10.0.0.1', family: 4 });
    assert.deepEqual(canonicalIP('::FFFF:10.0.0.1'), { text: '10.0.0.1', family: 4 });
    assert.deepEqual(canonicalIP('2001:db8:0:0:1:0:0:1'), { text: '2001:db8::1:0:0:1', family: 6 });
    assert.deepEqual(canonicalIP('::1.2.3.4'), { text: '::102:304', family: 6 });
    // RFC 5952: a single zero group is not compressed; on a tie the first run is.
    assert.equal(canonicalIP('2001:db8:0:1:1:1:1:1')?.text, '2001:db8:0:1:1:1:1:1');
    assert.equal(canonicalIP('1:0:0:2:3:0:0:4')?.text, '1::2:3:0:0:4');
    for (const bad of ['010.0.0.1', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '::1:2:3:4:5:6:7:8', 'g::1', ' 10.0.0.1', '']) {
      assert.equal(canonicalIP(bad), null, bad);
    }
  });

  it('canonicalCIDR checks the prefix against the family', () => {
    assert.equal(canonicalCIDR('fd00::/128')?.text, 'fd00::/128');
    assert.equal(canonicalCIDR('fd00::/129'), null);
    assert.equal(canonicalCIDR('10.0.0.1/024')?.text, '10.0.0.1/24');
    assert.equal(canonicalCIDR('10.0.0.1/'), null);
    assert.equal(canonicalCIDR('10.0.0.1/-1'), null);
  });
});
