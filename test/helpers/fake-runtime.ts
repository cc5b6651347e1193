// A ContainerRuntime that plays runc without running anything: launch runs the bundle's
// createRuntime hooks and a stop or delete its postStop hooks, each through `runHookEvent` (the
// test passes the OCI hook's own code, in-process), with the OCI state runc would give them. The
// container "process" is this test process, so /proc/<pid>/ns/net exists; the plugins are fakes.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeDrivers } from '../../src/lib/container/env.js';
import type { Spec } from '../../src/lib/oci/types.js';
import type { ContainerRuntime, Launched, LaunchRequest, RuntimeContainer, RuntimeObservation } from '../../src/lib/runtime/types.js';

export type HookEventRunner = (event: 'createRuntime' | 'postStop', stateJSON: string) => Promise<void>;

interface Entry {
  state: 'created' | 'running' | 'stopped';
  exitCode: number;
  bundle: string;
  // postStop runs once per start, as runc does.
  stopped: boolean;
}

export class FakeRuntime implements ContainerRuntime {
  readonly record = { backend: 'runc' as const, binary: 'fake-runc' };
  readonly reapsOnExit = true;
  readonly containers = new Map<string, Entry>();
  readonly events: Array<{ event: string; id: string }> = [];

  constructor(private readonly runHookEvent: HookEventRunner) {}

  get drivers(): RuntimeDrivers {
    return { forNew: () => Promise.resolve(this), forRecord: () => Promise.resolve(this) };
  }

  private async hook(event: 'createRuntime' | 'postStop', c: RuntimeContainer, status: string): Promise<void> {
    const spec = JSON.parse(await readFile(join(c.files.bundle, 'config.json'), 'utf8')) as Spec;
    const state = { ociVersion: '1.0.2', id: c.id, status, pid: process.pid, bundle: c.files.bundle, annotations: spec.annotations ?? {} };
    const hooks = event === 'createRuntime' ? spec.hooks?.createRuntime : spec.hooks?.poststop;
    for (const _ of hooks ?? []) {
      this.events.push({ event, id: c.id });
      await this.runHookEvent(event, JSON.stringify(state));
    }
  }

  create(c: RuntimeContainer, _spec: Spec): Promise<void> {
    this.containers.set(c.id, { state: 'created', exitCode: 0, bundle: c.files.bundle, stopped: false });
    return Promise.resolve();
  }

  async launch(c: RuntimeContainer, _req: LaunchRequest): Promise<Launched> {
    const e = this.containers.get(c.id);
    if (!e) throw new Error(`fake runtime: no container ${c.id}`);
    e.stopped = false;
    try {
      await this.hook('createRuntime', c, 'creating');
    } catch (err) {
      // runc runs postStop after a failed createRuntime hook, then fails the start.
      await this.stop(c, e, 'stopped');
      throw err;
    }
    e.state = 'running';
    return { pid: process.pid };
  }

  private async stop(c: RuntimeContainer, e: Entry, status: string): Promise<void> {
    e.state = 'stopped';
    if (e.stopped) return;
    e.stopped = true;
    await this.hook('postStop', c, status);
  }

  // The machine died: the process and the runtime's state are gone, and no postStop ran.
  crash(id: string): void {
    this.containers.delete(id);
  }

  waitStarted(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  observe(c: RuntimeContainer): Promise<RuntimeObservation> {
    const e = this.containers.get(c.id);
    if (!e || e.state === 'created') return Promise.resolve({ kind: 'unknown' });
    return Promise.resolve(e.state === 'running' ? { kind: 'running', pid: process.pid } : { kind: 'exited', exitCode: e.exitCode, finishedAt: new Date().toISOString() });
  }

  observeAll(cs: readonly RuntimeContainer[]): Promise<RuntimeObservation[]> {
    return Promise.all(cs.map((c) => this.observe(c)));
  }

  // The process dies at once; like the runc shim, the exit is reaped there and then (postStop).
  async kill(c: RuntimeContainer, _signal: string): Promise<boolean> {
    const e = this.containers.get(c.id);
    if (e?.state !== 'running') return false;
    e.exitCode = 137;
    await this.stop(c, e, 'stopped');
    return true;
  }

  reap(): Promise<void> {
    return Promise.resolve();
  }

  async delete(c: RuntimeContainer): Promise<void> {
    const e = this.containers.get(c.id);
    if (e && e.state !== 'created') await this.stop(c, e, 'stopped');
    this.containers.delete(c.id);
  }

  exec(): Promise<number> {
    return Promise.resolve(0);
  }

  stateHint(): string {
    return 'fake runtime';
  }
}

