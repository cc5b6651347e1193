// Hostname per mode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultHostname, planHostname } from './hostname.js';

const ID = '4f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

describe('planHostname', () => {
  it('defaults to the first 12 characters of the ID (CNI, none)', () => {
    assert.equal(defaultHostname(ID), '4f1e2d3c4b5a');
    assert.deepEqual(planHostname({ mode: 'cni', id: ID }), { hostname: '4f1e2d3c4b5a', domainname: '', file: '4f1e2d3c4b5a\n' });
    assert.deepEqual(planHostname({ mode: 'none', id: ID }), { hostname: '4f1e2d3c4b5a', domainname: '', file: '4f1e2d3c4b5a\n' });
  });

  it('uses --hostname and --domainname', () => {
    assert.deepEqual(planHostname({ mode: 'cni', id: ID, hostname: 'bar', domainname: 'example.com' }), { hostname: 'bar', domainname: 'example.com', file: 'bar\n' });
  });

  it("host and ns modes default to the host's hostname; --hostname wins", () => {
    assert.equal(planHostname({ mode: 'host', id: ID, hostHostname: 'node1' }).hostname, 'node1');
    assert.equal(planHostname({ mode: 'ns', id: ID, hostHostname: 'node1' }).file, 'node1\n');
    assert.equal(planHostname({ mode: 'host', id: ID, hostHostname: 'node1', hostname: 'override' }).hostname, 'override');
    assert.throws(() => planHostname({ mode: 'host', id: ID }), /the host's hostname is needed for --network=host/);
  });

  it('--uts=host: no file, and no --hostname/--domainname', () => {
    assert.deepEqual(planHostname({ mode: 'cni', id: ID, utsHost: true }), { hostname: '', domainname: '', file: undefined });
    assert.deepEqual(planHostname({ mode: 'host', id: ID, utsHost: true, hostHostname: 'node1' }), { hostname: 'node1', domainname: '', file: undefined });
    assert.throws(() => planHostname({ mode: 'cni', id: ID, utsHost: true, hostname: 'x' }), /conflicting options: cannot set --hostname and\/or --domainname with --uts=host/);
    assert.throws(() => planHostname({ mode: 'cni', id: ID, utsHost: true, domainname: 'x.y' }), /conflicting options/);
  });

  it('refuses hostile values', () => {
    assert.throws(() => planHostname({ mode: 'cni', id: ID, hostname: 'evil\n10.0.0.1 bank' }), /invalid --hostname "evil\\n10.0.0.1 bank"/);
    assert.throws(() => planHostname({ mode: 'cni', id: '../../etc' }), /invalid container ID/);
  });
});
