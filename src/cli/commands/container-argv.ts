// `run IMAGE CMD ARGS...` must stop option parsing at IMAGE (Docker's grammar): `run img ls -a`
// passes `-a` to ls, not to nerdnet's --address. Commander only offers that with positional
// options for the whole program, which would stop global flags after other commands; so the
// commands that take a command line split argv themselves.
import { Command } from 'commander';
import type { Option, ParseOptionsResult } from 'commander';

function takesValue(options: readonly Option[], flag: string): boolean | undefined {
  const o = options.find((x) => x.long === flag || x.short === flag);
  return o === undefined ? undefined : o.required || o.optional;
}

// Index of the first operand in args[from..], skipping options (and their values) known to
// any of `optionSets`; -1 when there is none.
export function firstOperand(args: readonly string[], from: number, optionSets: ReadonlyArray<readonly Option[]>): number {
  const all = optionSets.flat();
  for (let i = from; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--') return i + 1 < args.length ? i + 1 : -1;
    if (a === '-' || !a.startsWith('-')) return i;
    if (a.startsWith('--')) {
      if (!a.includes('=') && takesValue(all, a)) i++;
      continue;
    }
    // A group of short flags (-dit, -dp 80:80): the first one that takes a value ends the group.
    for (let j = 1; j < a.length; j++) {
      if (takesValue(all, `-${a[j]}`)) {
        if (j === a.length - 1) i++;
        break;
      }
    }
  }
  return -1;
}

// A command whose options end at its first operand; everything after it is operands.
export class PositionalCommand extends Command {
  override parseOptions(argv: string[]): ParseOptionsResult {
    const at = firstOperand(argv, 0, ancestorOptions(this));
    if (at < 0) return super.parseOptions(argv);
    const head = argv.slice(0, at);
    const result = super.parseOptions(head[head.length - 1] === '--' ? head.slice(0, -1) : head);
    result.operands.push(...argv.slice(at));
    return result;
  }
}

function ancestorOptions(cmd: Command): Option[][] {
  const sets: Option[][] = [];
  for (let c: Command | null = cmd; c; c = c.parent) sets.push([...c.options]);
  return sets;
}

function flagOf(arg: string): string {
  return arg.startsWith('--') ? (arg.split('=')[0] ?? arg) : arg;
}

function find(options: readonly Option[], flag: string): Option | undefined {
  return options.find((o) => o.long === flag || o.short === flag);
}

// Commander lets the program take its options anywhere on the line, so `ps -a` would be read as the
// global `-a/--address`. For these commands: the program reads its options before the command name,
// and after it only those the command does not define itself (cobra's local-shadows-global rule),
// and for positional commands (run IMAGE CMD...) nothing past the first operand.
export function scopeGlobalOptions(program: Command, commands: readonly Command[]): void {
  const byName = new Map<string, Command>();
  for (const c of commands) for (const n of [c.name(), ...c.aliases()]) byName.set(n, c);
  const original = program.parseOptions.bind(program);
  program.parseOptions = (argv: string[]): ParseOptionsResult => {
    const sub = firstOperand(argv, 0, [program.options]);
    const cmd = sub < 0 ? undefined : byName.get(argv[sub] ?? '');
    if (!cmd) return original(argv);
    let end = cmd instanceof PositionalCommand ? firstOperand(argv, sub + 1, [program.options, cmd.options]) : argv.indexOf('--', sub + 1);
    if (end < 0) end = argv.length;
    const globals: string[] = [];
    const local: string[] = [];
    for (let i = sub + 1; i < end; i++) {
      const arg = argv[i] ?? '';
      const flag = flagOf(arg);
      const mine = find(cmd.options, flag);
      const global = mine || flag === '--help' ? undefined : find(program.options, flag);
      const dest = global ? globals : local;
      dest.push(arg);
      const opt = global ?? mine;
      if (opt && (opt.required || opt.optional) && !arg.includes('=') && i + 1 < end) dest.push(argv[++i] ?? '');
    }
    const result = original([...argv.slice(0, sub), ...globals, argv[sub] ?? '']);
    result.unknown.push(...local, ...argv.slice(end));
    return result;
  };
}
