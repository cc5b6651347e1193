// The library words a remedy as an action on its objects; the CLI words the same remedy as a command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NerdnetError } from '../lib/errors.js';
import { formatError } from './error-text.js';

test('a remedy: the library message names no command, the CLI message names the command', () => {
  const err = new NerdnetError('ERR_INVALID_ARG', 'container web (0123456789ab) is not running', { remedy: { kind: 'start', container: 'web' } });
  assert.equal(err.message, 'container web (0123456789ab) is not running: start it first');
  assert.doesNotMatch(err.message, /nerdnet/);
  assert.equal(formatError(err), 'container web (0123456789ab) is not running: start it first with `nerdnet start web`');
});

test('an error without a remedy reads the same in both', () => {
  const err = new NerdnetError('ERR_NOT_FOUND', 'no such thing');
  assert.equal(formatError(err), err.message);
});
