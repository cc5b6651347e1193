// The runc backend: no daemon. Each started container has a /bin/sh monitor (shim.ts) running
// `runc run` in the foreground; it records the exit code and deletes the runc container, which fires
// the poststop hook, so a container that exits by itself releases its network at once.
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, watch } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { NerdnetError } from '../errors.js';
import type { Spec } from '../oci/types.js';
import { Runc } from './runc.js';
import type { RuncOptions, RuncState } from './runc.js';
import { readExitRecord, readStartError, shimAlive, spawnShim } from './shim.js';
import type { ShimPlan } from './shim.js';
import type { AttachedEnd, ContainerRuntime, CreateMeta, LaunchRequest, Launched, RuntimeContainer, RuntimeExecOptions, RuntimeObservation, RuntimeRecord } from './types.js';

const LIVE = new Set(['creating', 'created', 'running', 'paused']);

// The PID runc wrote once the container process ran, while that process is still alive.
async function runningPid(pidFile: string): Promise<number | undefined> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat === '' || /\) [ZX] /.test(stat) ? undefined : pid;
}

// Resolves when a file named `names` appears in `dir` (inotify), or `timeoutMs` passes, or `stop` fires.
function fileEvent(dir: string, names: readonly string[], timeoutMs: number, stop: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    let watcher: ReturnType<typeof watch> | undefined;
    const done = () => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    try {
      watcher = watch(dir, (_event, name) => {
        if (name && names.includes(name)) done();
      });
      watcher.on('error', done);
    } catch {
      // No inotify: the timeout polls instead.
    }
    void stop.then(done);
  });
}

export class RuncRuntime implements ContainerRuntime {
  readonly runc: Runc;
  readonly record: RuntimeRecord;

  constructor(opts: RuncOptions = {}) {
    this.runc = new Runc(opts);
    this.record = { backend: 'runc', binary: this.runc.binary, ...(this.runc.root !== undefined ? { root: this.runc.root } : {}) };
  }

  static fromRecord(rec: RuntimeRecord): RuncRuntime {
    return new RuncRuntime({ binary: rec.binary, ...(rec.root !== undefined ? { root: rec.root } : {}) });
  }

  readonly reapsOnExit = true;
  // The monitors this process started: their exit ends a wait for the start at once.
  private readonly shims = new Map<string, Promise<number>>();

  // runc keeps nothing before `runc run`: the bundle is all it needs.
  async create(_c: RuntimeContainer, _spec: Spec, _meta: CreateMeta): Promise<void> {}

  async launch(c: RuntimeContainer, req: LaunchRequest): Promise<Launched> {
    const f = c.files;
    // A runc container left by a crash would make `runc run` fail with "already exists"; runc has
    // one only while its state dir exists, so a clean start starts no runc for it.
    if (existsSync(this.runc.stateDir(c.id))) await this.runc.delete(c.id, { force: true });
    await rm(f.exitFile, { force: true });
    await rm(f.initPid, { force: true });
    await writeFile(f.runcLog, '', { mode: 0o600 });
    const plan: ShimPlan = { id: c.id, runc: this.runc, bundle: f.bundle, exitFile: f.exitFile, runcLog: f.runcLog, pidFile: f.initPid };
    if (!req.attach && req.keepStdinOpen) plan.stdinFifo = f.stdinFifo;
    if (!req.attach && req.afterExit) Object.assign(plan, { afterExit: req.afterExit, afterExitLog: f.autoRemoveLog });
    let child: ChildProcess;
    if (req.attach) {
      child = spawnShim(plan, { detached: false, stdio: req.attach.stdio, cwd: f.stateDir });
    } else {
      const fd = openSync(f.log, 'a', 0o640);
      try {
        child = spawnShim(plan, { detached: true, stdio: ['ignore', fd, fd], cwd: f.stateDir });
      } finally {
        closeSync(fd);
      }
    }
    // Listened for from the spawn on, so a quick exit is never missed.
    const closed = new Promise<number>((resolve) => {
      child.on('close', (code) => resolve(code ?? 255));
      child.on('error', () => resolve(255));
    });
    if (!child.pid) throw new NerdnetError('ERR_HOST', 'cannot spawn /bin/sh for the container monitor');
    if (!req.attach) {
      this.shims.set(c.id, closed);
      void closed.then(() => this.shims.delete(c.id));
      return { pid: child.pid };
    }
    const ended = closed.then(async (status): Promise<AttachedEnd> => {
      const startError = await readStartError(f.runcLog);
      if (startError) return { startError };
      return { exitCode: (await readExitRecord(f.exitFile))?.exitCode ?? status };
    });
    return { pid: child.pid, ended };
  }

