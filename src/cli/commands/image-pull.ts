// `pull` and run/create's `--pull missing|always|never` (nerdctl's policy; default missing): one
// pull with progress on stderr for both.
import { Command } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import type { PulledImage } from '../../lib/registry/pull.js';
import { backendOf, type GlobalFlags } from '../context.js';
import { pullReporter } from '../pull-progress.js';
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

// Before run/create: pull `image` as the policy says. The containerd backend cannot pull yet, so
// there `missing` leaves the not-found error to create.
export async function pullForRun(cmd: Command, image: string | undefined, policy: string): Promise<void> {
  const p = checkPullPolicy(policy);
  if (image === undefined || p === 'never' || (p === 'missing' && backendOf(cmd) === 'containerd')) return;
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
