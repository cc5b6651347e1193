// The hook's OCI state parsing: what runc pipes in is accepted as-is (unknown fields dropped), and
// every bad field is named in one message, the way the hook reports it in its log.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NerdnetError } from '../errors.js';
import { parseOciState, readAnnotations } from './state.js';

const BASE = { ociVersion: '1.0.2', id: 'c1', status: 'creating', bundle: '/run/b' };

function errorOf(text: string): string {
  try {
    parseOciState(text);
  } catch (e) {
    assert.ok(NerdnetError.is(e), 'a NerdnetError');
    assert.equal(e.code, 'ERR_INVALID_ARG');
    return e.message;
  }
  assert.fail(`accepted ${text}`);
}

describe('parseOciState', () => {
  it("keeps runc's fields and drops the ones the hook does not read", () => {
    const state = parseOciState(JSON.stringify({ ...BASE, pid: 42, annotations: { 'nerdctl/name': 'web' }, extra: { x: 1 } }));
    assert.deepEqual(state, { ...BASE, pid: 42, annotations: { 'nerdctl/name': 'web' } });
    assert.deepEqual(parseOciState(JSON.stringify(BASE)), BASE);
  });

  it('says when stdin is not JSON or not an object', () => {
    assert.match(errorOf('not json'), /^the OCI state on stdin is not JSON \(.*\): the hook must be run by an OCI runtime$/);
    assert.equal(errorOf('[]'), 'invalid OCI state on stdin: ✖ Invalid input: expected object, received array');
    assert.equal(errorOf('null'), 'invalid OCI state on stdin: ✖ Invalid input: expected object, received null');
  });

  it('names every missing or mistyped field with its path', () => {
    assert.equal(
      errorOf(JSON.stringify({ id: 7, status: 's', bundle: '', annotations: { 'nerdctl/name': 1, plain: null } })),
      [
        'invalid OCI state on stdin: ✖ Invalid input: expected string, received undefined',
        '  → at ociVersion',
        '✖ Invalid input: expected string, received number',
        '  → at id',
        '✖ Too small: expected string to have >=1 characters',
        '  → at bundle',
        '✖ Invalid input: expected string, received number',
        '  → at annotations["nerdctl/name"]',
        '✖ Invalid input: expected string, received null',
        '  → at annotations.plain',
      ].join('\n'),
    );
    assert.equal(errorOf(JSON.stringify({ ...BASE, annotations: [] })), 'invalid OCI state on stdin: ✖ Invalid input: expected record, received array\n  → at annotations');
  });

  it('refuses unsafe container IDs and PIDs that are not non-negative integers', () => {
    assert.equal(errorOf(JSON.stringify({ ...BASE, id: '../x' })), 'invalid OCI state on stdin: ✖ container ID must match [a-zA-Z0-9][a-zA-Z0-9_.-]*\n  → at id');
    const pid = (p: string) => errorOf(`{"ociVersion":"1","id":"c","status":"s","bundle":"/b","pid":${p}}`).replace('invalid OCI state on stdin: ', '');
    assert.equal(pid('-1'), '✖ Too small: expected number to be >=0\n  → at pid');
    assert.equal(pid('1.5'), '✖ Invalid input: expected int, received number\n  → at pid');
    assert.equal(pid('"3"'), '✖ Invalid input: expected number, received string\n  → at pid');
    assert.equal(pid('null'), '✖ Invalid input: expected number, received null\n  → at pid');
    assert.equal(pid('1e400'), '✖ Invalid input: expected number, received Infinity\n  → at pid');
    assert.equal(pid('1e300'), '✖ Too big: expected int to be <=9007199254740991\n  → at pid');
  });
});

describe('readAnnotations', () => {
  it('reads the nerdctl annotations and refuses a missing namespace', () => {
    const ann = readAnnotations({ 'nerdctl/namespace': 'default', 'nerdctl/state-dir': '/s/c1', 'nerdctl/networks': '["bridge"]', 'nerdctl/ip': '10.4.0.9' });
    assert.deepEqual(ann, { namespace: 'default', name: '', stateDir: '/s/c1', hostname: '', domainname: '', networks: ['bridge'], extraHosts: [], ip: '10.4.0.9' });
    assert.throws(() => readAnnotations({}), /namespace must be set \(annotation nerdctl\/namespace\), got ""/);
  });
});
