// Registry commands: `pull` and run/create's `--pull missing|always|never` (nerdctl's policy;
// default missing) with one pull and its progress on stderr; `push`, `tag`, `login`, `logout`.
import { Command } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import type { PulledImage } from '../../lib/registry/pull.js';
import type { GlobalFlags } from '../context.js';
import { login, logout } from '../../lib/registry/login.js';
import { pullReporter, pushReporter } from '../pull-progress.js';
import { withImages, type CliImages } from './image-backends.js';

const POLICIES = ['missing', 'always', 'never'] as const;
export type PullPolicy = (typeof POLICIES)[number];

async function pullShowing(cmd: Command, images: CliImages, ref: string, opts: { platform?: string; quiet: boolean }): Promise<PulledImage> {
  const g = cmd.optsWithGlobals<GlobalFlags>();
  const progress = pullReporter(process.stderr, { quiet: opts.quiet });
  try {
    return await images.pull(ref, { ...(opts.platform !== undefined ? { platform: opts.platform } : {}), insecureRegistries: g.insecureRegistry ?? [], onProgress: progress.onProgress });
  } finally {
    progress.stop();
  }
}

export function pullCommand(): Command {
  return new Command('pull')
    .summary('pull an image from a registry (credentials from ~/.docker/config.json)')
    .argument('<image>', 'reference: busybox, busybox:1.36, registry.example:5000/team/app:v1, name@sha256:…')
    .option('--platform <os/arch[/variant]>', "the platform of a multi-platform image (default: this host's)")
    .option('-q, --quiet', 'print nothing', false)
    .action(async (ref: string, flags: { platform?: string; quiet: boolean }, cmd: Command) => {
      const pulled = await withImages(cmd, (images) => pullShowing(cmd, images, ref, flags));
      if (!flags.quiet) process.stdout.write(`${pulled.name}\n`);
    });
}

export function checkPullPolicy(value: string): PullPolicy {
  if ((POLICIES as readonly string[]).includes(value)) return value as PullPolicy;
  throw new NerdnetError('ERR_INVALID_ARG', `invalid --pull ${JSON.stringify(value)}: give missing, always or never`);
}

// Before run/create: pull `image` as the policy says.
export async function pullForRun(cmd: Command, image: string | undefined, policy: string): Promise<void> {
  const p = checkPullPolicy(policy);
  if (image === undefined || p === 'never') return;
  await withImages(cmd, async (images) => {
    if (p === 'missing') {
      try {
        await images.inspect(image);
        return;
      } catch (err) {
        if (!NerdnetError.is(err) || err.code !== 'ERR_NOT_FOUND') throw err;
      }
    }
    await pullShowing(cmd, images, image, { quiet: false });
  });
}

export function pushCommand(): Command {
  return new Command('push')
    .summary('push an image to the registry its name says (blobs it has are skipped)')
    .argument('<image>', 'name with its registry, e.g. registry.example:5000/team/app:v1 (see tag)')
    .option('-q, --quiet', 'print nothing', false)
    .action(async (ref: string, flags: { quiet: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalFlags>();
      const pushed = await withImages(cmd, (images) => images.push(ref, { insecureRegistries: g.insecureRegistry ?? [], onProgress: pushReporter(process.stderr, { quiet: flags.quiet }) }));
      if (!flags.quiet) process.stdout.write(`${pushed.name}: digest: ${pushed.digest}\n`);
    });
}

export function tagCommand(): Command {
  return new Command('tag')
    .summary('give an image another name: tag SOURCE TARGET')
    .argument('<source>', 'name or ID of an image')
    .argument('<target>', 'the new name, e.g. registry.example:5000/team/app:v1')
    .action(async (source: string, target: string, _f: unknown, cmd: Command) => {
      await withImages(cmd, (images) => images.tag(source, target));
    });
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.replace(/\r?\n$/, '');
}

export function loginCommand(): Command {
  return new Command('login')
    .summary("log in to a registry: check the credential, keep it in Docker's config.json")
    .argument('[server]', 'registry host (default docker.io)')
    .option('-u, --username <user>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from stdin', false)
    .action(async (server: string | undefined, f: { username?: string; password?: string; passwordStdin: boolean }, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalFlags>();
      if (f.passwordStdin && f.password !== undefined) throw new NerdnetError('ERR_INVALID_ARG', '--password and --password-stdin are mutually exclusive');
      const password = f.passwordStdin ? await readStdin() : f.password;
      if (f.username === undefined || password === undefined) throw new NerdnetError('ERR_INVALID_ARG', 'login needs -u USER and -p PASSWORD or --password-stdin (no prompt yet)');
      const { configPath } = await login(server, f.username, password, { insecureRegistries: g.insecureRegistry ?? [] });
      process.stderr.write(`WARNING: the password is stored unencrypted in ${configPath}\n`);
      process.stdout.write('Login Succeeded\n');
    });
}

export function logoutCommand(): Command {
  return new Command('logout')
    .summary("forget a registry's credential in Docker's config.json")
    .argument('[server]', 'registry host (default docker.io)')
    .action(async (server: string | undefined) => {
      const { host, removed } = await logout(server);
      process.stdout.write(removed ? `Removing login credentials for ${host}\n` : `Not logged in to ${host}\n`);
    });
}
