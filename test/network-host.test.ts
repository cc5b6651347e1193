// IpHostNetwork against the real host (root): a link the test made, with an address and a route
// the test added, shows up; automatic subnets step over both; linkKind/deleteLink on own links only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IpHostNetwork } from '../src/lib/host/host-network.js';
import { planNetwork } from '../src/lib/network/plan.js';
import { deleteLink, linkExists, rootSkipReason, sh, uniqueTag } from './helpers/host.js';
import { addPlainLink, freeTestBlock } from './helpers/network-host.js';

const skip = rootSkipReason([]);

describe('real host addresses and routes', { skip }, () => {
  const tag = uniqueTag();
  const host = new IpHostNetwork();
  let links: string[] = [];
  let block: string[];
  const link = `nnh${tag}`;

  before(() => {
    block = freeTestBlock(3);
    links = addPlainLink(link, `nni${tag}`).links;
    for (const l of links) sh('ip', ['link', 'set', l, 'up']);
    sh('ip', ['addr', 'add', `${block[0]}.1/24`, 'dev', link]);
    sh('ip', ['route', 'add', `${block[1]}.0/24`, 'dev', link]);
  });
  after(() => {
    for (const l of links) deleteLink(l);
    for (const l of links) assert.ok(!linkExists(l), `link ${l} left behind`);
    assert.ok(!sh('ip', ['-4', 'route', 'show', 'table', 'all']).includes(`${block[1]}.0/24`));
  });

  it('lists the address and the route', async () => {
    assert.ok((await host.addresses()).some((a) => a.ifname === link && a.address === `${block[0]}.1` && a.prefix === 24));
    const routes = await host.routes();
    assert.ok(routes.some((r) => r.dst === `${block[1]}.0/24` && r.dev === link));
    assert.ok(routes.some((r) => r.dst.includes(':')), 'IPv6 routes are read too');
  });

  it('an automatic subnet skips the address\'s network and the routed one', async () => {
    const plan = planNetwork(
      { name: `nn-${tag}` },
      { netconfPath: '/nonexistent', namespace: 'x', visible: [], configs: [], hostAddresses: await host.addresses(), hostRoutes: await host.routes(), autoSubnetStart: `${block[0]}.0/24` },
    );
    assert.deepEqual(plan.subnets, [`${block[2]}.0/24`]);
  });

  it('linkKind tells a bridge from other links; a missing link is undefined', async () => {
    assert.ok(['dummy', 'veth'].includes((await host.linkKind(link)) ?? 'missing'));
    assert.equal(await host.linkKind(`nnx${tag}`), undefined);
    assert.equal(await host.linkKind('lo'), '');
    await assert.rejects(host.linkKind('../etc'), /invalid link name/);
    await host.deleteLink(`nnx${tag}`);
  });
});