  // Until the process runs (runc wrote its pid file) or ran (the monitor wrote the exit file), or the
  // start failed: woken by inotify on the state dir and by the monitor's exit, never by asking runc.
  async waitStarted(c: RuntimeContainer): Promise<string | undefined> {
    const f = c.files;
    const ended = this.shims.get(c.id) ?? new Promise<never>(() => {});
    const names = [basename(f.initPid), basename(f.exitFile)];
    for (;;) {
      if (await readExitRecord(f.exitFile)) return readStartError(f.runcLog);
      if (existsSync(f.initPid)) return undefined;
      if (!(await shimAlive(c.launchedPid, c.id)) && !(await readExitRecord(f.exitFile))) {
        return (await readStartError(f.runcLog)) ?? 'the container monitor exited before the container ran';
      }
      // The timeout only guards against a missed event.
      await fileEvent(dirname(f.initPid), names, 250, ended);
    }
  }

  observe(c: RuntimeContainer): Promise<RuntimeObservation> {
    return this.observeKnown(c, undefined);
  }

  // One `runc list` for all of them.
  async observeAll(cs: readonly RuntimeContainer[]): Promise<RuntimeObservation[]> {
    if (cs.length === 0) return [];
    const states = new Map((await this.runc.list()).map((s) => [s.id, s]));
    return Promise.all(cs.map((c) => this.observeKnown(c, states.get(c.id) ?? null)));
  }

  // Three sources: the shim's exit file, runc, and whether the shim is still alive.
  // `known`: from one `runc list`; null = runc does not have it; undefined = ask runc.
  private async observeKnown(c: RuntimeContainer, known: RuncState | null | undefined): Promise<RuntimeObservation> {
    const exit = await readExitRecord(c.files.exitFile);
    if (exit) return { kind: 'exited', ...exit };
    // Its monitor alive: running while the process runc started lives, settling (the poststop hook)
    // once it has exited; only a start still in progress needs runc.
    if (known === undefined && existsSync(c.files.initPid) && (await shimAlive(c.launchedPid, c.id))) {
      const pid = await runningPid(c.files.initPid);
      return pid !== undefined ? { kind: 'running', pid } : { kind: 'running', pid: 0, settling: true };
    }
    const rs = known === undefined ? await this.runc.state(c.id) : (known ?? undefined);
    if (rs && LIVE.has(rs.status)) return { kind: 'running', pid: rs.pid };
    // Not yet created, or exited but not yet recorded: runc runs the poststop hook (after removing
    // its own state) before the shim records the exit.
    if (await shimAlive(c.launchedPid, c.id)) return { kind: 'running', pid: rs?.pid ?? 0, settling: true };
    // A late exit file: the shim finished between the two reads.
    const late = await readExitRecord(c.files.exitFile);
    if (late) return { kind: 'exited', ...late };
    return { kind: 'unknown' };
  }

  kill(c: RuntimeContainer, signal: string, opts: { all?: boolean } = {}): Promise<boolean> {
    return this.runc.kill(c.id, signal, opts);
  }

  // The shim records the exit and deletes the runc container itself.
  async reap(_c: RuntimeContainer): Promise<void> {}

  // Normally gone already (the shim deletes it); deleting fires the poststop hook if it is not.
  async delete(c: RuntimeContainer): Promise<void> {
    if (existsSync(this.runc.stateDir(c.id))) await this.runc.delete(c.id, { force: true });
  }

  exec(c: RuntimeContainer, args: readonly string[], opts: RuntimeExecOptions): Promise<number> {
    return this.runc.exec(c.id, args, opts);
  }

  stateHint(c: RuntimeContainer): string {
    return `runc${this.runc.root ? ` --root ${this.runc.root}` : ''} state ${c.id}`;
  }
}
