import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { firstOperand } from './container-argv.js';
import { bashCompletion } from './container-completion.js';
import { globalArgsOf, hookSelfCommand } from '../wiring.js';
import { humanDuration } from './container-format.js';
import { buildProgram } from '../main.js';

describe('container CLI argv handling', () => {
  const program = buildProgram();
  const run = program.commands.find((c) => c.name() === 'run') as Command;

  it('finds the image past options with values and short groups', () => {
    const opts = [program.options, run.options];
    assert.equal(firstOperand(['--name', 'x', '-dp', '80', 'img', 'ls', '-a'], 0, opts), 4);
    assert.equal(firstOperand(['--network=none', '-it', 'img'], 0, opts), 2);
    assert.equal(firstOperand(['--rm', '--', 'img'], 0, opts), 2);
    assert.equal(firstOperand(['-d'], 0, opts), -1);
  });

  it('global flags before the command and between it and the image; command options untouched', async () => {
    let seen: { args: string[]; flags: Record<string, unknown>; globals: Record<string, unknown> } | undefined;
    const p = buildProgram();
    const r = p.commands.find((c) => c.name() === 'run') as Command;
    r.action((args: string[], flags: Record<string, unknown>, cmd: Command) => {
      seen = { args, flags, globals: cmd.optsWithGlobals() };
    });
    await p.parseAsync(['node', 'nerdnet', '-n', 'ns1', 'run', '--data-root', '/d', '-h', 'web', '--rootfs', '/r', 'ls', '-a', '-n', '--data-root', 'x']);
    assert.deepEqual(seen?.args, ['ls', '-a', '-n', '--data-root', 'x']);
    assert.equal(seen?.flags.hostname, 'web');
    assert.equal(seen?.globals.namespace, 'ns1');
    assert.equal(seen?.globals.dataRoot, '/d');
  });

  it("a command's own short flag shadows the global one (ps -a is --all, not --address)", async () => {
    let all: unknown;
    const p = buildProgram();
    (p.commands.find((c) => c.name() === 'ps') as Command).action((f: { all: boolean }) => {
      all = f.all;
    });
    await p.parseAsync(['node', 'nerdnet', 'ps', '-a', '--namespace', 'x']);
    assert.equal(all, true);
    assert.equal(p.opts().namespace, 'x');
    assert.equal(p.opts().address, '/run/containerd/containerd.sock');
  });

  it('hook global args: only flags set on the command line, sorted, paths absolute (spec 6.1)', () => {
    const p = buildProgram();
    p.parseOptions(['--namespace', 'k8s.io', '--data-root', 'rel/dir']);
    const args = globalArgsOf(p);
    assert.equal(args[0], `--data-root=${process.cwd()}/rel/dir`);
    assert.equal(args[1], '--namespace=k8s.io');
    assert.equal(args.length, 2);
  });

  it("the built CLI's containers get the hook's own entry beside it; sources and other builds keep the CLI", () => {
    const dist = mkdtempSync(join(tmpdir(), 'nerdnet-hook-entry-'));
    try {
      const built = { path: '/usr/bin/node', args: [join(dist, 'nerdnet.js')] };
      assert.deepEqual(hookSelfCommand(built), built, 'no nerdnet-hook.cjs beside it');
      writeFileSync(join(dist, 'nerdnet-hook.cjs'), '');
      assert.deepEqual(hookSelfCommand(built), { path: '/usr/bin/node', args: [join(dist, 'nerdnet-hook.cjs')] });
      const fromSources = { path: '/usr/bin/node', args: ['--import', 'file:///x/tsx/esm.mjs', '/x/src/bin/nerdnet.ts'] };
      assert.deepEqual(hookSelfCommand(fromSources), fromSources);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });

  it('completion lists commands and their flags', () => {
    const s = bashCompletion(buildProgram());
    assert.match(s, /"run"\) subs=""; flags="[^"]*--network[^"]*--rootfs/);
    assert.match(s, /""\) subs="[^"]*\brun\b[^"]*\bps\b/);
    assert.match(s, /complete -F _nerdnet_complete nerdnet/);
  });

  it('human durations as Docker prints them', () => {
    assert.equal(humanDuration(500), 'Less than a second');
    assert.equal(humanDuration(1000), '1 second');
    assert.equal(humanDuration(59_000), '59 seconds');
    assert.equal(humanDuration(61_000), 'About a minute');
    assert.equal(humanDuration(3 * 3_600_000), '3 hours');
    assert.equal(humanDuration(3 * 86_400_000), '3 days');
  });
});
