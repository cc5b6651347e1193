// start: launch the process through the container's runtime (detached, or attached to the caller's
// stdio), then report how the start went: a container that cannot start is an error, not a silent
// Exited (1).
import type { StdioOptions } from 'node:child_process';
import { NerdnetError } from '../errors.js';
import type { AttachedEnd, ContainerRuntime, LaunchRequest } from '../runtime/types.js';
import type { ContainerEnv } from './env.js';
import { checkSameBackend, providerContext, recordsOf, runtimeContainer, runtimeFor } from './env.js';
import { readBundleSpec, writeBundle } from '../runtime/bundle.js';
import { lockedRecord } from './locked.js';
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
  runtime: ContainerRuntime;
  // false when the container was running already.
  launched: boolean;
  // Attached only: settles when the process has ended.
  ended?: Promise<AttachedEnd>;
}

async function launch(env: ContainerEnv, ref: ContainerRecord, attach: StartOptions['attach']): Promise<Launched> {
  const records = recordsOf(env);
  return lockedRecord(records, ref.id, async (rec) => {
    const paths = records.paths(rec.id);
    checkSameBackend(env, rec);
    const runtime = await runtimeFor(rec, env.runtimes);
    if ((await observe(rec, paths, runtime)).running) return { rec, runtime, launched: false };
    if (rec.config.tty && !attach) {
      throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} was created with -t: it needs a terminal`, { remedy: { kind: 'start-attached', container: rec.name } });
    }
    if (rec.rootfs.kind === 'image') {
      if (!env.images) throw startError(rec, 'its rootfs comes from an image but this nerdnet has no image store');
      const image = await env.images.resolve(rec.rootfs.imageId, env.ns);
      await env.images.mountRootfs(image, env.ns, paths.stateDir);
    }
    await refreshNetns(env, rec, paths.bundle, paths.stateDir);
    const req: LaunchRequest = { keepStdinOpen: !attach && rec.config.interactive, tty: rec.config.tty, ...(attach ? { attach } : {}) };
    if (!attach && rec.hostConfig.autoRemove) {
      if (!runtime.reapsOnExit) env.logger('warn', `container ${rec.name} has --rm but runs detached on the ${runtime.record.backend ?? 'runc'} backend; it will not be removed when it exits: remove it with \`nerdnet rm ${rec.name}\``);
      else if (env.nerdnet) req.afterExit = [...env.nerdnet, 'rm', rec.id];
      else env.logger('warn', `container ${rec.name} has --rm but no nerdnet command line was given for the monitor; it will not be removed when it exits`);
    }
    const { pid, ended } = await runtime.launch(runtimeContainer(rec, paths), req);
    const next: ContainerRecord = { ...rec, state: { phase: 'started', shimPid: pid, startedAt: new Date().toISOString() } };
    await records.write(next);
    return { rec: next, runtime, launched: true, ...(ended ? { ended } : {}) };
  });
}

async function noteError(env: ContainerEnv, rec: ContainerRecord, err: unknown): Promise<void> {
  const records = recordsOf(env);
  const current = await records.read(rec.id);
  // A --rm container may already be gone (the monitor removed it).
  if (current) await records.write({ ...current, state: { ...current.state, error: (err as Error).message } });
}

export async function startContainer(env: ContainerEnv, ref: ContainerRecord, opts: StartOptions = {}): Promise<StartResult> {
  const { rec, runtime, launched, ended } = await launch(env, ref, opts.attach);
  if (!launched) {
    if (opts.attach) throw new NerdnetError('ERR_INVALID_ARG', `container ${rec.name} is already running; nerdnet cannot attach to it`, { remedy: { kind: 'follow-logs', container: rec.name } });
    return { record: rec, started: false };
  }
  const rc = runtimeContainer(rec, recordsOf(env).paths(rec.id));
  const failed = async (why: string): Promise<never> => {
    const e = startError(rec, why);
    await noteError(env, rec, e);
    throw e;
  };
  if (!ended) {
    const why = await runtime.waitStarted(rc).catch((err: unknown) => (err as Error).message);
    if (why !== undefined) await failed(why);
    return { record: rec, started: true };
  }
  const end = await ended;
  if (end.startError !== undefined) await failed(end.startError);
  return { record: rec, started: true, exitCode: end.exitCode ?? 255 };
}
