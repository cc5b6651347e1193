import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { NerdnetError } from '../errors.js';
import { ipParseError } from '../ip/index.js';
import { formatPublish } from './format.js';
import { parsePortFilter, parsePublish, parsePublishFlags, splitHostPort } from './parse.js';
import type { PublishRequest } from './types.js';

const r = (start: number, end = start) => ({ start, end });
const req = (hostIP: string, hostPorts: ReturnType<typeof r> | undefined, containerPorts: ReturnType<typeof r>, protocol: PublishRequest['protocol'] = 'tcp'): PublishRequest => ({
  hostIP,
  hostPorts,
  containerPorts,
  protocol,
});

function assertInvalid(spec: string, ...patterns: RegExp[]): void {
  assert.throws(
    () => parsePublish(spec),
    (err: unknown) => {
      assert.ok(NerdnetError.is(err), `NerdnetError for ${spec}`);
      assert.equal(err.code, 'ERR_INVALID_ARG');
      for (const p of patterns) assert.match(err.message, p);
      return true;
    },
  );
}

void describe('parsePublish grammar (spec 3.4)', () => {
  const cases: Array<[string, PublishRequest]> = [
    ['80', req('0.0.0.0', undefined, r(80))],
    ['80-81', req('0.0.0.0', undefined, r(80, 81))],
    ['8080:80', req('0.0.0.0', r(8080), r(80))],
    ['8080:80/tcp', req('0.0.0.0', r(8080), r(80))],
    ['8080:80/udp', req('0.0.0.0', r(8080), r(80), 'udp')],
    ['8080:80/SCTP', req('0.0.0.0', r(8080), r(80), 'sctp')],
    ['53/UDP', req('0.0.0.0', undefined, r(53), 'udp')],
    ['127.0.0.1:3000:8080', req('127.0.0.1', r(3000), r(8080))],
    ['127.0.0.1:3000-3001:8080-8081/tcp', req('127.0.0.1', r(3000, 3001), r(8080, 8081))],
    ['127.0.0.1::80', req('127.0.0.1', undefined, r(80))],
    ['0.0.0.0:7000-7005:79-84', req('0.0.0.0', r(7000, 7005), r(79, 84))],
    ['[::1]:8080:80', req('::1', r(8080), r(80))],
    ['[::]:5432:5432', req('::', r(5432), r(5432))],
    // HostIP is kept as typed.
    ['[::0]:8080:80', req('::0', r(8080), r(80))],
    ['[::1]::80/udp', req('::1', undefined, r(80), 'udp')],
    ['[::ffff:10.0.0.1]:80:80', req('::ffff:10.0.0.1', r(80), r(80))],
    // Empty host address → 0.0.0.0; ":80" and "::80" are automatic host ports.
    [':8080:80', req('0.0.0.0', r(8080), r(80))],
    [':80', req('0.0.0.0', undefined, r(80))],
    ['::80', req('0.0.0.0', undefined, r(80))],
    // Single container port with a host range = a pool (step 6).
    ['3000-3001:8080', req('0.0.0.0', r(3000, 3001), r(8080))],
    ['8080-8080:80-80', req('0.0.0.0', r(8080), r(80))],
    // Go's ParseUint accepts leading zeros.
    ['08080:080', req('0.0.0.0', r(8080), r(80))],
    ['65535:1', req('0.0.0.0', r(65535), r(1))],
  ];
  for (const [spec, want] of cases) {
    void it(`parses ${spec}`, () => assert.deepEqual(parsePublish(spec), want));
  }
});

