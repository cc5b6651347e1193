// cnitool conventions: container ID, CNI_ARGS, CAP_ARGS, netns argument.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cnitoolContainerID, parseCapArgs, parseCniArgs, resolveNetnsPath } from './cnitool.js';

describe('cnitool conventions', () => {
  it('derives the container ID from SHA-512 of the netns path', () => {
    const id = cnitoolContainerID('/run/netns/x');
    assert.equal(id, `cnitool-${createHash('sha512').update('/run/netns/x').digest('hex').slice(0, 20)}`);
    assert.equal(id.length, 'cnitool-'.length + 20);
  });

  it('parses CNI_ARGS and names a bad pair', () => {
    assert.deepEqual(parseCniArgs('IP=10.0.0.5;IgnoreUnknown=1'), [['IP', '10.0.0.5'], ['IgnoreUnknown', '1']]);
    assert.deepEqual(parseCniArgs(''), []);
    assert.throws(() => parseCniArgs('IP=1;broken'), /invalid CNI_ARGS pair "broken"/);
    assert.throws(() => parseCniArgs('K='), /invalid CNI_ARGS pair "K="/);
  });

  it('parses CAP_ARGS as a JSON object', () => {
    assert.deepEqual(parseCapArgs('{"portMappings":[]}'), { portMappings: [] });
    assert.deepEqual(parseCapArgs(''), {});
    assert.throws(() => parseCapArgs('[1]'), /CAP_ARGS must be a JSON object/);
    assert.throws(() => parseCapArgs('{'), /CAP_ARGS is not valid JSON/);
  });

  it('takes a bare name from /run/netns and keeps paths absolute', async () => {
    assert.equal(await resolveNetnsPath('no-such-local-name-xyz'), '/run/netns/no-such-local-name-xyz');
    assert.equal(await resolveNetnsPath('/proc/1/ns/net'), '/proc/1/ns/net');
    await assert.rejects(resolveNetnsPath(''), /missing network namespace/);
  });
});
