// Container commands (nerdctl's names and output): run, create, start, ps, stop, kill, rm, exec,
// logs, inspect, port. Wiring and output only; the work is in lib/container.
import type { StdioOptions } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import type { ContainerManager } from '../../lib/container/manager.js';
import { NerdnetError } from '../../lib/errors.js';
import { formatPortLines } from '../../lib/ports/format.js';
import { parsePortFilter } from '../../lib/ports/parse.js';
import type { ContainerInspect } from '../../lib/container/inspect-types.js';
import { formatError } from '../error-text.js';
import { jsonIndent, listFormatter, parseTemplate } from '../format.js';
import { outputClosed } from '../output.js';
import { PositionalCommand, scopeGlobalOptions } from './container-argv.js';
import { completionCommand } from './container-completion.js';
import { managerFor } from '../wiring.js';
import { PS_HEADERS, psObject, psTable } from './container-format.js';
import { createRequest, runLikeCommand } from './container-run.js';
import { parsePsFilters } from './ps-filter.js';
import { pullForRun } from './image-registry.js';
import type { RunFlags } from './container-run.js';

// Ends the CLI with the container's exit status and no message (main returns a CommanderError's code).
export class ExitStatus extends CommanderError {
  constructor(code: number) {
    super(code, 'nerdnet.exitStatus', '');
  }
}

function exitWith(code: number): void {
  if (code !== 0) throw new ExitStatus(code);
}

function needTerminal(flag: string): void {
  if (!process.stdin.isTTY) throw new NerdnetError('ERR_INVALID_ARG', `the input device is not a TTY: ${flag} needs a terminal on stdin; drop -t or run from a terminal`);
}

// While attached, terminal signals reach runc (same process group), which forwards them; SIGTERM
// sent to nerdnet alone is forwarded with `runc kill`.
async function whileAttached<T>(mgr: ContainerManager, ref: () => string | undefined, fn: () => Promise<T>): Promise<T> {
  const ignore = () => {};
  const term = () => {
    const id = ref();
    if (id) mgr.kill(id, 'SIGTERM').catch(() => undefined);
  };
  const quiet = ['SIGINT', 'SIGHUP', 'SIGQUIT'] as const;
  quiet.forEach((s) => process.on(s, ignore));
  process.on('SIGTERM', term);
  try {
    return await fn();
  } finally {
    quiet.forEach((s) => process.off(s, ignore));
    process.off('SIGTERM', term);
  }
}

function attachedStdio(tty: boolean, interactive: boolean): StdioOptions {
  return [tty || interactive ? 'inherit' : 'ignore', 'inherit', 'inherit'];
}

// Print every error but the last, throw the last (main prints it and exits 1).
async function eachRef(refs: string[], fn: (ref: string) => Promise<void>): Promise<void> {
  const errors: unknown[] = [];
  for (const ref of refs) await fn(ref).catch((e: unknown) => errors.push(e));
  errors.slice(0, -1).forEach((e) => process.stderr.write(`nerdnet: ${formatError(e)}\n`));
  if (errors.length > 0) throw errors.at(-1);
}

// eachRef, printing each ref once its work is done (nerdctl's output for start/stop/kill/rm).
function eachRefPrinted(refs: string[], fn: (ref: string) => Promise<unknown>): Promise<void> {
  return eachRef(refs, async (ref) => void (await fn(ref), process.stdout.write(`${ref}\n`)));
}

function runCommand(): Command {
  return runLikeCommand('run', 'create and start a container; attached, exit with its exit code').action(async (positional: string[], f: RunFlags, cmd: Command) => {
    const req = createRequest(positional, f, { detached: Boolean(f.detach) });
    if (req.tty) needTerminal('-t');
    await pullForRun(cmd, req.image, f.pull);
    const mgr = await managerFor(cmd);
    if (f.detach) {
      const r = await mgr.run(req);
      process.stdout.write(`${r.record.id}\n`);
      return;
    }
    let id: string | undefined;
    const attach = { stdio: attachedStdio(req.tty, req.interactive) };
    const r = await whileAttached(mgr, () => id, () => mgr.run(req, { attach, onCreated: (rec) => (id = rec.id) }));
    exitWith(r.exitCode ?? 0);
  });
}

