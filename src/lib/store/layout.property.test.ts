// Properties of identifier validation, the guard of every data-root path: only NerdnetError, and an
// accepted namespace, ID or name is one path segment, so every layout path stays inside the store.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { relative, sep } from 'node:path';
import fc from 'fast-check';
import { fuzz, outcome } from '../../../test/helpers/property.js';
import { DataStoreLayout, isIdentifier, validateIdentifier } from './layout.js';

const RUNS = 1000;
const ROOT = '/var/lib/nerdctl/1935db59';
const ident = fuzz(fc.stringMatching(/^[a-z0-9]+([._-][a-z0-9]+){0,3}$/));

function inside(path: string): void {
  const rel = relative(ROOT, path);
  assert.ok(rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep), `${path} is outside ${ROOT}`);
}

describe('validateIdentifier (property)', () => {
  it('fails only with NerdnetError naming the value; accepted values are one safe segment', () => {
    fc.assert(
      fc.property(ident, (v) => {
        const r = outcome(() => validateIdentifier('container name', v));
        assert.equal(isIdentifier(v), r.ok);
        if (!r.ok) {
          assert.equal(r.error.code, 'ERR_INVALID_ARG');
          assert.ok(v === '' || r.error.message.includes(JSON.stringify(v)), r.error.message);
          return;
        }
        assert.match(v, /^[A-Za-z0-9._-]{1,76}$/);
        assert.ok(v !== '.' && v !== '..' && !v.includes('..'));
      }),
      { numRuns: RUNS },
    );
  });

  it('every layout path built from any namespace, ID and name is inside the store or refused', () => {
    const layout = new DataStoreLayout(ROOT);
    fc.assert(
      fc.property(ident, ident, ident, (ns, id, name) => {
        const r = outcome(() => [layout.stateDir(ns, id), layout.resolvConfPath(ns, id), layout.hostsPath(ns, id), layout.hostsMetaPath(ns, id), layout.namePath(ns, name), layout.hookLogPath(ns, id, 'postStop')]);
        if (r.ok) for (const p of r.value) inside(p);
        else assert.equal(r.error.code, 'ERR_INVALID_ARG');
      }),
      { numRuns: RUNS },
    );
  });
});
