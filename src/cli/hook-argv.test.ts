// The hook's own argument parser must read its command line exactly as commander does, and hand
// everything else to the full CLI.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { globalDefaults, type GlobalFlags } from './context.js';
import { isHookCommand, parseHookArgs } from './hook-argv.js';
import { rootCommand } from './program.js';

// What commander makes of the same arguments, with the real global options.
function commanderParse(args: string[]): { flags: GlobalFlags; event: string; bridgeIP?: string } {
  let out: { flags: GlobalFlags; event: string; bridgeIP?: string } | undefined;
  const program = rootCommand();
  program.addCommand(
    new Command('internal').addCommand(
      new Command('oci-hook')
        .argument('<event>')
        .option('--bridge-ip <cidr>')
        .action((event: string, opts: { bridgeIp?: string }, cmd: Command) => {
          const { bridgeIp, ...flags } = cmd.optsWithGlobals<GlobalFlags & { bridgeIp?: string }>();
          out = { flags, event, ...(bridgeIp !== undefined ? { bridgeIP: bridgeIp } : {}) };
        }),
    ),
  );
  program.parse(['node', 'nerdnet', ...args]);
  assert.ok(out);
  return out;
}

describe('the hook command line', () => {
  const lines = [
    ['internal', 'oci-hook', 'createRuntime'],
    ['--cni-netconfpath=/etc/cni/net.d', '--cni-path=/usr/lib/cni:/opt/cni/bin', '--data-root=/var/lib/nerdctl', '--debug', 'internal', 'oci-hook', 'postStop'],
    ['--address=/run/k3s/containerd.sock', '--namespace=k8s.io', 'internal', 'oci-hook', 'createRuntime', '--bridge-ip=10.1.100.1/24'],
    ['--data-root=', 'internal', 'oci-hook', 'bogus'],
    ['--address=/run/containerd/containerd.sock', '--backend=containerd', 'internal', 'oci-hook', 'postStop'],
  ];
  for (const args of lines) {
    it(`parses ${args.join(' ')} as commander does`, () => {
      assert.ok(isHookCommand(args));
      assert.deepEqual(parseHookArgs(args, globalDefaults()), commanderParse(args));
    });
  }

  it('hands every other form to the full CLI', () => {
    for (const args of [
      ['--data-root', '/x', 'internal', 'oci-hook', 'postStop'],
      ['-n', 'k8s.io', 'internal', 'oci-hook', 'postStop'],
      ['internal', 'oci-hook', '--help'],
      ['internal', 'oci-hook'],
      ['internal', 'oci-hook', 'postStop', 'extra'],
      ['internal', 'oci-hook', 'postStop', '--bridge-ip', '10.1.0.1/24'],
      ['--debug=yes', 'internal', 'oci-hook', 'postStop'],
      ['--version', 'internal', 'oci-hook', 'postStop'],
    ]) {
      assert.equal(parseHookArgs(args, globalDefaults()), undefined, args.join(' '));
    }
  });

  it('loads the full CLI for commands that are not the hook', () => {
    assert.ok(!isHookCommand(['network', 'create', 'internal']));
    assert.ok(!isHookCommand(['--data-root', '/x', 'internal', 'oci-hook', 'postStop']));
    assert.ok(!isHookCommand(['run', 'internal', 'oci-hook']));
    assert.ok(!isHookCommand(['--version']));
  });
});
