// meta.json: nerdctl's bytes, lenient reading, and refusal of values that could inject lines.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cniResult } from '../../../test/fixtures/etc/make-meta.js';
import { makeHostsMeta, parseHostsMeta, serializeHostsMeta } from './hosts-meta.js';

const ID = '4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';
// nerdctl's meta.json example with concrete MACs: struct order at the top, sorted keys inside results.
const SPEC_BYTES =
  `{"ID":"${ID}","Networks":{"bridge":{"cniVersion":"1.1.0","interfaces":[{"mac":"9e:00:00:00:00:01","name":"nerdctl0"},{"mac":"ae:00:00:00:00:02","name":"veth1a2b3c4d"},{"mac":"12:00:00:00:00:03","name":"eth0","sandbox":"/proc/4242/ns/net"}],` +
  `"ips":[{"address":"10.4.0.5/24","gateway":"10.4.0.1","interface":2}],"routes":[{"dst":"0.0.0.0/0"}]}},"Hostname":"4f1e2d3c4b5a","ExtraHosts":{},"Name":"alpine-4f1e2","Domainname":""}`;

describe('serializeHostsMeta', () => {
  it("writes nerdctl's exact bytes", () => {
    const meta = makeHostsMeta(ID, { name: 'alpine-4f1e2', hostname: '4f1e2d3c4b5a', networks: { bridge: { ...cniResult(['10.4.0.5/24']), dns: {} } } });
    assert.equal(serializeHostsMeta(meta), SPEC_BYTES);
  });

  it('sorts maps like Go, writes null networks for host/none, escapes like json.Marshal', () => {
    const meta = makeHostsMeta('abc', { name: 'h', hostname: 'h', domainname: 'example.com', extraHosts: [{ host: 'z', ip: '10.0.0.2' }, { host: 'a', ip: '10.0.0.1' }] });
    assert.equal(serializeHostsMeta(meta), '{"ID":"abc","Networks":null,"Hostname":"h","ExtraHosts":{"a":"10.0.0.1","z":"10.0.0.2"},"Name":"h","Domainname":"example.com"}');
    const odd = makeHostsMeta('abc', { name: 'n', hostname: 'h', networks: { n1: { cniVersion: '1.1.0', note: '<a&b>' } } });
    assert.match(serializeHostsMeta(odd), /"note":"\\u003ca\\u0026b\\u003e"/);
  });

  it('round-trips', () => {
    assert.deepEqual(parseHostsMeta(SPEC_BYTES, 'meta.json'), {
      ID,
      Networks: { bridge: (JSON.parse(SPEC_BYTES) as { Networks: { bridge: Record<string, unknown> } }).Networks.bridge },
      Hostname: '4f1e2d3c4b5a',
      ExtraHosts: {},
      Name: 'alpine-4f1e2',
      Domainname: '',
    });
  });
});

describe('parseHostsMeta', () => {
  it('reads older nerdctl records (Namespace key, no Domainname, "dns": {}, bracketed IPv6 extra host)', () => {
    const v1 = '{"Namespace":"default","ID":"3c41","Networks":{"k3s_default":{"cniVersion":"1.0.0","ips":[{"interface":2,"address":"10.4.10.15/24"}],"dns":{}}},"Hostname":"server","ExtraHosts":{"v6":"[::1]"},"Name":"k3s_server_1"}';
    const meta = parseHostsMeta(v1, 'x/meta.json');
    assert.equal(meta.Domainname, '');
    assert.deepEqual(meta.ExtraHosts, { v6: '::1' });
    assert.deepEqual(Object.keys(meta.Networks ?? {}), ['k3s_default']);
  });

  const corrupt: Array<[string, RegExp]> = [
    ['{"ID":', /x\/meta.json: not valid JSON/],
    ['[]', /x\/meta.json: .*expected object/],
    ['{"ID":"a","Hostname":7}', /x\/meta.json: .*Hostname/],
    ['{"ID":"a","Hostname":"evil\\n10.0.0.1 bank"}', /x\/meta.json: invalid --hostname "evil\\n10.0.0.1 bank"/],
    ['{"ID":"a","Networks":{"n 1":{}}}', /x\/meta.json: invalid network name "n 1"/],
    ['{"ID":"a","ExtraHosts":{"db":"not-an-ip"}}', /x\/meta.json: invalid extra host address "not-an-ip"/],
  ];
  for (const [bytes, re] of corrupt) {
    it(`refuses ${bytes}`, () => assert.throws(() => parseHostsMeta(bytes, 'x/meta.json'), (e: Error & { code?: string }) => e.code === 'ERR_INVALID_CONFIG' && re.test(e.message)));
  }
});

describe('makeHostsMeta', () => {
  it('validates every value before anything is written', () => {
    assert.throws(() => makeHostsMeta('../x', { name: 'a', hostname: 'a' }), /invalid container ID "..\/x"/);
    assert.throws(() => makeHostsMeta('abc', { name: 'a b', hostname: 'a' }), /invalid container name "a b"/);
    assert.throws(() => makeHostsMeta('abc', { name: 'a', hostname: 'a', extraHosts: { 'x\ny': '10.0.0.1' } }), /invalid host name "x\\ny"/);
    assert.throws(() => makeHostsMeta('abc', { name: 'a', hostname: 'a', networks: { '../n': {} } }), /invalid network name/);
  });
});
