// One entry point for the CLI: container operations by name, ID or ID prefix in one namespace.
import type { ContainerInspect } from './inspect-types.js';
import { NerdnetError } from '../errors.js';
import type { ContainerEnv } from './env.js';
import { recordsOf } from './env.js';
import { createContainer } from './create.js';
import { execInContainer, readLogs } from './exec-logs.js';
import type { ExecRequest, LogsOptions } from './exec-logs.js';
import { HostNoneProvider } from './host-none-provider.js';
import { inspectContainer, listContainers, viewContainer } from './inspect.js';
import type { ContainerView } from './inspect.js';
import { filterWantsAll, matchesFilter, type ContainerListFilter } from './list-filter.js';
import { removeContainer } from './remove.js';
import { startContainer } from './start.js';
import type { StartOptions, StartResult } from './start.js';
import { killContainer, stopContainer } from './stop.js';
import type { StopResult } from './stop.js';
import type { ContainerCreateRequest, ContainerRecord } from './types.js';

export class ContainerManager {
  readonly env: ContainerEnv;

  // The built-in host/none provider is always last, so a CNI provider given first takes precedence.
  constructor(env: ContainerEnv) {
    const builtIn = env.providers.some((p) => p.name === 'host-none') ? [] : [new HostNoneProvider()];
    this.env = { ...env, providers: [...env.providers, ...builtIn] };
  }

  resolve(ref: string): Promise<ContainerRecord> {
    return recordsOf(this.env).resolve(ref);
  }

  // A container every command but rm can work on: not a stand-in for one nerdnet cannot read.
  private async usable(ref: string): Promise<ContainerRecord> {
    const rec = await this.resolve(ref);
    if (!rec.standIn) return rec;
    const shown = rec.name || rec.id.slice(0, 12);
    throw new NerdnetError('ERR_INVALID_CONFIG', `container ${shown} cannot be used: ${rec.standIn.reason}`, { remedy: { kind: 'force-remove', container: shown } });
  }

  create(req: ContainerCreateRequest): Promise<ContainerRecord> {
    return createContainer(this.env, req);
  }

  async start(ref: string, opts: StartOptions = {}): Promise<StartResult> {
    return startContainer(this.env, await this.usable(ref), opts);
  }

  // create + start; attached with --rm, the container is removed here once it has exited.
  async run(req: ContainerCreateRequest, opts: StartOptions & { onCreated?: (rec: ContainerRecord) => void } = {}): Promise<StartResult> {
    // nerdctl refuses this too: without a monitor nobody removes the container when it exits.
    if (!opts.attach && req.autoRemove && this.env.containerd) {
      throw new NerdnetError('ERR_INVALID_ARG', 'flags -d and --rm cannot be used together with the containerd backend (nothing watches a detached task); run attached with --rm, or detached without it and `nerdnet rm` it later');
    }
    const rec = await this.create(req);
    opts.onCreated?.(rec);
    let result: StartResult;
    try {
      result = await startContainer(this.env, rec, opts);
    } catch (e) {
      // A run that could not start leaves nothing behind (Docker keeps a Created container).
      await removeContainer(this.env, rec, { force: true }).catch(() => {});
      throw e;
    }
    if (opts.attach && req.autoRemove) await removeContainer(this.env, rec, { force: true });
    return result;
  }

  async stop(ref: string, opts: { timeoutS?: number; signal?: string } = {}): Promise<StopResult> {
    return stopContainer(this.env, await this.usable(ref), opts);
  }

  // nerdctl's restart: stop (its network torn down by the poststop hook), then start again.
  async restart(ref: string, opts: { timeoutS?: number } = {}): Promise<StartResult> {
    const rec = await this.usable(ref);
    await stopContainer(this.env, rec, opts);
    return this.start(rec.id);
  }

  async kill(ref: string, signal?: string): Promise<ContainerRecord> {
    const rec = await this.usable(ref);
    await killContainer(this.env, rec, signal);
    return rec;
  }

  async remove(ref: string, opts: { force?: boolean } = {}): Promise<ContainerRecord> {
    const rec = await this.resolve(ref);
    await removeContainer(this.env, rec, opts);
    return rec;
  }

  async exec(ref: string, req: ExecRequest): Promise<number> {
    return execInContainer(this.env, await this.usable(ref), req);
  }

  async *logs(ref: string, opts: LogsOptions = {}): AsyncGenerator<Buffer> {
    yield* readLogs(this.env, await this.usable(ref), opts);
  }

  async inspect(ref: string): Promise<ContainerInspect> {
    return inspectContainer(this.env, await this.usable(ref));
  }

  // Running containers, or all; with a filter, those it matches (a status or exit code filter looks at all).
  async list(opts: { all?: boolean; filter?: ContainerListFilter } = {}): Promise<ContainerView[]> {
    const f = opts.filter;
    const views = await listContainers(this.env, { all: Boolean(opts.all) || (f !== undefined && filterWantsAll(f)) });
    return f ? views.filter((v) => matchesFilter(v, f)) : views;
  }

  async view(ref: string): Promise<ContainerView> {
    return viewContainer(this.env, await this.usable(ref));
  }
}
