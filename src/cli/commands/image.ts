// `nerdnet image load|ls|rm|inspect` (+ Docker's top-level `load`, `images`, `rmi`): nerdnet's image
// store under --data-root, or containerd's with the containerd backend (image-backends.ts); names per
// --namespace. Output follows `docker images` / `docker load`.
import { Command } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import { familiarString, imageRows, parseReference, type ArchiveInput, type ImageRow } from '../../lib/image/index.js';
import { DOCKER_TABLE, listFormatter, table } from '../format.js';
import { withImages } from './image-backends.js';
import { loginCommand, logoutCommand, pullCommand, pushCommand, tagCommand } from './image-registry.js';

const out = (line: string) => process.stdout.write(`${line}\n`);

// `images --format 'table ...'` column names: Docker's headers for these fields.
const IMAGE_HEADERS = { CreatedAt: 'CREATED AT', CreatedSince: 'CREATED', Digest: 'DIGEST', ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Size: 'SIZE' };

interface LoadFlags {
  input?: string;
  quiet?: boolean;
}

function loadCommand(name: string): Command {
  return new Command(name)
    .summary('load images from a docker save / podman save / nerdctl save tar (plain or gzip)')
    .option('-i, --input <file>', 'read from this tar archive instead of stdin')
    .option('-q, --quiet', 'print nothing', false)
    .action(async (flags: LoadFlags, cmd: Command) => {
      let input: ArchiveInput;
      if (flags.input !== undefined) input = flags.input;
      else if (process.stdin.isTTY) throw new NerdnetError('ERR_INVALID_ARG', 'requested load from stdin, but stdin is a terminal; use -i FILE or pipe a tar in');
      else input = { stream: process.stdin, name: 'stdin' };
      const loaded = await withImages(cmd, (images) => images.load(input));
      if (flags.quiet) return;
      for (const img of loaded) {
        if (img.names.length === 0) out(`Loaded image ID: ${img.id}`);
        for (const n of img.names) out(`Loaded image: ${n}`);
      }
    });
}

interface LsFlags {
  quiet?: boolean;
  format?: string;
  // commander turns --no-trunc into trunc=false.
  trunc?: boolean;
}

// `images busybox` / `images busybox:1.36`: Docker's REPOSITORY[:TAG] filter.
function matches(row: ImageRow, filter: string | undefined): boolean {
  if (filter === undefined) return true;
  const ref = parseReference(filter);
  const hasTag = /:[^/]*$/.test(filter);
  return familiarString({ ...ref, tag: undefined }) === row.Repository && (!hasTag || ref.tag === row.Tag);
}

function lsCommand(name: string): Command {
  return new Command(name)
    .summary('list images: REPOSITORY TAG IMAGE ID CREATED SIZE')
    .argument('[repository]', 'only this repository (and tag, as NAME:TAG)')
    .option('-q, --quiet', 'only image IDs', false)
    .option('--format <format>', '"table" (default), "json" (one JSON object per line), a Go template or "table TEMPLATE"', 'table')
    .option('--no-trunc', 'full image IDs')
    .action(async (filter: string | undefined, flags: LsFlags, cmd: Command) => {
      const rows = imageRows(await withImages(cmd, (images) => images.list())).filter((r) => matches(r, filter));
      const id = (r: ImageRow) => (flags.trunc === false ? r.FullID : r.ID);
      if (flags.quiet) {
        for (const i of new Set(rows.map(id))) out(i);
        return;
      }
      const format = flags.format === '{{json .}}' ? 'json' : (flags.format ?? 'table');
      const objects = rows.map((r) => ({ CreatedAt: r.CreatedAt, CreatedSince: r.CreatedSince, Digest: r.Digest, ID: id(r), Repository: r.Repository, Tag: r.Tag, Size: r.Size }));
      if (format === 'json') for (const o of objects) out(JSON.stringify(o));
      else if (format === 'table') process.stdout.write(table(['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'], rows.map((r) => [r.Repository, r.Tag, id(r), r.CreatedSince, r.Size]), DOCKER_TABLE));
      else process.stdout.write(listFormatter(format, IMAGE_HEADERS, DOCKER_TABLE)(objects));
    });
}

function rmCommand(name: string): Command {
  return new Command(name)
    .summary('remove images by name or ID (untag; delete with the last name)')
    .argument('<image...>', 'name (busybox, busybox:latest) or image ID (prefix)')
    .option('-f, --force', 'remove even if in use, and every name of an image given by ID', false)
    .action(async (refs: string[], flags: { force: boolean }, cmd: Command) => {
      const result = await withImages(cmd, (images) => images.remove(refs, { force: flags.force }));
      for (const u of result.untagged) out(`Untagged: ${u}`);
      for (const d of result.deleted) out(`Deleted: ${d}`);
    });
}

function inspectCommand(): Command {
  return new Command('inspect')
    .summary('show images as JSON: ID, names, config (Env, Cmd, Entrypoint, …), layers')
    .argument('<image...>')
    .action(async (refs: string[], _o: unknown, cmd: Command) => {
      const docs = await withImages(cmd, async (images) => {
        const all = await images.list();
        const found = [];
        for (const ref of refs) {
          const { record: img, config: c } = await images.inspect(ref);
          const names = all.filter((r) => r.id === img.id && r.name !== null).map((r) => familiarString(parseReference(r.name as string)));
          const config = { User: c.user, Env: c.env, Cmd: c.cmd, Entrypoint: c.entrypoint, WorkingDir: c.workingDir, ExposedPorts: Object.fromEntries(c.exposedPorts.map((p) => [p, {}])), Labels: c.labels };
          found.push({ Id: img.id, RepoTags: names, ManifestDigest: img.manifestDigest, Created: img.created, Os: img.os, Architecture: img.architecture, Size: img.size, Config: config, RootFS: { Type: 'layers', Layers: img.diffIDs } });
        }
        return found;
      });
      process.stdout.write(`${JSON.stringify(docs, null, 4)}\n`);
    });
}

export function imageCommand(): Command {
  const image = new Command('image').description('manage images: load archives, list, remove, inspect');
  image.addCommand(loadCommand('load'));
  image.addCommand(lsCommand('ls').alias('list'));
  image.addCommand(rmCommand('rm').alias('remove'));
  image.addCommand(inspectCommand());
  image.addCommand(pullCommand());
  image.addCommand(pushCommand());
  image.addCommand(tagCommand());
  return image;
}

// `image` plus Docker's top-level spellings `load`, `images`, `rmi`, `pull`, `push`, `tag`, and
// `login`/`logout`.
export function registerImageCommands(program: Command): void {
  program.addCommand(imageCommand());
  program.addCommand(loadCommand('load'));
  program.addCommand(lsCommand('images'));
  program.addCommand(rmCommand('rmi'));
  program.addCommand(pullCommand());
  program.addCommand(pushCommand());
  program.addCommand(tagCommand());
  program.addCommand(loginCommand());
  program.addCommand(logoutCommand());
}
