// Values that reach resolv.conf/hosts/hostname: newline, NUL, "/", "..", spaces and bad IPs are refused
// with the value and a fix in the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NerdnetError } from '../errors.js';
import { validateDnsOption, validateDnsSearch, validateDnsServer, validateDnsSettings, validateDomainname, validateHostname } from './validate.js';

const HOSTILE = ['a\nb', 'a\0b', 'a/b', 'a..b', '..', 'a b', 'a\tb', ''];

function rejects(fn: () => unknown, value: string, what: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(NerdnetError.is(err));
    assert.equal(err.code, 'ERR_INVALID_ARG');
    if (value !== '') assert.ok(err.message.includes(JSON.stringify(value)), `message ${err.message} does not name ${JSON.stringify(value)}`);
    assert.match(err.message, what);
    return true;
  });
}

describe('validators', () => {
  for (const bad of HOSTILE) {
    it(`refuse ${JSON.stringify(bad)}`, () => {
      rejects(() => validateHostname(bad), bad, /--hostname.*; use a name like/);
      rejects(() => validateDomainname(bad), bad, /--domainname/);
      rejects(() => validateDnsServer(bad), bad, /--dns/);
      if (bad !== '') rejects(() => validateDnsSearch(bad), bad, /--dns-search.*give a domain/);
      rejects(() => validateDnsOption(bad), bad, /--dns-opt.*use a value like ndots:2/);
    });
  }

  it('accept ordinary values', () => {
    assert.equal(validateHostname('web-1.example.com'), 'web-1.example.com');
    assert.equal(validateHostname('k3s_server_1'), 'k3s_server_1');
    assert.equal(validateDnsSearch('.'), '.');
    assert.equal(validateDnsSearch('example.com.'), 'example.com.');
    assert.equal(validateDnsOption('ndots:5'), 'ndots:5');
    assert.equal(validateDnsOption('single-request-reopen'), 'single-request-reopen');
  });

  it('explain the problem', () => {
    rejects(() => validateHostname('a'.repeat(65)), 'a'.repeat(65), /65 characters long \(at most 64\)/);
    rejects(() => validateHostname('-web'), '-web', /label "-web" must be 1-63 letters/);
    rejects(() => validateDnsServer('1.2.3.256'), '1.2.3.256', /greater than 255; give the IP address of a DNS server/);
    rejects(() => validateDnsServer(''), '', /--dns flag was specified but no DNS server was provided/);
  });

  it('deduplicate DNS settings in first-occurrence order', () => {
    assert.deepEqual(validateDnsSettings({ servers: ['1.1.1.1', '8.8.8.8', '1.1.1.1'], search: ['a', 'a'], options: ['x', 'y', 'x'] }), {
      servers: ['1.1.1.1', '8.8.8.8'],
      search: ['a'],
      options: ['x', 'y'],
    });
  });
});
