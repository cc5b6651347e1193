// The hook's entry: parse the OCI state, read the annotations, log to
// `<state dir>/oci-hook.<event>.log` (truncated each run) as well as to the caller's logger,
// then run the event.
import { appendFileSync, closeSync, constants, existsSync, mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { NerdnetError } from '../errors.js';
import type { Logger } from '../etc/types.js';
import type { AttachmentEnv } from '../attachment/types.js';
import { onCreateRuntime, onPostStop } from './events.js';
import { parseOciState, readAnnotations } from './state.js';

export const HOOK_EVENTS = ['createRuntime', 'postStop'] as const;
export type HookEventName = (typeof HOOK_EVENTS)[number];

export function hookLogPath(stateDir: string, event: HookEventName): string {
  return join(stateDir, `oci-hook.${event}.log`);
}

// Tee a logger into the hook's log file; a log that cannot be written never fails the hook.
function teeLogger(file: string, to: Logger): Logger {
  return (level, message) => {
    to(level, message);
    try {
      appendFileSync(file, `${new Date().toISOString()} ${level} ${message}\n`);
    } catch {
      // best effort
    }
  };
}

// The nerdctl/state-dir annotation comes from the bundle: the hook writes there only when it is this
// container's own state dir under the data store, never a directory the bundle's author picked.
function checkStateDir(given: string, expected: string): void {
  if (resolve(given) !== resolve(expected)) {
    throw new NerdnetError('ERR_INVALID_ARG', `annotation nerdctl/state-dir is ${JSON.stringify(given)}, but this container's state dir is ${expected}: the bundle was not written by nerdnet for this data root (check --data-root and --address)`);
  }
}

export async function runHook(event: string, stdin: string, makeEnv: (log: Logger) => Promise<AttachmentEnv>, log: Logger): Promise<void> {
  if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
    throw new NerdnetError('ERR_INVALID_ARG', `unexpected event "${event}": give createRuntime or postStop`);
  }
  const state = parseOciState(stdin);
  const ann = readAnnotations(state.annotations);
  // The log goes to the state dir, which is known to be ours only once the data store is open.
  let sink: Logger = log;
  const env = await makeEnv((level, message) => sink(level, message));
  checkStateDir(ann.stateDir, env.layout.stateDir(ann.namespace, state.id));
  // postStop never makes the state dir again: when it is gone, the container was removed already.
  if (event === 'createRuntime') mkdirSync(ann.stateDir, { recursive: true, mode: 0o700 });
  if (existsSync(ann.stateDir)) {
    const file = hookLogPath(ann.stateDir, event as HookEventName);
    // O_NOFOLLOW: a symlink planted there is refused, not truncated through.
    closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600));
    sink = teeLogger(file, log);
  }
  try {
    if (event === 'createRuntime') await onCreateRuntime(env, { state, ann });
    else await onPostStop(env, { state, ann });
  } catch (e) {
    sink('warn', `${event} failed: ${(e as Error).message}`);
    throw e;
  }
}
