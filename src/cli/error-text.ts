// How an error reaches the user: one line on stderr (the stack with NERDNET_DEBUG_STACK), exit 1.
import { CniError, NerdnetError, type Remedy } from '../lib/errors.js';

// The library's remedies as this CLI's commands.
function commandRemedy(r: Remedy): string {
  switch (r.kind) {
    case 'start':
      return `: start it first with \`nerdnet start ${r.container}\``;
    case 'start-attached':
      return `; start it attached with \`nerdnet start -a ${r.container}\``;
    case 'follow-logs':
      return `: follow its output with \`nerdnet logs -f ${r.container}\``;
    case 'stop-or-force-remove':
      return `: stop it first (\`nerdnet stop ${r.container}\`) or remove it with \`nerdnet rm -f ${r.container}\``;
    case 'remove':
      return `; remove it with \`nerdnet rm ${r.container}\``;
    case 'force-remove':
      return `; remove it with \`nerdnet rm -f ${r.container}\``;
    case 'give-container':
      return '; give one as shown by `nerdnet ps -a`';
    case 'list-containers':
      return '; list containers with `nerdnet ps -a`';
    case 'give-command':
      return ': give a command after the image (or --rootfs DIR), e.g. `nerdnet run --rootfs ./rootfs sh -c "echo hi"`';
    case 'give-exec-command':
      return ', e.g. `nerdnet exec web sh -c "ls /"`';
    case 'load-image':
      return r.backend === 'containerd' ? '; load it with `nerdnet --backend containerd image load -i FILE`' : '; load it with `nerdnet image load -i FILE`';
    case 'create-network':
      return `; create it with \`nerdnet network create ${r.network}\` or see \`nerdnet network ls\``;
  }
}

export function formatError(err: unknown): string {
  if (err instanceof CniError) {
    const plugin = err.plugin ? ` [plugin ${err.plugin}]` : '';
    return `${err.message} (CNI error code ${err.cniCode})${plugin}`;
  }
  if (NerdnetError.is(err)) return err.remedy ? `${err.fact}${commandRemedy(err.remedy)}` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}

// Print `err` and return the exit code.
export function reportError(err: unknown): number {
  process.stderr.write(`nerdnet: ${formatError(err)}\n`);
  if (process.env.NERDNET_DEBUG_STACK && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
