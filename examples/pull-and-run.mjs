// nerdnet as a library, with an image from a registry: pull it (progress as events), run it on a
// network, print what it says, remove everything. Run as root after `bash scripts/setup`:
//
//   node examples/pull-and-run.mjs 127.0.0.1:5000/team/busybox:1 [command...]
//
// Credentials come from ~/.docker/config.json (or $DOCKER_CONFIG); localhost registries may speak
// plain HTTP, others are given with NERDNET_INSECURE_REGISTRY=host:port. State lives in a temporary
// directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNerdnet } from 'nerdnet';

const [image, ...command] = process.argv.slice(2);
if (!image) {
  console.error('usage: node examples/pull-and-run.mjs IMAGE [COMMAND...]');
  process.exit(2);
}
const work = mkdtempSync(join(tmpdir(), 'nerdnet-pull-'));
const nerdnet = createNerdnet({
  dataRoot: join(work, 'data'),
  cniNetconfPath: join(work, 'net.d'),
  cniCacheDir: join(work, 'cni'),
  runDir: join(work, 'run'),
  runc: { root: join(work, 'runc') },
});

const made = [];
try {
  const seen = new Map();
  const pulled = await nerdnet.images.pull(image, {
    insecureRegistries: process.env.NERDNET_INSECURE_REGISTRY ? [process.env.NERDNET_INSECURE_REGISTRY] : [],
    onProgress: (e) => {
      if (e.type === 'resolved') console.log(`resolved ${e.reference} to ${e.digest} (${e.platform})`);
      if (e.type === 'layer' && seen.get(e.digest) !== e.status) {
        seen.set(e.digest, e.status);
        console.log(`  ${e.digest.slice(7, 19)} ${e.status} ${e.total} bytes`);
      }
    },
  });
  console.log(`pulled ${pulled.name}: image ${pulled.id}`);
  const net = await nerdnet.networks.create({ name: `pull-${Math.random().toString(16).slice(2, 8)}` });
  made.push(net);
  const c = await nerdnet.containers.run({ image: pulled.name, networks: [net.name], command: command.length > 0 ? command : ['sh', '-c', 'echo "hello from $(hostname) on $(ip -o -4 addr show eth0 | awk "{print \\$4}")"'] });
  made.push(c);
  const code = await c.wait();
  console.log((await c.logs()).trim());
  console.log(`exit code ${code}`);
} finally {
  for (const handle of made.reverse()) await handle[Symbol.asyncDispose]();
  await nerdnet.close();
  rmSync(work, { recursive: true, force: true });
}
