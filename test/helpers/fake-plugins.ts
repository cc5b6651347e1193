// Fake CNI plugins for unit tests: copies of test/fixtures/plugins/noop under any type names, each
// driven by its own debug file, all logging to one command log.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const NOOP = fileURLToPath(new URL('../fixtures/plugins/noop', import.meta.url));

export interface DebugSpec {
  reportResult?: string;
  reportError?: string;
  reportErrorCode?: number;
  reportStderr?: string;
  reportVersionSupport?: string[];
  exitWithCode?: number;
  sleepMs?: number;
  rawStdout?: string;
}

export interface LoggedCall {
  plugin: string;
  env: Record<string, string | undefined>;
  stdin: Record<string, unknown>;
}

export class FakePlugins {
  private constructor(
    readonly dir: string,
    readonly binDir: string,
    readonly cacheDir: string,
    readonly logFile: string,
  ) {}

  static async create(types: string[]): Promise<FakePlugins> {
    const dir = await mkdtemp(join(tmpdir(), 'nerdnet-fake-'));
    const bin = join(dir, 'bin');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(bin);
    // A wrapper per type, so a plugin knows its type even for VERSION (whose stdin names none).
    for (const t of types) {
      await writeFile(join(bin, t), `#!/bin/sh\nNOOP_TYPE='${t}' NOOP_DIR='${dir}' exec node '${NOOP}' "$@"\n`, { mode: 0o755 });
    }
    const fake = new FakePlugins(dir, bin, join(dir, 'cache'), join(dir, 'calls.jsonl'));
    await writeFile(fake.logFile, '');
    return fake;
  }

  // A debug file for one plugin; put its path in the plugin's config as `debugFile`.
  async debugFile(name: string, spec: DebugSpec): Promise<string> {
    const file = join(this.dir, `${name}.debug.json`);
    await writeFile(file, JSON.stringify({ ...spec, commandLog: this.logFile }));
    return file;
  }

  // What `type` answers to VERSION.
  async setVersions(type: string, versions: string[]): Promise<void> {
    await writeFile(join(this.dir, `${type}.versions.json`), JSON.stringify(versions));
  }

  async calls(): Promise<LoggedCall[]> {
    const text = await readFile(this.logFile, 'utf8');
    return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as LoggedCall);
  }

  async clearCalls(): Promise<void> {
    await writeFile(this.logFile, '');
  }

  async cleanup(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
