// nerdnet as a library: a network, a web server with a port published on 127.0.0.1, a second
// container that fetches the page by the server's name, the host fetching it through the port,
// and everything removed again. Run as root after `bash scripts/setup`:
//
//   node examples/quickstart.mjs
//
// Its state lives in a temporary directory (a program of yours would leave dataRoot and
// cniNetconfPath out and share nerdctl's /var/lib/nerdctl and /etc/cni/net.d).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNerdnet } from 'nerdnet';

const work = mkdtempSync(join(tmpdir(), 'nerdnet-quickstart-'));
const port = 20000 + Math.floor(Math.random() * 20000);
const tag = Math.random().toString(16).slice(2, 8);

// A busybox image made from Debian's busybox-static, as the demo does.
execFileSync('bash', [new URL('../scripts/make-busybox-image', import.meta.url).pathname, join(work, 'busybox.tar')]);

const nerdnet = createNerdnet({
  dataRoot: join(work, 'data'),
  cniNetconfPath: join(work, 'net.d'),
  cniCacheDir: join(work, 'cni'),
  runDir: join(work, 'run'),
  runc: { root: join(work, 'runc') },
  logger: (level, message) => console.error(`${level}: ${message}`),
});

// Node 20 has no `await using`: handles are removed in reverse order by hand (TypeScript's
// `await using` does the same through their [Symbol.asyncDispose]).
const made = [];
try {
  await nerdnet.images.load(join(work, 'busybox.tar'));
  const net = await nerdnet.networks.create({ name: `quickstart-${tag}` });
  made.push(net);

  const web = await nerdnet.containers.run({
    image: 'busybox',
    name: `web-${tag}`,
    networks: [net.name],
    publish: [{ hostIP: '127.0.0.1', hostPort: port, containerPort: 80 }],
    command: ['sh', '-c', 'echo "hello from $(hostname)" > /index.html && exec httpd -f -p 80 -h /'],
  });
  made.push(web);
  const address = (await web.inspect()).NetworkSettings.Networks?.[net.name]?.IPAddress;
  console.log(`${web.name} runs at ${address} on network ${net.name}`);

  // A second container reaches the first by its name (nerdctl's /etc/hosts).
  const client = await nerdnet.containers.run({ image: 'busybox', networks: [net.name], command: ['sleep', '60'] });
  made.push(client);
  const byName = await retry(() => client.exec(['wget', '-qO-', `http://${web.name}/`]));
  console.log(`${client.name} fetched http://${web.name}/: ${byName.stdout.trim()}`);

  // The host reaches it through the published port.
  const fromHost = await retry(async () => ({ exitCode: 0, stdout: await (await fetch(`http://127.0.0.1:${port}/`)).text() }));
  console.log(`the host fetched http://127.0.0.1:${port}/: ${fromHost.stdout.trim()}`);
} finally {
  // Containers are removed with force, the network once they are gone.
  for (const handle of made.reverse()) await handle[Symbol.asyncDispose]();
  await nerdnet.close();
  rmSync(work, { recursive: true, force: true });
}

async function retry(attempt) {
  for (let i = 0; ; i++) {
    const r = await attempt().catch((e) => ({ exitCode: -1, stderr: String(e) }));
    if (r.exitCode === 0) return r;
    if (i === 30) throw new Error(`gave up: ${r.stderr}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}
