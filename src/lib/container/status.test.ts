import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { UNKNOWN_EXIT_CODE, stateOf } from './status.js';
import type { ContainerRecord } from './types.js';

const rec = (state: ContainerRecord['state']) => ({ state }) as ContainerRecord;

describe('stateOf (record + runtime observation → what ps and inspect show)', () => {
  it('a never-started container is created, whatever the runtime says', () => {
    const s = stateOf(rec({ phase: 'created' }), { kind: 'running', pid: 9 });
    assert.equal(s.status, 'created');
    assert.equal(s.running, false);
  });

  it('running carries the PID; exited carries code and time', () => {
    const started = rec({ phase: 'started', startedAt: '2026-01-01T00:00:00Z' });
    assert.deepEqual([stateOf(started, { kind: 'running', pid: 42 }).status, stateOf(started, { kind: 'running', pid: 42 }).pid], ['running', 42]);
    const exited = stateOf(started, { kind: 'exited', exitCode: 137, finishedAt: '2026-01-01T00:01:00Z' });
    assert.deepEqual([exited.status, exited.exitCode, exited.finishedAt, exited.startedAt], ['exited', 137, '2026-01-01T00:01:00Z', '2026-01-01T00:00:00Z']);
  });

  it('an unknown end is Exited (255) with a reason, unless a start error is recorded', () => {
    const lost = stateOf(rec({ phase: 'started' }), { kind: 'unknown' });
    assert.equal(lost.exitCode, UNKNOWN_EXIT_CODE);
    assert.match(lost.error, /ended without recording an exit code/);
    assert.equal(stateOf(rec({ phase: 'started', error: 'hook failed' }), { kind: 'unknown' }).error, 'hook failed');
  });
});
