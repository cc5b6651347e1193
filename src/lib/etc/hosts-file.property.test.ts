// Properties of the hosts file and its meta.json on hostile input: a meta.json written by someone else
// fails only with NerdnetError, and whatever the current file holds, the rewrite has exactly one
// nerdnet block of well-formed lines, keeps the outside lines, and is stable when redone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileString, mostly, outcome } from '../../../test/helpers/property.js';
import { indexAddresses, MARKER_BEGIN, MARKER_END, parseHostsOutsideBlock, renderHostsFile } from './hosts-file.js';
import { parseHostsMeta, serializeHostsMeta, type HostsMeta } from './hosts-meta.js';

const RUNS = 200;
type Wrap = (valid: fc.Arbitrary<string>) => fc.Arbitrary<string>;
const metaObject = (f: Wrap) =>
  fc.record(
    {
      ID: f(fc.stringMatching(/^[0-9a-f]{12}$/)),
      Networks: fc.oneof(
        { arbitrary: fc.dictionary(f(fc.stringMatching(/^[a-z][a-z0-9-]{1,10}$/)), fc.record({ ips: fc.array(fc.record({ address: f(fc.tuple(fc.ipV4(), fc.integer({ min: 8, max: 30 })).map(([ip, p]) => `${ip}/${p}`)) }), { maxLength: 2 }) }), { maxKeys: 3 }), weight: 4 },
        fc.constant(null),
        fc.jsonValue(),
      ),
      Hostname: f(fc.domain()),
      ExtraHosts: fc.oneof({ arbitrary: fc.dictionary(f(fc.domain()), f(fc.ipV4()), { maxKeys: 3 }), weight: 4 }, fc.jsonValue()),
      Name: f(fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/)),
      Domainname: fc.oneof(fc.constant(''), f(fc.domain())),
    },
    { requiredKeys: [] },
  );
const metaBytes = (f: Wrap) => fc.oneof({ arbitrary: metaObject(f).map((o) => JSON.stringify(o)), weight: 4 }, { arbitrary: hostileString, weight: 1 });
const currentFile = fc
  .array(fc.oneof(hostileString, fc.constantFrom(`# ${MARKER_BEGIN}`, `# ${MARKER_END}`, `#${MARKER_BEGIN}\r`, '127.0.0.1 localhost', '10.1.1.1 a b # c', '\tfe80::1\tgw')), { maxLength: 8 })
  .map((l) => l.join('\n'));

// Parse each generated record; keep the accepted ones under unique IDs.
function accepted(raws: string[]): HostsMeta[] {
  const out = new Map<string, HostsMeta>();
  for (const [i, raw] of raws.entries()) {
    const r = outcome(() => parseHostsMeta(raw, `meta${i}.json`));
    if (!r.ok) {
      assert.equal(r.error.code, 'ERR_INVALID_CONFIG');
      continue;
    }
    const id = r.value.ID === '' ? `c${i}` : r.value.ID;
    out.set(id, { ...r.value, ID: id });
  }
  return [...out.values()];
}

describe('hosts meta.json and hosts file (property)', () => {
  it('meta.json fails only with NerdnetError; an accepted record serializes and parses back to itself', () => {
    fc.assert(
      fc.property(metaBytes(fuzz), (raw) => {
        for (const meta of accepted([raw])) assert.deepEqual(parseHostsMeta(serializeHostsMeta(meta), 'again'), meta);
      }),
      { numRuns: RUNS },
    );
  });

  it('any current file and records: one block of well-formed lines, outside lines kept, stable when redone', () => {
    fc.assert(
      fc.property(currentFile, fc.array(metaBytes(mostly), { minLength: 1, maxLength: 5 }), (current, raws) => {
        const metas = accepted(raws);
        const index = indexAddresses(metas);
        for (const self of metas) {
          const out = renderHostsFile(current, self, index);
          const lines = out.split('\n');
          assert.equal(lines.pop(), '', 'ends with a newline');
          const begin = lines.indexOf(`# ${MARKER_BEGIN}`);
          const end = lines.indexOf(`# ${MARKER_END}`);
          assert.ok(begin >= 0 && end === lines.length - 1, out);
          assert.equal(lines.filter((l) => l.includes(MARKER_BEGIN) || l.includes(MARKER_END)).length, 2, out);
          for (const l of lines.slice(begin + 1, end)) assert.match(l, /^[0-9a-fA-F.:]+[ \t]+[A-Za-z0-9_.-]+(?: [A-Za-z0-9_.-]+)*$/, `block line ${JSON.stringify(l)}`);
          assert.deepEqual(lines.slice(0, begin), parseHostsOutsideBlock(current));
          assert.equal(renderHostsFile(out, self, index), out);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
