import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { familiarString, normalizeReference, parseReference } from './reference.js';
import { humanDuration, humanSize } from './listing.js';

describe('image references (Docker normalisation)', () => {
  it('adds docker.io, library/ and :latest as Docker does', () => {
    const cases: Array<[string, string]> = [
      ['busybox', 'docker.io/library/busybox:latest'],
      ['busybox:1.36', 'docker.io/library/busybox:1.36'],
      ['library/busybox', 'docker.io/library/busybox:latest'],
      ['me/app', 'docker.io/me/app:latest'],
      ['docker.io/busybox', 'docker.io/library/busybox:latest'],
      ['index.docker.io/library/busybox:1', 'docker.io/library/busybox:1'],
      ['localhost/app', 'localhost/app:latest'],
      ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
      ['registry.example/a/b/c:x.y-z_1', 'registry.example/a/b/c:x.y-z_1'],
      ['ghcr.io/o/a_b__c-d', 'ghcr.io/o/a_b__c-d:latest'],
      [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
    ];
    for (const [input, want] of cases) assert.equal(normalizeReference(input), want, input);
  });

  it('shows the familiar form back', () => {
    assert.equal(familiarString(parseReference('docker.io/library/busybox:latest')), 'busybox:latest');
    assert.equal(familiarString(parseReference('docker.io/me/app:1')), 'me/app:1');
    assert.equal(familiarString(parseReference('localhost:5000/app')), 'localhost:5000/app:latest');
    assert.equal(familiarString(parseReference('docker.io/library/a/b')), 'library/a/b:latest');
  });

  it('refuses bad references with the value and the rule', () => {
    for (const bad of ['', 'Busybox', 'busy box', 'busybox:', 'busybox:-x', 'a//b', 'busybox@sha256:abc', 'a'.repeat(64), '-x', 'x/', 'my_host:5000/app']) {
      assert.throws(() => parseReference(bad), (err: Error & { code?: string }) => err.code === 'ERR_INVALID_ARG' && err.message.includes('invalid image reference'), bad);
    }
    assert.throws(() => parseReference('Busybox'), /must be lowercase/);
  });
});

describe('image ls units (go-units)', () => {
  it('sizes in decimal units with 3 significant digits', () => {
    assert.equal(humanSize(0), '0B');
    assert.equal(humanSize(999), '999B');
    assert.equal(humanSize(1982364), '1.98MB');
    assert.equal(humanSize(2_000_000), '2MB');
    assert.equal(humanSize(77_800_000_000), '77.8GB');
  });

  it('durations as Docker words them', () => {
    const s = 1000;
    const h = 3600 * s;
    assert.equal(humanDuration(500), 'Less than a second');
    assert.equal(humanDuration(s), '1 second');
    assert.equal(humanDuration(59 * s), '59 seconds');
    assert.equal(humanDuration(60 * s), 'About a minute');
    assert.equal(humanDuration(5 * 60 * s), '5 minutes');
    assert.equal(humanDuration(h), 'About an hour');
    assert.equal(humanDuration(30 * h), '30 hours');
    assert.equal(humanDuration(72 * h), '3 days');
    assert.equal(humanDuration(21 * 24 * h), '3 weeks');
    assert.equal(humanDuration(90 * 24 * h), '3 months');
    assert.equal(humanDuration(800 * 24 * h), '2 years');
  });
});
