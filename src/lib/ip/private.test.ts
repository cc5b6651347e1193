import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseIP } from './address.js';
import { formatCIDR, parseCIDR } from './cidr.js';
import type { Cidr } from './cidr.js';
import { isPrivate, privateBlockOf } from './private.js';

const net = (s: string): Cidr => parseCIDR(s).network;
const ip = parseIP;

void it('isPrivate and privateBlockOf', () => {
  for (const s of ['10.0.0.0/8', '10.4.1.0/24', '172.16.0.0/12', '172.31.255.0/24', '192.168.1.0/24', 'fd00::/8', 'fc00::/7']) {
    assert.equal(isPrivate(net(s)), true, s);
  }
  for (const s of ['11.0.0.0/24', '172.32.0.0/24', '172.0.0.0/8', '192.169.0.0/16', '0.0.0.0/0', '2001:db8::/32', 'fe80::/64']) {
    assert.equal(isPrivate(net(s)), false, s);
  }
  assert.equal(isPrivate(ip('172.20.1.1')), true);
  assert.equal(isPrivate(ip('8.8.8.8')), false);
  assert.equal(formatCIDR(privateBlockOf(net('172.18.0.0/16')) ?? net('0.0.0.0/0')), '172.16.0.0/12');
});
