// start: launch the shim (detached, or attached to the caller's stdio), then report how the start
// went from runc's own log: a container that cannot start is an error, not a silent Exited (1).
import type { ChildProcess, StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { NerdnetError } from '../errors.js';
import { readExitRecord, readStartError, shimAlive, spawnShim } from '../runtime/shim.js';
import type { ShimPlan } from '../runtime/shim.js';
import type { ContainerEnv } from './env.js';
import { providerContext, recordsOf, runcFor } from './env.js';
import { readBundleSpec, writeBundle } from '../runtime/bundle.js';
import { lockedRecord } from './locked.js';
import type { ContainerPaths } from './records.js';
import { observe } from './status.js';
import type { ContainerRecord } from './types.js';

export interface StartOptions {
  // Attached: the shim runs in the caller's session with this stdio; start resolves when it ends.
  attach?: { stdio: StdioOptions };
}

export interface StartResult {
  record: ContainerRecord;
  // Attached only: the container's exit code.
  exitCode?: number;
  // Detached: false when the container was running already (a no-op, as Docker).
  started: boolean;
}

function startError(rec: ContainerRecord, why: string): NerdnetError {
  return new NerdnetError('ERR_HOST', `container ${rec.name} (${rec.id.slice(0, 12)}) failed to start: ${why}`);
}

// Point the bundle at the netns the provider names now (container: mode follows its target).
async function refreshNetns(env: ContainerEnv, rec: ContainerRecord, bundle: string, stateDir: string): Promise<void> {
  const provider = env.providers.find((p) => p.name === rec.provider);
  if (!provider?.netnsAtStart) return;
  const path = await provider.netnsAtStart(rec, providerContext(env, rec, stateDir));
  const spec = await readBundleSpec(bundle);
  const namespaces = spec.linux?.namespaces ?? [];
  for (const n of namespaces) if (n.type === 'network') n.path = path;
  await writeBundle(bundle, spec);
}

interface Launched {
  rec: ContainerRecord;
  // Absent when the container was running already.
  child?: ChildProcess;
  // The shim's exit status; listened for from the spawn on, so a quick exit is never missed.
  closed?: Promise<number>;
}

async function launch(env: ContainerEnv, ref: ContainerRecord, attach: StartOptions['attach']): Promise<Launched> {
  const records = recordsOf(env);
  return lockedRecord(records, ref.id, async (rec) => {
    const paths = records.paths(rec.id);
    const runc = runcFor(rec);
    if ((await observe(rec, paths, runc)).running) return { rec };
    if (rec.config.tty && !attach) {
      throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} was created with -t: it needs a terminal; start it attached with \`nerdnet start -a ${rec.name}\``);
    }
    if (rec.rootfs.kind === 'image') {
      if (!env.images) throw startError(rec, 'its rootfs comes from an image but this nerdnet has no image store');
      const image = await env.images.resolve(rec.rootfs.imageId, env.ns);
      await env.images.mountRootfs(image, env.ns, paths.stateDir);
    }
    await refreshNetns(env, rec, paths.bundle, paths.stateDir);
    // A runc container left by a crash would make `runc run` fail with "already exists".
    await runc.delete(rec.id, { force: true });
    await rm(paths.exitFile, { force: true });
    await writeFile(paths.runcLog, '', { mode: 0o600 });
    const plan: ShimPlan = { id: rec.id, runc, bundle: paths.bundle, exitFile: paths.exitFile, runcLog: paths.runcLog };
    if (!attach && rec.config.interactive) plan.stdinFifo = paths.stdinFifo;
    if (!attach && rec.hostConfig.autoRemove) {
      if (env.nerdnet) Object.assign(plan, { afterExit: [...env.nerdnet, 'rm', rec.id], afterExitLog: paths.autoRemoveLog });
      else env.logger('warn', `container ${rec.name} has --rm but no nerdnet command line was given for the monitor; it will not be removed when it exits`);
    }
    let child: ChildProcess;
    if (attach) {
      child = spawnShim(plan, { detached: false, stdio: attach.stdio, cwd: paths.stateDir });
    } else {
      const fd = openSync(paths.log, 'a', 0o640);
      try {
        child = spawnShim(plan, { detached: true, stdio: ['ignore', fd, fd], cwd: paths.stateDir });
      } finally {
        closeSync(fd);
      }
    }
    const closed = new Promise<number>((resolve) => {
      child.on('close', (code) => resolve(code ?? 255));
      child.on('error', () => resolve(255));
    });
    if (!child.pid) throw startError(rec, 'cannot spawn /bin/sh for the container monitor');
    const next: ContainerRecord = { ...rec, state: { phase: 'started', shimPid: child.pid, startedAt: new Date().toISOString() } };
    await records.write(next);
    return { rec: next, child, closed };
  });
}

// Poll until the process runs (or ran), or the start failed.
async function waitStarted(rec: ContainerRecord, paths: ContainerPaths): Promise<void> {
  const runc = runcFor(rec);
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (await readExitRecord(paths.exitFile)) {
      const err = await readStartError(paths.runcLog);
      if (err) throw startError(rec, err);
      return;
    }
    const rs = await runc.state(rec.id);
    if (rs && (rs.status === 'running' || rs.status === 'paused' || rs.status === 'stopped')) return;
    if (!(await shimAlive(rec.state.shimPid, rec.id)) && !(await readExitRecord(paths.exitFile))) {
      throw startError(rec, (await readStartError(paths.runcLog)) ?? 'the container monitor exited before the container ran');
    }
    await sleep(wait);
  }
}

async function noteError(env: ContainerEnv, rec: ContainerRecord, err: unknown): Promise<void> {
  const records = recordsOf(env);
  const current = await records.read(rec.id);
  // A --rm container may already be gone (the monitor removed it).
  if (current) await records.write({ ...current, state: { ...current.state, error: (err as Error).message } });
}

export async function startContainer(env: ContainerEnv, ref: ContainerRecord, opts: StartOptions = {}): Promise<StartResult> {
  const { rec, child, closed } = await launch(env, ref, opts.attach);
  if (!child || !closed) {
    if (opts.attach) throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} is already running; nerdnet cannot attach to it: follow its output with \`nerdnet logs -f ${rec.name}\``);
    return { record: rec, started: false };
  }
  const paths = recordsOf(env).paths(rec.id);
  if (!opts.attach) {
    try {
      await waitStarted(rec, paths);
    } catch (err) {
      await noteError(env, rec, err);
      throw err;
    }
    return { record: rec, started: true };
  }
  const status = await closed;
  const exit = await readExitRecord(paths.exitFile);
  const err = await readStartError(paths.runcLog);
  if (err) {
    const e = startError(rec, err);
    await noteError(env, rec, e);
    throw e;
  }
  return { record: rec, started: true, exitCode: exit?.exitCode ?? status };
}