void describe('parsePublish errors (spec 3.4)', () => {
  const cases: Array<[string, RegExp[]]> = [
    ['80/tcp/udp', [/^failed to parse "80\/tcp\/udp", unexpected slashes/, /at most one "\/protocol"/]],
    ['8080:80/http', [/^invalid protocol "http"/, /-p "8080:80\/http"/, /use tcp, udp or sctp/]],
    ['80/', [/^invalid protocol ""/]],
    ['', [/^no port specified: /, /container port/]],
    ['8080:', [/^no port specified: 8080:/, /after the last ":"/]],
    ['127.0.0.1:8080:', [/^no port specified/]],
    ['8080:65536', [/^invalid containerPort: 65536 /, /greater than 65535/, /-p "8080:65536"/]],
    ['8080:http', [/^invalid containerPort: http/, /not a port number/]],
    ['8080:0', [/^invalid containerPort: 0/, /port 0 is not allowed/]],
    ['8080:81-80', [/^invalid containerPort: 81-80/, /ends \(80\) before it starts \(81\)/]],
    ['8080:80-81-82', [/^invalid containerPort: 80-81-82/, /one "-"/]],
    ['8080:-80', [/^invalid containerPort: -80/]],
    ['8080: 80', [/^invalid containerPort:  80/]],
    ['127.0.0.1:3000:0.0.0.0', [/^invalid containerPort: 0.0.0.0/]],
    ['65536:80', [/^invalid hostPort: 65536/, /greater than 65535/]],
    ['0:80', [/^invalid hostPort: 0/, /port 0 is not allowed/]],
    ['x:80', [/^invalid hostPort: x/, /not a port number/]],
    ['3001-3000:80', [/^invalid hostPort: 3001-3000/]],
    // Unbracketed IPv6 falls back to "all of it is the host port" (Go's SplitHostPort fails).
    ['::1:8080:80', [/^invalid hostPort: ::1:8080/, /must be in brackets: write \[::1\]:8080:80/]],
    ['fe80::x:80', [/^invalid hostPort: fe80::x/, /must be in brackets, like \[::1\]:8080:80/]],
    ['[::1:8080:80', [/^invalid hostPort: \[::1:8080/, /brackets/]],
    // An address without a host port names the fix.
    ['127.0.0.1:80', [/^invalid hostPort: 127.0.0.1/, /write 127.0.0.1::80/]],
    ['[::1]:80', [/^invalid hostPort: \[::1\]/, /write \[::1\]::80/]],
    ['localhost:8080:80', [/^invalid ip address: localhost/, /-p "localhost:8080:80"/, /like 127.0.0.1/]],
    ['1.2.3:8080:80', [/^invalid ip address: 1.2.3/]],
    ['010.0.0.1:8080:80', [/^invalid ip address: 010.0.0.1/, /leading zero/]],
    ['[fe80::1%eth0]:8080:80', [/^invalid ip address: fe80::1%eth0/, /zones/]],
    ['8080-8082:3000-3001', [/^invalid ranges specified for container and host Ports: 3000-3001 and 8080-8082/, /same length/]],
    ['3000:8080-8082', [/^invalid ranges specified for container and host Ports: 8080-8082 and 3000/]],
  ];
  for (const [spec, patterns] of cases) {
    void it(`rejects ${JSON.stringify(spec)}`, () => assertInvalid(spec, ...patterns));
  }
});

void describe('splitHostPort (Go net.SplitHostPort)', () => {
  const cases: Array<[string, { host: string; port: string } | undefined]> = [
    ['127.0.0.1:80', { host: '127.0.0.1', port: '80' }],
    ['[::1]:80', { host: '::1', port: '80' }],
    ['[::1]:', { host: '::1', port: '' }],
    [':80', { host: '', port: '80' }],
    [':', { host: '', port: '' }],
    ['[]:80', { host: '', port: '80' }],
    ['8080', undefined],
    ['::1:80', undefined],
    ['[::1]', undefined],
    ['[::1]x:80', undefined],
    ['[::1]:80]', undefined],
    ['a[b:80', undefined],
  ];
  for (const [s, want] of cases) void it(JSON.stringify(s), () => assert.deepEqual(splitHostPort(s), want));
});

void describe('parsePublishFlags', () => {
  void it('comma-splits, dedupes in first-seen order', () => {
    const got = parsePublishFlags(['8080:80,8443:443', '8080:80', '53/udp']).map(formatPublish);
    assert.deepEqual(got, ['0.0.0.0:8080:80/tcp', '0.0.0.0:8443:443/tcp', '0.0.0.0::53/udp']);
  });
});

void describe('parsePortFilter (nerdctl port argument)', () => {
  void it('parses port and proto', () => {
    assert.deepEqual(parsePortFilter('80'), { containerPort: 80, protocol: 'tcp' });
    assert.deepEqual(parsePortFilter('53/UDP'), { containerPort: 53, protocol: 'udp' });
  });
  void it('rejects junk with a hint', () => {
    assert.throws(() => parsePortFilter('0'), /unexpected port "0" in "0": give a container port like 80/);
    assert.throws(() => parsePortFilter('x/tcp'), /unexpected port "x"/);
    assert.throws(() => parsePortFilter('80/tcp/x'), /failed to parse "80\/tcp\/x"/);
    assert.throws(() => parsePortFilter('80/http'), /invalid protocol "http"/);
  });
});

// Requests the grammar can express: pools (single container port, host range) and equal-length ranges.
const arbRequest: fc.Arbitrary<PublishRequest> = fc
  .record({
    hostIP: fc.oneof(fc.constant('0.0.0.0'), fc.ipV4(), fc.ipV6()),
    protocol: fc.constantFrom('tcp' as const, 'udp' as const, 'sctp' as const),
    cStart: fc.integer({ min: 1, max: 65535 }),
    len: fc.integer({ min: 0, max: 20 }),
    hStart: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
    pool: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ hostIP, protocol, cStart, len, hStart, pool }) => {
    const cEnd = Math.min(65535, cStart + len);
    const span = cEnd === cStart ? pool : cEnd - cStart;
    const hostPorts = hStart === undefined ? undefined : { start: Math.min(hStart, 65535 - span), end: Math.min(hStart, 65535 - span) + span };
    return { hostIP, hostPorts, containerPorts: { start: cStart, end: cEnd }, protocol };
  })
  // fast-check's IPv6 generator writes IPv4 tails with leading zeros ("::ffff:01.2.3.4"), which Go refuses too.
  .filter((q) => ipParseError(q.hostIP) === undefined);

void describe('round trip (property)', () => {
  void it('formatPublish(request) parses back to the same request', () => {
    fc.assert(fc.property(arbRequest, (q) => assert.deepEqual(parsePublish(formatPublish(q)), q)), { numRuns: 2000 });
  });
  void it('any parsed string formats back to a string that parses to the same request', () => {
    const spec = fc
      .tuple(
        fc.constantFrom('', '127.0.0.1:', '[::1]:', '0.0.0.0:', ':'),
        fc.constantFrom('', '8080:', '3000-3002:', '49153:'),
        fc.constantFrom('80', '80-82', '1', '65535'),
        fc.constantFrom('', '/tcp', '/udp', '/SCTP'),
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(spec, (s) => {
        let parsed: PublishRequest;
        try {
          parsed = parsePublish(s);
        } catch {
          return;
        }
        assert.deepEqual(parsePublish(formatPublish(parsed)), parsed);
      }),
    );
  });
});