function createCommand(): Command {
  return runLikeCommand('create', 'create a container (start it with `start`)').action(async (positional: string[], f: RunFlags, cmd: Command) => {
    const req = createRequest(positional, f, { detached: false });
    await pullForRun(cmd, req.image, f.pull);
    const rec = await (await managerFor(cmd)).create(req);
    process.stdout.write(`${rec.id}\n`);
  });
}

function startCommand(): Command {
  return new Command('start')
    .summary('start created or exited containers')
    .argument('<container...>', 'names, IDs or ID prefixes')
    .option('-a, --attach', 'attach stdout/stderr and exit with the container exit code (one container)', false)
    .action(async (refs: string[], f: { attach: boolean }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      if (!f.attach) return eachRefPrinted(refs, (ref) => mgr.start(ref));
      if (refs.length !== 1) throw new NerdnetError('ERR_INVALID_ARG', `start -a takes one container, got ${refs.length}`);
      const rec = await mgr.resolve(refs[0] ?? '');
      if (rec.config.tty) needTerminal('a container created with -t');
      const r = await whileAttached(mgr, () => rec.id, () => mgr.start(rec.id, { attach: { stdio: attachedStdio(rec.config.tty, rec.config.interactive) } }));
      exitWith(r.exitCode ?? 0);
    });
}

function psCommand(): Command {
  return new Command('ps')
    .summary('list containers')
    .option('-a, --all', 'show all containers (default: running only)', false)
    .option('-q, --quiet', 'only IDs', false)
    .option('--no-trunc', 'do not truncate IDs and commands')
    .option('--format <template>', "Go template, e.g. '{{.ID}} {{.Status}}' or '{{json .}}'")
    .option('-f, --filter <key=value>', 'only containers that match: id, name, label, status, exited, network, ancestor, before, since; repeatable', (v: string, p: string[]) => [...p, v], [])
    .action(async (f: { all: boolean; quiet: boolean; trunc: boolean; format?: string; filter: string[] }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      const filter = await parsePsFilters(f.filter, async () => mgr);
      const views = await mgr.list({ all: f.all, ...(filter ? { filter } : {}) });
      const opts = { trunc: f.trunc, now: Date.now() };
      if (f.quiet) return void process.stdout.write(views.map((v) => `${f.trunc ? v.record.id.slice(0, 12) : v.record.id}\n`).join(''));
      if (f.format && f.format !== 'table') return void process.stdout.write(listFormatter(f.format, PS_HEADERS)(views.map((v) => psObject(v, opts))));
      process.stdout.write(psTable(views, opts));
    });
}

// stop's and restart's -t.
function graceSeconds(text: string): number {
  if (!/^\d+$/.test(text)) throw new NerdnetError('ERR_INVALID_ARG', `invalid --time ${JSON.stringify(text)}: give whole seconds, e.g. -t 10`);
  return Number(text);
}

function stopCommand(): Command {
  return new Command('stop')
    .summary('stop containers: SIGTERM, then SIGKILL after the grace time')
    .argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before SIGKILL', '10')
    .option('-s, --signal <signal>', 'signal to send first', 'SIGTERM')
    .action(async (refs: string[], f: { time: string; signal: string }, cmd: Command) => {
      const timeoutS = graceSeconds(f.time);
      const mgr = await managerFor(cmd);
      await eachRefPrinted(refs, (ref) => mgr.stop(ref, { timeoutS, signal: f.signal }));
    });
}

function restartCommand(): Command {
  return new Command('restart')
    .summary('stop and start containers again')
    .argument('<container...>')
    .option('-t, --time <seconds>', 'seconds to wait before SIGKILL', '10')
    .action(async (refs: string[], f: { time: string }, cmd: Command) => {
      const timeoutS = graceSeconds(f.time);
      const mgr = await managerFor(cmd);
      await eachRefPrinted(refs, (ref) => mgr.restart(ref, { timeoutS }));
    });
}

function killCommand(): Command {
  return new Command('kill')
    .summary('send a signal to running containers')
    .argument('<container...>')
    .option('-s, --signal <signal>', 'signal name or number', 'KILL')
    .action(async (refs: string[], f: { signal: string }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      await eachRefPrinted(refs, (ref) => mgr.kill(ref, f.signal));
    });
}

