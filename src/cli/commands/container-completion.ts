// `nerdnet completion bash|zsh`: a completion script generated from the commander tree, so every
// command, subcommand and flag registered by anyone is offered.
import { Command } from 'commander';
import { NerdnetError } from '../../lib/errors.js';
import { rootOf } from '../wiring.js';

interface Node {
  // Space-separated path of command names, "" for the program.
  path: string;
  subcommands: string[];
  flags: string[];
}

function walk(cmd: Command, path: string, out: Node[]): void {
  const subs = cmd.commands.filter((c) => !(c as Command & { _hidden?: boolean })._hidden);
  const flags = cmd.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  flags.push('--help');
  out.push({ path, subcommands: subs.flatMap((c) => [c.name(), ...c.aliases()]), flags });
  for (const c of subs) for (const name of [c.name(), ...c.aliases()]) walk(c, path ? `${path} ${name}` : name, out);
}

export function commandTree(root: Command): Node[] {
  const out: Node[] = [];
  walk(root, '', out);
  return out;
}

const words = (list: readonly string[]): string => list.join(' ');

export function bashCompletion(root: Command): string {
  const prog = root.name();
  const fn = `_${prog.replace(/[^A-Za-z0-9_]/g, '_')}_complete`;
  const cases = commandTree(root)
    .map((n) => `    "${n.path}") subs="${words(n.subcommands)}"; flags="${words(n.flags)}" ;;`)
    .join('\n');
  return `# bash completion for ${prog}; load with: source <(${prog} completion bash)
${fn}() {
  local cur path="" w subs flags i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  # The command path: words so far that name a subcommand of the path before them.
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    ${fn}_node "$path"
    if [[ " $subs " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  ${fn}_node "$path"
  if [[ "$cur" == -* ]]; then COMPREPLY=($(compgen -W "$flags" -- "$cur")); else COMPREPLY=($(compgen -W "$subs" -- "$cur")); fi
}
${fn}_node() {
  subs=""; flags=""
  case "$1" in
${cases}
  esac
}
complete -F ${fn} ${prog}
`;
}

export function zshCompletion(root: Command): string {
  const prog = root.name();
  return `#compdef ${prog}
# zsh completion for ${prog}; load with: source <(${prog} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(root).replace(/^# bash completion.*\n/, '')}`;
}

export function completionCommand(): Command {
  return new Command('completion')
    .summary('print a shell completion script (bash or zsh)')
    .argument('<shell>', 'bash or zsh')
    .action((shell: string, _f: unknown, cmd: Command) => {
      const root = rootOf(cmd);
      if (shell === 'bash') process.stdout.write(bashCompletion(root));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(root));
      else throw new NerdnetError('ERR_INVALID_ARG', `unsupported shell ${JSON.stringify(shell)}: give bash or zsh`);
    });
}
