// Go's own outputs (test/fixtures/go-template/: expected.json for the cases of cases.json,
// random-expected.json and hostile-expected.json for random-cases.ts's, written by gen.go with Go 1.19's text/template over
// the same JSON data): every case must print the same bytes, or fail in the same phase (parse or
// execution) with a NerdnetError.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { NerdnetError } from '../../lib/errors.js';
import { parseTemplate } from './index.js';

interface Expected {
  tmpl: string;
  data?: unknown;
  out?: string;
  error?: 'parse' | 'exec';
  go?: string;
}

const dir = new URL('../../../test/fixtures/go-template/', import.meta.url);
const shared = (JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as { data: unknown }).data;
const load = (name: string) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')) as Expected[];

function run(c: Expected): { out?: string; error?: 'parse' | 'exec'; message?: string } {
  let t;
  try {
    t = parseTemplate(c.tmpl, { missingKey: 'default' });
  } catch (e) {
    assert.ok(e instanceof NerdnetError && e.code === 'ERR_INVALID_ARG', String(e));
    return { error: 'parse', message: e.message };
  }
  try {
    return { out: t.render(c.data ?? shared) };
  } catch (e) {
    assert.ok(e instanceof NerdnetError && e.code === 'ERR_INVALID_ARG', String(e));
    return { error: 'exec', message: e.message };
  }
}

// Where nerdnet differs on purpose (docs/cli.md, "--format"): json keeps the data's key order (the
// field order of nerdctl's structs; Go sorts a map's keys), an integral number literal is an int,
// a few errors come at parse time instead of execution, and {{else with}} is accepted (Go 1.23 and
// the nerdctl built with it do; Go 1.19 did not).
const KNOWN: Record<string, { out?: string; error?: 'parse' }> = {
  '{{json .Labels | printf "%s"}}': { out: '{"b":"2","a":"1","z.x":"\\u003cy\\u003e\\u0026"}' },
  '{{json .Labels}}': { out: '{"b":"2","a":"1","z.x":"\\u003cy\\u003e\\u0026"}' },
  '{{json .}}': { out: JSON.stringify(shared).replace(/[<>&]/g, (ch) => `\\u00${ch.charCodeAt(0).toString(16)}`) },
  '{{printf "%v" 1.5e6}}': { out: '1500000' },
  '{{$y = 1}}': { error: 'parse' },
  '{{template "x"}}': { error: 'parse' },
  '{{index.Labels "a"}}': { error: 'parse' },
  '{{with .Missing}}a{{else with .Name}}{{.}}{{end}}': { out: 'web' },
};

function check(c: Expected): void {
  const r = run(c);
  const known = KNOWN[c.tmpl];
  const what = `${JSON.stringify(c.tmpl)}: Go: ${c.go ?? JSON.stringify(c.out)}; nerdnet: ${r.message ?? JSON.stringify(r.out)}`;
  if (known?.error) assert.equal(r.error, known.error, what);
  else if (known) assert.deepEqual(r, { out: known.out }, what);
  else if (c.error) assert.equal(r.error, c.error, what);
  else assert.deepEqual(r, { out: c.out }, what);
}

describe('templates against Go text/template', () => {
  for (const c of load('expected.json')) it(JSON.stringify(c.tmpl), () => check(c));
});

describe('random templates against Go text/template', () => {
  it('print the bytes Go prints, or fail in the phase Go fails', () => {
    for (const c of load('random-expected.json')) check(c);
  });

  it('so do valid templates after random edits', () => {
    for (const c of load('hostile-expected.json')) check(c);
  });
});
