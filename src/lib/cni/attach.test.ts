// go-cni's result shape, with its index bound bug fixed.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assignInterfaces, buildAttachResult } from './attach.js';
import { confListFromBytes } from './conf.js';
import type { Result100 } from './result.js';

const r = (o: Partial<Result100>): Result100 => ({ cniVersion: '1.1.0', ...o });

describe('buildAttachResult', () => {
  it('puts IPs without an interface index on the default interface (TestLibCNIType020)', () => {
    const out = buildAttachResult([r({ ips: [{ address: '10.0.0.1/24' }] }), r({ ips: [{ address: '10.0.0.2/24' }] })]);
    assert.deepEqual(out.interfaces.eth0?.ipConfigs.map((c) => c.ip), ['10.0.0.1', '10.0.0.2']);
    assert.equal(out.dns.length, 2);
  });

  it('binds each IP to its interface and collects routes', () => {
    const out = buildAttachResult([
      r({
        interfaces: [{ name: 'br0', mac: 'aa:aa:aa:aa:aa:aa' }, { name: 'eth0', mac: 'bb:bb:bb:bb:bb:bb', sandbox: '/n' }],
        ips: [{ interface: 1, address: '10.4.0.5/24', gateway: '10.4.0.1' }],
        routes: [{ dst: '0.0.0.0/0' }],
      }),
      r({ interfaces: [{ name: 'eth1', sandbox: '/n' }], ips: [{ interface: 0, address: 'fd00::5/64' }] }),
    ]);
    assert.deepEqual(out.interfaces.eth0, { ipConfigs: [{ ip: '10.4.0.5', gateway: '10.4.0.1' }], mac: 'bb:bb:bb:bb:bb:bb', sandbox: '/n' });
    assert.deepEqual(out.interfaces.eth1?.ipConfigs, [{ ip: 'fd00::5' }]);
    assert.deepEqual(out.interfaces.br0?.ipConfigs, []);
    assert.deepEqual(out.routes, [{ dst: '0.0.0.0/0' }]);
  });

  it('rejects an interface index equal to the number of interfaces (go-cni panics)', () => {
    assert.throws(() => buildAttachResult([r({ interfaces: [{ name: 'eth0' }], ips: [{ interface: 1, address: '10.0.0.1/24' }] })]), /invalid interface config: interface index 1 out of range/);
  });
});

describe('assignInterfaces', () => {
  it('numbers networks eth0..N in order', () => {
    const l = (n: string) => confListFromBytes(Buffer.from(JSON.stringify({ name: n, plugins: [{ type: 'x' }] })));
    assert.deepEqual(assignInterfaces([l('a'), l('b'), l('c')]).map((n) => `${n.list.name}:${n.ifName}`), ['a:eth0', 'b:eth1', 'c:eth2']);
  });
});
