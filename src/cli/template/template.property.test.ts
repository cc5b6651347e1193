// Properties of the --format engine against Go's documented rules: any text parses or fails with
// NerdnetError, maps print and range in sorted key order, truth follows Go's zero values, printf's
// widths and integer verbs, and trim markers eat exactly the whitespace beside them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { goKeyCompare } from '../../lib/network/gojson.js';
import { parseTemplate } from './index.js';

const RUNS = 500;
const render = (src: string, data: unknown): string => parseTemplate(src, { missingKey: 'default' }).render(data);
const word = fc.stringMatching(/^[A-Za-z0-9_.:-]{0,8}$/);
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer({ min: -1000, max: 1000 }), word, fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(word, tie('v'), { maxKeys: 3 })),
})).v;
const valid = fc
  .array(fc.constantFrom('{{.A}}', '{{range $k, $v := .M}}{{$k}}={{$v}}{{else}}-{{end}}', '{{if .B}}y{{else if .A}}a{{end}}', '{{with .M}}{{len .}}{{end}}', '{{printf "%5s|%-3d" .A 4}}', '{{.A | print}}', '{{- " " -}}', '{{/* c */}}', 'text ', '{{$x := .A}}{{$x}}', '{{index .M "k"}}', '{{json .}}', '{{eq .A "x"}}'), { maxLength: 6 })
  .map((p) => p.join(''));

describe('templates (property)', () => {
  it('any text parses or fails with ERR_INVALID_ARG naming a position; rendering fails the same way', () => {
    fc.assert(
      fc.property(fuzz(valid), json, (src, data) => {
        const r = outcome(() => render(src, { A: 'x', B: true, M: { k: 1 }, D: data }));
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.match(r.error.message, /^invalid --format: .* \(at line \d+, column \d+/s);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('text without actions renders as itself', () => {
    fc.assert(fc.property(fc.string().filter((s) => !s.includes('{{')), (s) => assert.equal(render(s, {}), s)), { numRuns: RUNS });
  });

  it('a map prints as map[k:v ...] and ranges in byte order of its keys', () => {
    fc.assert(
      fc.property(fc.dictionary(word, word, { maxKeys: 6 }), (m) => {
        const keys = Object.keys(m).sort(goKeyCompare);
        assert.equal(render('{{.}}', m), `map[${keys.map((k) => `${k}:${m[k]}`).join(' ')}]`);
        assert.equal(render('{{range $k, $v := .}}{{$k}}={{$v}};{{else}}empty{{end}}', m), keys.length ? keys.map((k) => `${k}=${m[k]};`).join('') : 'empty');
        assert.equal(render('{{len .}}', m), String(keys.length));
      }),
      { numRuns: RUNS },
    );
  });

  it("truth is Go's: false, 0, empty string/slice/map and nil are false", () => {
    fc.assert(
      fc.property(json, (v) => {
        const truth = v === null ? false : typeof v === 'object' ? Object.keys(v).length > 0 : Boolean(v);
        assert.equal(render('{{if .V}}T{{else}}F{{end}}', { V: v }), truth ? 'T' : 'F');
        assert.equal(render('{{not .V}}', { V: v }), String(!truth));
      }),
      { numRuns: RUNS },
    );
  });

  it('printf: %d and %x of ints, %Ns and %-Ns pad to N runes, %v equals the action print', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), word, fc.integer({ min: 0, max: 12 }), json, (n, s, w, v) => {
        assert.equal(render('{{printf "%d %x %X" .N .N .N}}', { N: n }), `${n} ${n.toString(16)} ${n.toString(16).toUpperCase()}`);
        assert.equal(render(`{{printf "[%${w}s][%-${w}s]" .S .S}}`, { S: s }), `[${s.padStart(w)}][${s.padEnd(w)}]`);
        if (v !== null) assert.equal(render('{{printf "%v" .V}}', { V: v }), render('{{.V}}', { V: v }));
      }),
      { numRuns: RUNS },
    );
  });

  it('{{- and -}} remove all the whitespace beside them and nothing else', () => {
    const ws = fc.stringMatching(/^[ \t\r\n]{0,4}$/);
    fc.assert(
      fc.property(word, ws, word, ws, word, (a, w1, x, w2, b) => {
        assert.equal(render(`${a}${w1}{{- .X -}}${w2}${b}`, { X: x }), `${a}${x}${b}`);
        assert.equal(render(`${a}${w1}{{.X}}${w2}${b}`, { X: x }), `${a}${w1}${x}${w2}${b}`);
      }),
      { numRuns: RUNS },
    );
  });
});