function rmCommand(): Command {
  return new Command('rm')
    .alias('remove')
    .summary('remove containers')
    .argument('<container...>')
    .option('-f, --force', 'kill a running container first', false)
    .action(async (refs: string[], f: { force: boolean }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      await eachRefPrinted(refs, (ref) => mgr.remove(ref, { force: f.force }));
    });
}

function execCommand(): Command {
  return new PositionalCommand('exec')
    .summary('run a command in a running container')
    .usage('[options] CONTAINER COMMAND [ARG...]')
    .argument('<container>')
    .argument('<command...>')
    .option('-i, --interactive', 'keep stdin open', false)
    .option('-t, --tty', 'allocate a terminal', false)
    .option('-e, --env <KEY=VALUE>', 'environment variable; repeatable', (v: string, p: string[]) => [...p, v], [])
    .option('-w, --workdir <dir>', 'working directory')
    .option('-u, --user <uid[:gid]>', 'numeric user')
    .action(async (ref: string, args: string[], f: { interactive: boolean; tty: boolean; env: string[]; workdir?: string; user?: string }, cmd: Command) => {
      if (f.tty) needTerminal('-t');
      const mgr = await managerFor(cmd);
      const req = { args, tty: f.tty, env: f.env, stdio: attachedStdio(f.tty, f.interactive), ...(f.workdir ? { workdir: f.workdir } : {}), ...(f.user ? { user: f.user } : {}) };
      exitWith(await whileAttached(mgr, () => undefined, () => mgr.exec(ref, req)));
    });
}

function logsCommand(): Command {
  return new Command('logs')
    .summary("print a detached container's output (stdout and stderr, as one plain-text stream)")
    .argument('<container>')
    .option('-f, --follow', 'keep printing until the container stops', false)
    .action(async (ref: string, f: { follow: boolean }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      const ac = new AbortController();
      const stop = () => ac.abort();
      process.once('SIGINT', stop);
      // With its reader gone (logs -f | head), following would print into the void forever.
      outputClosed.addEventListener('abort', stop, { once: true });
      try {
        for await (const chunk of mgr.logs(ref, { follow: f.follow, signal: ac.signal })) {
          if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
        }
      } finally {
        process.off('SIGINT', stop);
        outputClosed.removeEventListener('abort', stop);
      }
    });
}

function inspectCommand(): Command {
  return new Command('inspect')
    .summary('show containers as Docker-compatible JSON')
    .argument('<container...>')
    .option('-f, --format <template>', "Go template, e.g. '{{.State.Status}}'")
    .action(async (refs: string[], f: { format?: string }, cmd: Command) => {
      const mgr = await managerFor(cmd);
      const found: ContainerInspect[] = [];
      const errors: unknown[] = [];
      for (const ref of refs) await mgr.inspect(ref).then((x) => found.push(x), (e: unknown) => errors.push(e));
      // `--format json` is the default JSON output, as nerdctl's inspect takes it.
      if (f.format && f.format !== 'json') {
        // nerdctl's inspect falls back to the JSON-decoded map, where a missing key prints <no value>.
        const t = parseTemplate(f.format, { missingKey: 'default' });
        process.stdout.write(found.map((x) => `${t.render(x)}\n`).join(''));
      } else process.stdout.write(jsonIndent(found));
      errors.slice(0, -1).forEach((e) => process.stderr.write(`nerdnet: ${formatError(e)}\n`));
      if (errors.length > 0) throw errors.at(-1);
    });
}

function portCommand(): Command {
  return new Command('port')
    .summary('list published ports of a container')
    .argument('<container>')
    .argument('[port]', 'PRIVATE_PORT[/PROTO]')
    .action(async (ref: string, port: string | undefined, _f: unknown, cmd: Command) => {
      const v = await (await managerFor(cmd)).view(ref);
      const lines = formatPortLines(v.ports, port === undefined ? undefined : parsePortFilter(port), v.record.name);
      process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    });
}

// Every container command, for main.ts: `registerContainerCommands(program, { providers })`.
export function registerContainerCommands(program: Command): void {
  const commands = [runCommand(), createCommand(), startCommand(), psCommand(), stopCommand(), restartCommand(), killCommand(), rmCommand(), execCommand(), logsCommand(), inspectCommand(), portCommand()];
  for (const c of commands) program.addCommand(c);
  program.addCommand(completionCommand());
  scopeGlobalOptions(program, commands);
}
