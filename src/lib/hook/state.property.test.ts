// Properties of the hook's input, the OCI state on stdin and the nerdctl/* annotations of a bundle
// someone else may have written: only NerdnetError, and what is accepted is safe to use in paths
// and files. Written against the public functions so it holds for any implementation of them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzz, hostileString, outcome } from '../../../test/helpers/property.js';
import { parseOciState, readAnnotations } from './state.js';

const RUNS = 500;
const id = fuzz(fc.stringMatching(/^[0-9a-f]{64}$/));
const annotations = fc.dictionary(
  fc.oneof({ arbitrary: fc.constantFrom('nerdctl/namespace', 'nerdctl/name', 'nerdctl/state-dir', 'nerdctl/hostname', 'nerdctl/domainname', 'nerdctl/networks', 'nerdctl/extraHosts', 'nerdctl/ip', 'nerdctl/ip6', 'nerdctl/mac-address', 'nerdctl/pid-file', 'nerdctl/network-namespace'), weight: 4 }, hostileString),
  fc.oneof(
    fuzz(fc.constantFrom('default', 'web-1', '/var/lib/nerdctl/1935db59/containers/default/abc', '["bridge"]', '["db:10.0.0.5","v6:fd00::1"]', '10.4.0.9', 'fd00::9', '02:42:ac:11:00:02', '/run/netns/x')),
    fc.array(fuzz(fc.constantFrom('bridge', 'db:10.0.0.5', 'n1')), { maxLength: 3 }).map((a) => JSON.stringify(a)),
  ),
  { maxKeys: 12 },
);
const fullAnnotations = fc
  .record({ ns: fuzz(fc.constant('default')), dir: fuzz(fc.constant('/var/lib/nerdctl/1935db59/containers/default/abc')), nets: fc.array(fuzz(fc.constant('bridge')), { maxLength: 2 }), extra: annotations })
  .map(({ ns, dir, nets, extra }) => ({ 'nerdctl/namespace': ns, 'nerdctl/state-dir': dir, 'nerdctl/networks': JSON.stringify(nets), ...extra }));
const state = fc.record(
  {
    ociVersion: fc.oneof(fc.constant('1.0.2'), fc.jsonValue()),
    id: fc.oneof(id, fc.jsonValue()),
    status: fc.oneof(fc.constantFrom('creating', 'created', 'stopped'), fc.jsonValue()),
    pid: fc.oneof(fc.nat(), fc.integer(), fc.double(), fc.jsonValue()),
    bundle: fc.oneof(fuzz(fc.constant('/run/bundle/x')), fc.jsonValue()),
    annotations: fc.oneof({ arbitrary: fullAnnotations, weight: 3 }, fc.jsonValue()),
  },
  { requiredKeys: [] },
);
const stdin = fc.oneof({ arbitrary: state.map((s) => JSON.stringify(s)), weight: 4 }, hostileString, fc.jsonValue().map((v) => JSON.stringify(v)));

describe('hook input (property)', () => {
  it('the OCI state fails only with NerdnetError; an accepted one has a safe ID and string annotations', () => {
    fc.assert(
      fc.property(stdin, (text) => {
        const r = outcome(() => parseOciState(text));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_ARG');
        assert.match(r.value.id, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
        assert.ok(typeof r.value.bundle === 'string' && r.value.bundle !== '');
        assert.ok(r.value.pid === undefined || (Number.isInteger(r.value.pid) && r.value.pid >= 0));
        for (const v of Object.values(r.value.annotations ?? {})) assert.equal(typeof v, 'string');
      }),
      { numRuns: RUNS },
    );
  });

  it('annotations fail only with NerdnetError; accepted ones are safe for paths and lines', () => {
    fc.assert(
      fc.property(fc.oneof(fullAnnotations, annotations), (a) => {
        const r = outcome(() => readAnnotations(a));
        if (!r.ok) return assert.equal(r.error.code, 'ERR_INVALID_ARG');
        const ann = r.value;
        assert.match(ann.namespace, /^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
        assert.ok(ann.stateDir.startsWith('/') && !ann.stateDir.split('/').includes('..'), ann.stateDir);
        for (const v of [ann.name, ann.stateDir, ann.hostname, ann.domainname, ...ann.networks, ...ann.extraHosts, ann.ip ?? '', ann.ip6 ?? '', ann.mac ?? '', ann.pidFile ?? '', ann.netnsPath ?? '']) {
          assert.doesNotMatch(v, /[\0\n\r]/, JSON.stringify(v));
        }
      }),
      { numRuns: RUNS },
    );
  });
});
