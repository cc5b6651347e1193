import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { masqChainName, rulesNaming } from './iptables.js';

describe('iptables leftovers', () => {
  it('names the bridge masquerade chain as the bridge plugin does', () => {
    const want = `CNI-${createHash('sha512').update('bridgedefault-abc').digest('hex').slice(0, 24)}`;
    assert.equal(masqChainName('bridge', 'default-abc'), want);
    assert.equal(want.length, 28);
  });

  it('finds rules naming the container as a whole token only', () => {
    const lines = [
      '-N CNI-DN-x',
      '-A POSTROUTING -s 10.4.0.5/32 -m comment --comment "name: \\"bridge\\" id: \\"default-abc\\"" -j CNI-1234',
      '-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"bridge\\" id: \\"default-abcd\\"" -j CNI-DN-y',
      '-A FORWARD -j ACCEPT',
    ];
    assert.deepEqual(rulesNaming(lines, 'default-abc'), [lines[1]]);
    assert.deepEqual(rulesNaming(lines, 'default-abcd'), [lines[2]]);
    assert.deepEqual(rulesNaming(lines, 'a.c'), []);
  });
});
