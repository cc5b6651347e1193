import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerView } from './inspect.js';
import { filterWantsAll, matchesFilter } from './list-filter.js';

function view(over: { id: string; name: string; image?: string; created: string; status?: 'running' | 'exited'; exitCode?: number; networks?: string[]; labels?: Record<string, string> }): ContainerView {
  return {
    record: { id: over.id, name: over.name, image: over.image ?? '', created: over.created, config: { labels: over.labels ?? {} }, annotations: { 'nerdctl/networks': JSON.stringify(over.networks ?? ['bridge']) }, network: { networks: over.networks ?? ['bridge'] } },
    state: { status: over.status ?? 'running', exitCode: over.exitCode ?? 0 },
    ports: [],
  } as unknown as ContainerView;
}

describe('ps --filter matching', () => {
  const a = view({ id: 'aaaa1111', name: 'web-1', image: 'docker.io/library/busybox:latest', created: '2026-01-01T00:00:00Z', labels: { app: 'web' } });
  const b = view({ id: 'bbbb2222', name: 'db', created: '2026-01-02T00:00:00Z', status: 'exited', exitCode: 3, networks: ['host'] });

  it('one kind ORs its values, kinds AND', () => {
    assert.ok(matchesFilter(a, { names: ['^db$', 'web'] }));
    assert.ok(!matchesFilter(a, { names: ['web'], labels: [{ key: 'app', value: 'db' }] }));
    assert.ok(matchesFilter(a, { labels: [{ key: 'app' }] }));
    assert.ok(matchesFilter(b, { exited: [3], networks: ['host'] }));
    assert.ok(!matchesFilter(a, { exited: [0] }), 'a running container has no exit code to match');
  });

  it('ancestor matches Docker\'s short image forms; before/since by creation, never the container itself', () => {
    for (const ref of ['busybox', 'busybox:latest', 'library/busybox', 'docker.io/library/busybox:latest']) assert.ok(matchesFilter(a, { ancestors: [ref] }), ref);
    assert.ok(!matchesFilter(a, { ancestors: ['alpine'] }));
    assert.ok(matchesFilter(b, { since: { id: a.record.id, created: a.record.created } }));
    assert.ok(!matchesFilter(a, { since: { id: a.record.id, created: a.record.created } }));
    assert.ok(matchesFilter(a, { before: { id: b.record.id, created: b.record.created } }));
  });

  it('status and exit code filters look at stopped containers too', () => {
    assert.equal(filterWantsAll({ statuses: ['exited'] }), true);
    assert.equal(filterWantsAll({ names: ['x'] }), false);
  });
});
