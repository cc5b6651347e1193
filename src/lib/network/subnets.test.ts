// Automatic subnets with fake host state: every
// conflist of every namespace, every host address and every host route is avoided, and the walk
// stops at the end of 10.0.0.0/8 with an error instead of entering public space.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HostAddress, HostRoute } from '../host/host-network.js';
import { planNetwork, type PlanInput } from './plan.js';
import { routesToAvoid, subnetsOfConfig, usedByHost } from './subnets.js';
import type { RawConfig } from './store.js';

function conf(name: string, file: string, ...subnets: string[]): RawConfig {
  return { file, raw: { cniVersion: '1.0.0', name, plugins: [{ type: 'bridge', ipam: { type: 'host-local', ranges: subnets.map((s) => [{ subnet: s }]) } }] } };
}

function plan(over: { configs?: RawConfig[]; addrs?: HostAddress[]; routes?: HostRoute[]; start?: string }, subnets: string[] = []) {
  const input: PlanInput = {
    netconfPath: '/n',
    namespace: 'default',
    visible: [],
    configs: over.configs ?? [],
    hostAddresses: over.addrs ?? [],
    hostRoutes: over.routes ?? [],
    autoSubnetStart: over.start,
  };
  return planNetwork({ name: 'auto', subnets }, input);
}

describe('automatic subnets', () => {
  it('starts at 10.4.1.0/24', () => {
    assert.deepEqual(plan({}).subnets, ['10.4.1.0/24']);
  });

  it('skips conflists of every namespace, including foreign and macvlan ones and every range', () => {
    const configs = [
      conf('a', '/n/other/nerdctl-a.conflist', '10.4.1.0/24'),
      conf('b', '/n/87-podman.conflist', '10.4.2.0/24', '10.4.3.0/24'),
      { file: '/n/x/mv.conflist', raw: { name: 'mv', plugins: [{ type: 'macvlan', ipam: { type: 'host-local', ranges: [[{ subnet: '10.4.5.0/24' }, { subnet: '10.4.4.0/24' }]] } }] } },
      { file: '/n/legacy.conf', raw: { name: 'legacy', type: 'bridge', ipam: { type: 'host-local', subnet: '10.4.6.0/23' } } },
    ];
    assert.deepEqual(plan({ configs }).subnets, ['10.4.8.0/24']);
  });

  it('skips host addresses (any state) and host routes, but not default-like routes', () => {
    const addrs = [{ ifname: 'eth0', address: '10.4.1.7', prefix: 24 }];
    const routes: HostRoute[] = [
      { dst: 'default', dev: 'eth0' },
      { dst: '0.0.0.0/1', dev: 'tun0' },
      { dst: '128.0.0.0/1', dev: 'tun0' },
      { dst: '10.4.2.0/23', dev: 'wg0' },
      { dst: '10.4.4.9', dev: 'wg0' },
      { dst: 'fd00::/8', dev: 'wg0' },
    ];
    assert.deepEqual(plan({ addrs, routes }).subnets, ['10.4.5.0/24']);
  });

  it('never leaves 10.0.0.0/8: a clear error instead of 11.0.0.0/24', () => {
    assert.throws(() => plan({ routes: [{ dst: '10.0.0.0/8', dev: 'vpn0' }] }), /cannot choose a subnet automatically: no free subnet: every \/24 from 10\.4\.1\.0\/24 to the end of 10\.0\.0\.0\/8 overlaps a used subnet; remove unused networks or choose a subnet explicitly with --subnet$/);
    assert.deepEqual(plan({ addrs: [{ ifname: 'x', address: '10.254.0.1', prefix: 24 }], start: '10.254.0.0/24' }).subnets, ['10.254.1.0/24']);
    assert.throws(() => plan({ addrs: [{ ifname: 'x', address: '10.255.255.1', prefix: 24 }], start: '10.255.255.0/24' }), /no free subnet/);
  });

  it('explicit subnets may overlap host routes (only automatic ones avoid them)', () => {
    assert.deepEqual(plan({ routes: [{ dst: '10.9.0.0/16', dev: 'wg0' }] }, ['10.9.1.0/24']).subnets, ['10.9.1.0/24']);
  });
});

describe('subnet helpers', () => {
  it('subnetsOfConfig reads ranges, legacy subnet and static addresses', () => {
    const raw = { plugins: [{ type: 'bridge', ipam: { type: 'static', addresses: [{ address: '10.1.2.3/24' }] } }, { type: 'x', ipam: { subnet: '10.2.0.0/16' } }] };
    assert.deepEqual(subnetsOfConfig(raw).map((c) => `${c.value}/${c.prefix}`), [`${(10n << 24n) | (1n << 16n) | (2n << 8n)}/24`, `${(10n << 24n) | (2n << 16n)}/16`]);
  });

  it('usedByHost ignores the network\'s own bridge; routesToAvoid ignores its routes', () => {
    const addrs = [{ ifname: 'br-x', address: '10.4.1.1', prefix: 24 }, { ifname: 'eth0', address: '192.0.2.2', prefix: 24 }];
    assert.deepEqual(usedByHost(addrs, 'br-x').map((u) => u.source), ['the address 192.0.2.2/24 on host interface eth0']);
    assert.equal(routesToAvoid([{ dst: '10.4.1.0/24', dev: 'br-x' }], 'br-x').length, 0);
  });
});
