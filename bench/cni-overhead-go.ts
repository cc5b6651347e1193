// The Go side of the CNI overhead comparison: bench/go-libcni (libcni's CNIConfig) built at bench
// time from Debian's golang-go and golang-github-appc-cni-dev (GOPATH mode, offline) into a temp
// dir, then driven one ADD+DEL cycle per stdin line so it interleaves with the Node cycles.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const SOURCE = fileURLToPath(new URL('./go-libcni/', import.meta.url));
const GOPATH = '/usr/share/gocode';
const LIBCNI = join(GOPATH, 'src/github.com/containernetworking/cni/libcni/api.go');

// Why the Go harness cannot be built here, or undefined.
export function goMissing(): string | undefined {
  if (spawnSync('go', ['version'], { stdio: 'ignore' }).status !== 0) return 'needs Go (bash scripts/setup --bench installs golang-go)';
  if (!existsSync(LIBCNI)) return "needs Debian's libcni sources (bash scripts/setup --bench installs golang-github-appc-cni-dev)";
  return undefined;
}

// Build the harness into `outDir`; returns the binary's path.
export function buildGoHarness(outDir: string): string {
  const bin = join(outDir, 'go-libcni');
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'nerdnet-bench-gocache') };
  const r = spawnSync('go', ['build', '-o', bin, '.'], { cwd: SOURCE, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building bench/go-libcni failed: ${r.stderr.trim()}`);
  return bin;
}

// One running harness: `cycle(id)` runs ADD+DEL for container `id` and resolves to Go's own timing.
export class GoLibcni {
  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly lines: AsyncIterator<string>,
    private readonly rl: Interface,
    private readonly stderr: () => string,
  ) {}

  static start(bin: string, opts: { conflist: string; netns: string; pluginDirs: string; cacheDir: string }): GoLibcni {
    const child = spawn(bin, ['-conflist', opts.conflist, '-netns', opts.netns, '-path', opts.pluginDirs, '-cache', opts.cacheDir], { stdio: ['pipe', 'pipe', 'pipe'] });
    const rl = createInterface({ input: child.stdout });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    return new GoLibcni(child, rl[Symbol.asyncIterator](), rl, () => stderr);
  }

  async cycle(id: string): Promise<number> {
    this.child.stdin.write(`${id}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`go-libcni exited: ${this.stderr()}`);
    const r = JSON.parse(next.value) as { ms?: number; error?: string };
    if (r.error !== undefined || r.ms === undefined) throw new Error(`go-libcni: ${r.error ?? next.value}`);
    return r.ms;
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('close', resolve));
    this.child.stdin.end();
    await exited;
    this.rl.close();
  }
}
