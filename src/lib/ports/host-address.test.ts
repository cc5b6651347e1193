// A -p host IP must be an address of this host; the wildcards and any loopback address pass.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NerdnetError } from '../errors.js';
import { checkHostAddresses } from './host-address.js';
import { parsePublishFlags } from './parse.js';

describe('checkHostAddresses', () => {
  it('refuses an address of no interface of this host, naming it', async () => {
    // TEST-NET addresses (RFC 5737): never configured on a host.
    for (const spec of ['1.2.3.4:8080:80', '203.0.113.7::80/udp', '[2001:db8::7]:8080:80']) {
      await assert.rejects(checkHostAddresses(parsePublishFlags([spec])), (e: unknown) => NerdnetError.is(e) && /^invalid -p host IP [0-9a-f.:]+: it is not an address of this host/.test(e.message), spec);
    }
  });

  it('passes 0.0.0.0, ::, an unspecified host IP and loopback addresses', async () => {
    await checkHostAddresses(parsePublishFlags(['8080:80', '0.0.0.0:8081:80', '[::]:8082:80', '127.0.0.1:8083:80', '127.0.0.9:8084:80', '[::ffff:127.0.0.1]:8085:80']));
  });
});
