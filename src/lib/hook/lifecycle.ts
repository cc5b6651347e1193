// lifecycle.json: when the hook last ran createRuntime and whether
// network setup failed, so postStop after a failed create does no cleanup (issue #3357).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';

export interface Lifecycle {
  started_at: string;
  create_error: boolean;
}

export function lifecyclePath(stateDir: string): string {
  return join(stateDir, 'lifecycle.json');
}

export async function readLifecycle(stateDir: string): Promise<Lifecycle | undefined> {
  try {
    const raw = JSON.parse(await readFile(lifecyclePath(stateDir), 'utf8')) as Partial<Lifecycle>;
    return { started_at: String(raw.started_at ?? ''), create_error: raw.create_error === true };
  } catch {
    return undefined;
  }
}

// Go's RFC3339Nano: nanosecond digits, trailing zeros trimmed.
export function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

export async function writeLifecycle(stateDir: string, l: Lifecycle): Promise<void> {
  await writeFileAtomic(lifecyclePath(stateDir), JSON.stringify(l), { mode: 0o600 });
}
