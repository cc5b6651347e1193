// resolv.conf primitives: the cases of nerdctl's pkg/resolvconf tests, as data.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildResolvConf, filterResolvConf, getNameservers, getOptions, getSearchDomains } from './resolv-conf.js';

describe('getNameservers', () => {
  const cases: Array<[string, string[]]> = [
    ['\nnameserver 1.2.3.4\nnameserver 40.3.200.10\nsearch example.com', ['1.2.3.4', '40.3.200.10']],
    ['search example.com', []],
    ['nameserver 1.2.3.4\nsearch example.com\nnameserver 4.30.20.100', ['1.2.3.4', '4.30.20.100']],
    ['', []],
    ['  nameserver 1.2.3.4   ', ['1.2.3.4']],
    ['search example.com\nnameserver 1.2.3.4\n#nameserver 4.3.2.1', ['1.2.3.4']],
    ['search example.com\nnameserver 1.2.3.4 # not 4.3.2.1', ['1.2.3.4']],
    ['nameserver 1.2.3.4\r\nnameserver fe80::1%eth0\n; nameserver 9.9.9.9', ['1.2.3.4', 'fe80::1%eth0']],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.deepEqual(getNameservers(input), want));
  }

  it('filters by family', () => {
    const c = 'nameserver 10.0.0.2\nnameserver fd00::53\nnameserver 10.0.0.3\n';
    assert.deepEqual(getNameservers(c, 'ipv4'), ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(getNameservers(c, 'ipv6'), ['fd00::53']);
  });
});

describe('getSearchDomains / getOptions: the last line wins, comments ignored', () => {
  const search: Array<[string, string[]]> = [
    ['search example.com', ['example.com']],
    ['search example.com # ignored', ['example.com']],
    ['\t  search\t example.com\t  ', ['example.com']],
    ['\t   search\t   foo.example.com\t example.com\t# ignored', ['foo.example.com', 'example.com']],
    ['', []],
    ['# ignored', []],
    ['nameserver 1.2.3.4\nsearch dup1.example.com dup2.example.com\nsearch foo.example.com example.com', ['foo.example.com', 'example.com']],
    ['nameserver 1.2.3.4\nsearch foo.example.com example.com\nnameserver 4.30.20.100', ['foo.example.com', 'example.com']],
    ['domain example.org', []],
  ];
  for (const [input, want] of search) it(`search ${JSON.stringify(input)}`, () => assert.deepEqual(getSearchDomains(input), want));
  const options: Array<[string, string[]]> = [
    ['options opt1 # ignored', ['opt1']],
    ['\t   options\t opt1\t opt2\t opt3\t# ignored', ['opt1', 'opt2', 'opt3']],
    ['nameserver 1.2.3.4', []],
    ['nameserver 1.2.3.4\noptions opt1 opt2\noptions opt3 opt4', ['opt3', 'opt4']],
  ];
  for (const [input, want] of options) it(`options ${JSON.stringify(input)}`, () => assert.deepEqual(getOptions(input), want));
});

describe('filterResolvConf', () => {
  const ns0 = 'nameserver 10.16.60.14\nnameserver 10.16.60.21\n';
  const removed = [
    ns0,
    'nameserver 10.16.60.14\nnameserver 10.16.60.21\nnameserver 127.0.0.1\n',
    'nameserver 10.16.60.14\nnameserver 127.0.0.1\nnameserver 10.16.60.21\n',
    'nameserver 127.0.1.1\nnameserver 10.16.60.14\nnameserver 10.16.60.21\n',
    'nameserver ::1\nnameserver 10.16.60.14\nnameserver 127.0.2.1\nnameserver 10.16.60.21\n',
    'nameserver 10.16.60.14\nnameserver ::1\nnameserver 10.16.60.21\nnameserver ::1',
  ];
  for (const input of removed) {
    it(`drops localhost servers from ${JSON.stringify(input)}`, () => assert.deepEqual(filterResolvConf(input), { content: ns0, usedFallback: false }));
  }

  it('keeps IPv6 servers (nerdctl always passes ipv6Enabled)', () => {
    const input = 'nameserver 10.16.60.14\nnameserver 2002:dead:beef::1\nnameserver 10.16.60.21\nnameserver ::1';
    assert.equal(filterResolvConf(input).content, 'nameserver 10.16.60.14\nnameserver 2002:dead:beef::1\nnameserver 10.16.60.21\n');
  });

  it('appends the IPv4 and IPv6 fallbacks when no server is left', () => {
    assert.deepEqual(filterResolvConf('nameserver 127.0.0.1\nnameserver ::1\nnameserver 127.0.2.1'), {
      content: '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844',
      usedFallback: true,
    });
    assert.equal(filterResolvConf('').usedFallback, true);
  });

  it('only touches `nameserver` at column 0, as nerdctl does', () => {
    assert.equal(filterResolvConf('  nameserver 127.0.0.1\n').usedFallback, false);
  });

  it('keeps localhost servers when allowed (host mode, #4651)', () => {
    assert.deepEqual(filterResolvConf('nameserver 127.0.0.53\n', { allowLocalhost: true }), { content: 'nameserver 127.0.0.53\n', usedFallback: false });
  });
});

describe('buildResolvConf', () => {
  it('writes search, nameservers, options in that order', () => {
    assert.equal(buildResolvConf(['ns1', 'ns2', 'ns3'], ['search1'], ['opt1']), 'search search1\nnameserver ns1\nnameserver ns2\nnameserver ns3\noptions opt1\n');
  });
  it('omits a search list of "." and empty lines', () => {
    assert.equal(buildResolvConf(['ns1'], ['.'], ['opt1']), 'nameserver ns1\noptions opt1\n');
    assert.equal(buildResolvConf(['ns1'], ['search1'], []), 'search search1\nnameserver ns1\n');
    assert.equal(buildResolvConf([], [], []), '');
  });
});
