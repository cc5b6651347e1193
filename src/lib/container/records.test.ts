// Records the CLI cannot fully read still show up: a corrupt nerdnet.json as an Unknown stand-in
// (found by ID and by name, as `rm -f` needs), a create journal whose process is gone as a half-made
// stand-in; a create still running is left out of the list; a nerdctl state dir is never listed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NameStore } from '../etc/name-store.js';
import { DataStoreLayout } from '../store/layout.js';
import { ContainerRecords } from './records.js';
import { stateOf } from './status.js';
import type { ContainerRecord } from './types.js';

const id = (c: string) => c.repeat(64);

function record(rid: string, name: string): ContainerRecord {
  return {
    version: 1,
    id: rid,
    name,
    namespace: 'default',
    created: '2026-12-01T00:00:00.000Z',
    image: '',
    rootfs: { kind: 'dir', path: '/r' },
    path: 'true',
    args: [],
    config: { env: [], workdir: '/', tty: false, interactive: false, user: '', hostname: 'h', domainname: '', labels: {}, cmd: ['true'], entrypoint: [] },
    hostConfig: { autoRemove: false, readOnly: false, networkMode: 'none', mounts: [] },
    network: { networks: ['none'], dns: [], dnsSearch: [], dnsOpt: [], addHost: [], publish: [] },
    provider: 'host-none',
    annotations: {},
    runtime: { binary: 'runc' },
    state: { phase: 'created' },
  };
}

describe('container records: corrupt and half-made containers', () => {
  let dir: string;
  let layout: DataStoreLayout;
  let records: ContainerRecords;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nerdnet-records-'));
    layout = new DataStoreLayout(join(dir, 'store'));
    records = new ContainerRecords(layout, 'default');
    const names = new NameStore({ layout });
    mkdirSync(layout.stateDir('default', id('a')), { recursive: true });
    await records.write(record(id('a'), 'good'));
    mkdirSync(layout.stateDir('default', id('b')), { recursive: true });
    writeFileSync(records.paths(id('b')).record, '{"version":1,"id":');
    await names.acquire('default', 'broken', id('b'));
    // nerdctl's own state dir: no nerdnet.json, no journal.
    mkdirSync(layout.stateDir('default', id('c')), { recursive: true });
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lists a corrupt record as an Unknown stand-in naming the file, with its name from the name store', async () => {
    const all = await records.list();
    const broken = all.find((r) => r.id === id('b'));
    assert.ok(broken, `listed: ${all.map((r) => r.id[0]).join(',')}`);
    assert.equal(broken.standIn?.kind, 'corrupt');
    assert.match(broken.standIn?.reason ?? '', new RegExp(`${records.paths(id('b')).record.replace(/[.]/g, '\\.')} is not valid JSON`));
    assert.equal(broken.name, 'broken');
    const state = stateOf(broken, undefined);
    assert.equal(state.status, 'unknown');
    assert.equal(state.running, false);
    assert.ok(all.some((r) => r.id === id('a') && !r.standIn));
    assert.ok(!all.some((r) => r.id === id('c')), 'a state dir without nerdnet.json is nerdctl\'s');
  });

  it('finds the corrupt record by ID and by name (rm -f)', async () => {
    assert.equal((await records.resolve(id('b'))).standIn?.kind, 'corrupt');
    const byName = await records.resolve('broken');
    assert.equal(byName.id, id('b'));
    assert.equal(byName.standIn?.kind, 'corrupt');
  });

  it('lists an interrupted create (its process gone) and leaves a running create out', async () => {
    const { selfIdentity } = await import('../host/process-identity.js');
    const journal = (rid: string, creator: object) => {
      mkdirSync(layout.createJournalRoot('default'), { recursive: true });
      writeFileSync(layout.createJournalPath('default', rid), JSON.stringify({ version: 1, creator, record: record(rid, `j-${rid[0]}`) }));
    };
    const me = await selfIdentity();
    journal(id('d'), { ...me, pid: 999_999_999 });
    journal(id('e'), me);
    await new NameStore({ layout }).acquire('default', 'j-d', id('d'));
    const all = await records.list();
    const dead = all.find((r) => r.id === id('d'));
    assert.equal(dead?.standIn?.kind, 'half-made');
    assert.match(dead?.standIn?.reason ?? '', /interrupted \(process 999999999 is gone\)/);
    assert.equal(dead?.name, 'j-d');
    assert.ok(!all.some((r) => r.id === id('e')), 'a create in progress is not a container yet');
    assert.equal((await records.resolve('j-d')).id, id('d'));
    assert.equal((await records.resolve(id('e'))).standIn?.creating, true);
  });
});
