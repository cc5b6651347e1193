// Properties of the -p grammar on random, nearly valid and hostile values: only NerdnetError naming
// the value, and an accepted value is a consistent request that prints and parses back to itself.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { tryParseIP } from '../ip/index.js';
import { formatPublish } from './format.js';
import { parsePortFilter, parsePublish, parsePublishFlags } from './parse.js';

const RUNS = 1000;
const port = fc.integer({ min: 0, max: 70000 }).map(String);
const range = fc.oneof(port, fc.tuple(port, port).map(([a, b]) => `${a}-${b}`));
const valid = fc
  .tuple(fc.constantFrom('', '127.0.0.1:', '[::1]:', '0.0.0.0:', '::1:', '[fd00::5]:'), fc.option(range, { nil: undefined }), range, fc.constantFrom('', '/tcp', '/udp', '/SCTP', '/icmp'))
  .map(([ip, host, container, proto]) => `${ip}${host === undefined ? '' : `${host}:`}${container}${proto}`);

describe('parsePublish (property)', () => {
  it('fails only with NerdnetError naming the value; an accepted request is consistent and round-trips', () => {
    fc.assert(
      fc.property(fuzz(valid), (spec) => {
        const r = outcome(() => parsePublish(spec));
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.ok(r.error.message.includes(spec), r.error.message);
          return;
        }
        const q = r.value;
        for (const p of [q.containerPorts, ...(q.hostPorts ? [q.hostPorts] : [])]) {
          assert.ok(Number.isInteger(p.start) && p.start >= 1 && p.start <= p.end && p.end <= 65535, JSON.stringify(p));
        }
        if (q.hostPorts && q.containerPorts.end !== q.containerPorts.start) {
          assert.equal(q.hostPorts.end - q.hostPorts.start, q.containerPorts.end - q.containerPorts.start);
        }
        assert.ok(tryParseIP(q.hostIP), q.hostIP);
        assert.deepEqual(parsePublish(formatPublish(q)), q);
      }),
      { numRuns: RUNS },
    );
  });

  it('comma lists and repeated flags fail only with NerdnetError', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fuzz(valid), { maxLength: 3 }).map((l) => l.join(',')), { maxLength: 3 }), (values) => {
        const r = outcome(() => parsePublishFlags(values));
        if (r.ok) assert.equal(new Set(r.value.map(formatPublish)).size, r.value.length);
      }),
      { numRuns: 300 },
    );
  });

  it('the port filter fails only with NerdnetError and accepts only 1-65535', () => {
    fc.assert(
      fc.property(fuzz(fc.tuple(port, fc.constantFrom('', '/tcp', '/udp', '/sctp', '/x')).map(([p, s]) => p + s)), (text) => {
        const r = outcome(() => parsePortFilter(text));
        if (r.ok) assert.ok(r.value.containerPort >= 1 && r.value.containerPort <= 65535);
      }),
      { numRuns: RUNS },
    );
  });
});
