// `create`: validate and plan everything first, then apply step by step with an undo list, so a
// failure leaves nothing behind: no state dir, no name, no hosts entry, no rootfs mount.
// The first step writes the create journal, so a create killed at any later step is known as
// half-made (and whether its process is gone) to rm and gc.
import { mkdir, rm, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { NerdnetError } from '../errors.js';
import { NameStore } from '../etc/name-store.js';
import { faultPoint } from '../fault.js';
import { buildSpec, mergeEnv } from '../oci/spec.js';
import type { Mount } from '../oci/types.js';
import { writeBundle } from '../runtime/bundle.js';
import { validateIdentifier } from '../store/layout.js';
import { CreateJournals } from './create-journal.js';
import type { ContainerEnv } from './env.js';
import { newRuntime, providerContext, recordsOf, runtimeContainer } from './env.js';
import { checkRootfsDir } from './image-source.js';
import type { ResolvedImage } from './image-source.js';
import { pickIdAndName } from './names.js';
import { selectProvider } from './network-provider.js';
import type { ContainerCreateRequest, ContainerRecord } from './types.js';
import { parseUser } from './user.js';

// nerdctl writes this label for every container.
const HOST_CONFIG_LABEL = '{"BlkioWeight":0,"CidFile":"","Devices":null}';

function invalid(message: string): NerdnetError {
  return new NerdnetError('ERR_INVALID_ARG', message);
}

async function checkMounts(req: ContainerCreateRequest): Promise<Mount[]> {
  const out: Mount[] = [];
  for (const m of req.mounts) {
    if (!isAbsolute(m.source) || !isAbsolute(m.destination)) throw invalid(`invalid volume ${m.source}:${m.destination}: both paths must be absolute, e.g. -v /srv/data:/data`);
    try {
      await stat(m.source);
    } catch {
      throw invalid(`invalid volume ${m.source}:${m.destination}: ${m.source} does not exist on the host; create it first`);
    }
    out.push({ destination: m.destination, type: 'bind', source: m.source, options: ['rbind', 'rprivate', m.readonly ? 'ro' : 'rw'] });
  }
  return out;
}

function checkLabels(labels: Record<string, string>): void {
  for (const k of Object.keys(labels)) {
    if (k.includes('nerdctl/')) throw invalid(`internal label "${k}" must not be specified manually; nerdnet sets nerdctl/* labels itself`);
  }
}

async function resolveImage(env: ContainerEnv, req: ContainerCreateRequest): Promise<ResolvedImage | undefined> {
  if (req.image !== undefined && req.rootfs !== undefined) throw invalid('give either an image or --rootfs DIR, not both');
  if (req.rootfs !== undefined) return undefined;
  if (req.image === undefined || req.image === '') throw invalid('no image given: run IMAGE [COMMAND...] or --rootfs DIR [COMMAND...]');
  if (!env.images) throw invalid(`cannot use image ${JSON.stringify(req.image)}: this nerdnet has no image store; use --rootfs DIR`);
  return env.images.resolve(req.image, env.ns);
}

// The image's ExposedPorts join --expose (nerdctl merges them at create; -P publishes them all).
function withImagePorts(req: ContainerCreateRequest, image: ResolvedImage | undefined): ContainerCreateRequest {
  const fromImage = image?.config.exposedPorts ?? [];
  if (fromImage.length === 0) return req;
  return { ...req, network: { ...req.network, expose: [...fromImage, ...(req.network.expose ?? [])] } };
}

export async function createContainer(env: ContainerEnv, given: ContainerCreateRequest): Promise<ContainerRecord> {
  // Plan: nothing is written until every input has been checked.
  const records = recordsOf(env);
  checkLabels(given.labels);
  const image = await resolveImage(env, given);
  const req = withImagePorts(given, image);
  const rootfsDir = req.rootfs !== undefined ? await checkRootfsDir(req.rootfs) : undefined;
  const entrypoint = req.entrypoint ?? image?.config.entrypoint ?? [];
  const cmd = req.command.length > 0 || req.entrypoint ? req.command : (image?.config.cmd ?? []);
  const argv = [...entrypoint, ...cmd];
  if (argv.length === 0) throw new NerdnetError('ERR_INVALID_ARG', 'no command specified', { remedy: { kind: 'give-command' } });
  const workdir = req.workdir || image?.config.workingDir || '/';
  if (!isAbsolute(workdir)) throw invalid(`invalid --workdir ${JSON.stringify(workdir)}: it must be an absolute path`);
  const userText = req.user ?? image?.config.user ?? '';
  const user = parseUser(userText);
  const userMounts = await checkMounts(req);
  const baseEnv = mergeEnv(image?.config.env ?? [], req.tty ? ['TERM=xterm'] : [], req.env);
  const names = new NameStore({ layout: env.layout });
  const requested = req.name ? validateIdentifier('container name', req.name) : undefined;
  const { id, name } = await pickIdAndName(async (n) => (await names.lookup(env.ns, n)) !== undefined, requested, image?.name ?? req.image);
  const provider = selectProvider(env.providers, req.network);
  const runtime = await newRuntime(env);
  const paths = records.paths(id);
  const ctx = providerContext(env, { id, name }, paths.stateDir);
  await provider.validate?.(req, ctx);
  const rec: ContainerRecord = {
    version: 1,
    id,
    name,
    namespace: env.ns,
    created: new Date().toISOString(),
    image: image?.name ?? '',
    rootfs: image ? { kind: 'image', ref: req.image ?? '', imageId: image.id, mountPoint: '' } : { kind: 'dir', path: rootfsDir ?? '' },
    path: argv[0] ?? '',
    args: argv.slice(1),
    config: { env: baseEnv, workdir, tty: req.tty, interactive: req.interactive, user: userText, hostname: '', domainname: '', labels: { ...req.labels }, cmd, entrypoint },
    hostConfig: { autoRemove: req.autoRemove, readOnly: req.readOnly, networkMode: req.network.networks.join(','), mounts: req.mounts },
    network: req.network,
    provider: provider.name,
    annotations: {},
    runtime: runtime.record,
    state: { phase: 'created' },
  };

  // Apply, undoing in reverse order on any failure.
  const undo: Array<[string, () => Promise<unknown>]> = [];
  const journals = new CreateJournals(env.layout, env.ns);
  try {
    await journals.begin(rec);
    undo.push(['create journal', () => journals.end(id)]);
    faultPoint('create-journal');
    await mkdir(env.layout.containersRoot(env.ns), { recursive: true, mode: 0o700 });
    await mkdir(paths.stateDir, { mode: 0o700 });
    undo.push(['state dir', () => rm(paths.stateDir, { recursive: true, force: true })]);
    faultPoint('create-state-dir');
    await names.acquire(env.ns, name, id);
    undo.push(['name', () => names.release(env.ns, name, id)]);
    faultPoint('create-name');
    const prep = await provider.prepare(req, ctx);
    undo.push(['network', () => provider.release(rec, ctx)]);
    faultPoint('create-network');
    let rootPath = rootfsDir ?? '';
    if (image && env.images) {
      const images = env.images;
      rootPath = await images.mountRootfs(image, env.ns, paths.stateDir);
      undo.push(['rootfs', () => images.removeRootfs(paths.stateDir)]);
      rec.rootfs = { kind: 'image', ref: req.image ?? '', imageId: image.id, mountPoint: rootPath };
    }
    faultPoint('create-rootfs');
    rec.annotations = {
      ...prep.annotations,
      'nerdctl/namespace': env.ns,
      'nerdctl/name': name,
      'nerdctl/state-dir': paths.stateDir,
      'nerdctl/host-config': HOST_CONFIG_LABEL,
    };
    rec.config.hostname = prep.hostname;
    rec.config.domainname = prep.domainname;
    rec.hostConfig.networkMode = prep.networks.join(',');
    const spec = buildSpec({
      args: argv,
      env: mergeEnv(baseEnv, prep.env),
      cwd: workdir,
      terminal: req.tty,
      user,
      rootPath,
      readonlyRoot: req.readOnly,
      hostname: prep.hostname,
      domainname: prep.domainname,
      ...(req.network.utsHost ? { utsHost: true } : {}),
      mounts: [...userMounts, ...prep.mounts],
      netns: prep.netns,
      annotations: rec.annotations,
      hooks: prep.hooks,
      ...(prep.sysctl ? { sysctl: prep.sysctl } : {}),
    });
    await writeBundle(paths.bundle, spec);
    faultPoint('create-bundle');
    const rc = runtimeContainer(rec, paths);
    const snapshotter = image ? env.images?.snapshotter : undefined;
    await runtime.create(rc, spec, { labels: { ...req.labels, ...rec.annotations }, image: rec.image, ...(snapshotter ? { snapshotter } : {}) });
    undo.push(['runtime container', () => runtime.delete(rc)]);
    faultPoint('create-runtime');
    await records.write(rec);
    faultPoint('create-record');
    await journals.end(id);
    return rec;
  } catch (err) {
    for (const [what, fn] of undo.reverse()) {
      await fn().catch((e: unknown) => env.logger('warn', `cleanup after failed create of ${name}: cannot undo ${what}: ${(e as Error).message}`));
    }
    throw err;
  }
}
