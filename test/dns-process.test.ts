// The responder's process model: started detached with a readiness handshake, one instance per run
// dir, reload on SIGHUP, exit when the last record is gone, restart after SIGKILL. Every process it
// starts is ended by its pid; its upstream is a server the test runs on loopback.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, afterEach, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DnsService, ensureDnsResponder, readDnsPid, signalDnsResponder, writeDnsConfig } from '../src/lib/dns/process.js';
import type { EnsureResult } from '../src/lib/dns/process.js';
import type { Endpoint } from '../src/lib/dns/responder.js';
import { id64, removeRecord, writeRecord } from './helpers/dns-records.js';
import { answerData, query, rcodeOf, TestUpstream } from './helpers/dns.js';

const BIN = fileURLToPath(new URL('../src/bin/nerdnet-dns.ts', import.meta.url));
const COMMAND = [process.execPath, '--import', 'tsx', BIN];
const ns = 'default';
const WEB = id64('d');
const DB = id64('e');

let base: string;
let up: TestUpstream;
const pids = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

before(async () => {
  base = mkdtempSync(join(tmpdir(), 'nerdnet-dns-process-'));
  up = new TestUpstream('answer');
  await up.start();
});
afterEach(() => {
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  pids.clear();
});
after(async () => {
  await up.stop();
  rmSync(base, { recursive: true, force: true });
});

let n = 0;
// A fresh run dir and data store, its config listening on 127.0.0.12x port 0 for network `back`.
async function setup(): Promise<{ runDir: string; dataStore: string; env: NodeJS.ProcessEnv }> {
  n++;
  const runDir = join(base, `run${n}`);
  const dataStore = join(base, `store${n}`);
  await writeDnsConfig(runDir, { sources: [{ dataStore, namespace: ns }], networks: { back: { listen: [`127.0.0.${120 + n}`] } }, port: 0 });
  return { runDir, dataStore, env: { ...process.env, NERDNET_DNS_UPSTREAMS: `${up.endpoint.host}:${up.endpoint.port}` } };
}

async function ensure(runDir: string, env: NodeJS.ProcessEnv): Promise<EnsureResult> {
  const r = await ensureDnsResponder({ runDir, command: COMMAND, env, timeoutMs: 20_000 });
  if (r.state !== 'empty') pids.add(r.pid);
  return r;
}

// A new instance, asserted started (not signalled, not empty).
async function started(runDir: string, env: NodeJS.ProcessEnv): Promise<Extract<EnsureResult, { state: 'started' }>> {
  const r = await ensure(runDir, env);
  if (r.state !== 'started') assert.fail(`expected a new instance, got ${JSON.stringify(r)}`);
  return r;
}

describe('DNS responder process', () => {
  it('starts detached once the sockets are bound, answers and forwards, and stays one instance', async () => {
    const { runDir, dataStore, env } = await setup();
    writeRecord(dataStore, ns, { id: DB, name: 'db', networks: { back: ['10.200.2.3'] } });
    const r = await started(runDir, env);
    assert.equal(readDnsPid(runDir), r.pid);
    const at: Endpoint = r.addresses[0]!.udp;
    assert.deepEqual(answerData(await query(at, 'db', 'A')), ['10.200.2.3']);
    assert.deepEqual(answerData(await query(at, 'db.back', 'A', 'tcp')), ['10.200.2.3']);
    assert.deepEqual(answerData(await query(at, 'example.test', 'A')), ['192.0.2.7']);
    // A second start signals the running one; a second instance is refused by the lock.
    assert.deepEqual(await ensure(runDir, env), { state: 'signalled', pid: r.pid });
    const second = new DnsService({ runDir, env });
    assert.deepEqual(await second.start(), { state: 'busy' });
    assert.ok(alive(r.pid));
  });

  it('re-reads its records on SIGHUP without dropping its sockets, and exits when the last is gone', async () => {
    const { runDir, dataStore, env } = await setup();
    writeRecord(dataStore, ns, { id: DB, name: 'db', networks: { back: ['10.200.2.3'] } });
    const r = await started(runDir, env);
    const at = r.addresses[0]!.udp;
    writeRecord(dataStore, ns, { id: WEB, name: 'web', networks: { back: ['10.200.2.2'] } });
    assert.equal(await signalDnsResponder(runDir), r.pid);
    await until('web to resolve', async () => answerData(await query(at, 'web', 'A')).length === 1);
    removeRecord(dataStore, ns, DB);
    await signalDnsResponder(runDir);
    await until('db to stop resolving', async () => rcodeOf(await query(at, 'db', 'A')) === 'NOERROR' && answerData(await query(at, 'db', 'A'))[0] === '192.0.2.7');
    removeRecord(dataStore, ns, WEB);
    await signalDnsResponder(runDir);
    await until('the responder to exit', () => !alive(r.pid));
    assert.equal(existsSync(join(runDir, 'dns.pid')), false);
    assert.equal(await signalDnsResponder(runDir), undefined);
  });

  it('does not stay up without records, and is restarted after SIGKILL', async () => {
    const { runDir, dataStore, env } = await setup();
    assert.deepEqual(await ensure(runDir, env), { state: 'empty' });
    assert.equal(readDnsPid(runDir), undefined);
    writeRecord(dataStore, ns, { id: DB, name: 'db', networks: { back: ['10.200.2.3'] } });
    const first = await started(runDir, env);
    process.kill(first.pid, 'SIGKILL');
    await until('the responder to die', () => !alive(first.pid));
    // dns.pid is stale now; the lock is free, so the next start starts a new instance.
    const second = await started(runDir, env);
    assert.notEqual(second.pid, first.pid);
    assert.equal(readDnsPid(runDir), second.pid);
    assert.deepEqual(answerData(await query(second.addresses[0]!.udp, 'db', 'A')), ['10.200.2.3']);
  });
});
