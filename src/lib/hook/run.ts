// The hook's entry (spec nerdctl 6.2-6.3): parse the OCI state, read the annotations, log to
// `<state dir>/oci-hook.<event>.log` (truncated each run) as well as to the caller's logger,
// then run the event.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NerdnetError } from '../errors.js';
import type { Logger } from '../etc/types.js';
import { onCreateRuntime, onPostStop, type HookEnv } from './events.js';
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

export async function runHook(event: string, stdin: string, makeEnv: (log: Logger) => Promise<HookEnv>, log: Logger): Promise<void> {
  if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
    throw new NerdnetError('ERR_INVALID_ARG', `unexpected event "${event}": give createRuntime or postStop`);
  }
  const state = parseOciState(stdin);
  const ann = readAnnotations(state.annotations);
  mkdirSync(ann.stateDir, { recursive: true, mode: 0o700 });
  const file = hookLogPath(ann.stateDir, event as HookEventName);
  writeFileSync(file, '', { mode: 0o600 });
  const tee = teeLogger(file, log);
  const env = await makeEnv(tee);
  try {
    if (event === 'createRuntime') await onCreateRuntime(env, { state, ann });
    else await onPostStop(env, { state, ann });
  } catch (e) {
    tee('warn', `${event} failed: ${(e as Error).message}`);
    throw e;
  }
}
