import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { id64, writeRecord } from '../../../test/helpers/dns-records.js';
import { DataStoreLayout } from '../store/layout.js';
import { loadDnsRecords, NameTable, nameKey, ptrAddress } from './records.js';

const root = mkdtempSync(join(tmpdir(), 'nerdnet-dns-records-'));
after(() => rmSync(root, { recursive: true, force: true }));

const A = id64('a');
const B = id64('b');
const C = id64('c');
const ns = 'default';

function fixture(): Promise<NameTable> {
  writeRecord(root, ns, { id: A, name: 'web', hostname: 'webhost', networks: { front: ['10.200.1.2', 'fd00:1::2'], back: ['10.200.2.2'] } });
  writeRecord(root, ns, { id: B, name: 'db', networks: { back: ['10.200.2.3'] } });
  writeRecord(root, ns, { id: C, name: 'other', networks: { side: ['10.200.3.2'] } });
  return loadDnsRecords([{ dataStore: root, namespace: ns }]).then((r) => new NameTable(r, { internal: new Set(['side']) }));
}

describe('NameTable from hosts store records', () => {
  it('answers name, hostname, short ID and name.<network>, case-insensitively, from the asker’s networks', async () => {
    const t = await fixture();
    assert.equal(t.records, 3);
    const fromDb = t.scopeOf('10.200.2.3', []);
    assert.deepEqual(fromDb, { networks: ['back'], forward: true });
    assert.deepEqual(t.lookup(fromDb, 'WEB.'), { v4: ['10.200.2.2'], v6: [] });
    assert.deepEqual(t.lookup(fromDb, 'webhost'), { v4: ['10.200.2.2'], v6: [] });
    assert.deepEqual(t.lookup(fromDb, 'web.back'), { v4: ['10.200.2.2'], v6: [] });
    assert.deepEqual(t.lookup(fromDb, A.slice(0, 12)), { v4: ['10.200.2.2'], v6: [] });
    // web's front address is on a network db is not on.
    assert.equal(t.lookup(fromDb, 'web.front'), undefined);
    assert.equal(t.lookup(fromDb, 'other'), undefined);
  });

  it('gives the union over the asker’s networks, v4 and v6 apart', async () => {
    const t = await fixture();
    const fromWeb = t.scopeOf('fd00:1::2', []);
    assert.deepEqual(fromWeb.networks, ['back', 'front']);
    assert.deepEqual(t.lookup(fromWeb, 'web'), { v4: ['10.200.2.2', '10.200.1.2'], v6: ['fd00:1::2'] });
    assert.deepEqual(t.lookup(fromWeb, 'db'), { v4: ['10.200.2.3'], v6: [] });
  });

  it('PTR: <name>.<network> for an address on the asker’s networks only', async () => {
    const t = await fixture();
    const fromDb = t.scopeOf('10.200.2.3', []);
    assert.equal(t.ptr(fromDb, '10.200.2.2'), 'web.back');
    assert.equal(t.ptr(fromDb, '10.200.1.2'), undefined);
    assert.equal(t.ptr(t.scopeOf('10.200.1.2', []), 'fd00:1::2'), 'web.front');
  });

  it('an unknown asker is answered from the listener’s networks; internal networks do not forward', async () => {
    const t = await fixture();
    assert.deepEqual(t.scopeOf('127.0.0.1', ['side']), { networks: ['side'], forward: false });
    assert.deepEqual(t.scopeOf('10.200.3.2', []), { networks: ['side'], forward: false });
    assert.deepEqual(t.scopeOf('127.0.0.1', []), { networks: [], forward: true });
  });

  it('serves only the given networks; aliases per network', async () => {
    await fixture();
    const records = await loadDnsRecords([{ dataStore: root, namespace: ns }]);
    const withAlias = records.map((r) => (r.meta.ID === B ? { ...r, aliases: { back: ['Postgres'] } } : r));
    const t = new NameTable(withAlias, { networks: new Set(['back']) });
    assert.equal(t.records, 2);
    const scope = t.scopeOf('10.200.2.2', []);
    assert.deepEqual(scope.networks, ['back']);
    assert.deepEqual(t.lookup(scope, 'postgres.back'), { v4: ['10.200.2.3'], v6: [] });
    assert.equal(t.lookup(t.scopeOf('10.200.3.2', []), 'other'), undefined);
  });

  it('skips a corrupt meta.json and reads an empty store as no records', async () => {
    await fixture();
    writeFileSync(new DataStoreLayout(root).hostsMetaPath(ns, A), '{not json');
    const logged: string[] = [];
    const records = await loadDnsRecords([{ dataStore: root, namespace: ns }], (_l, m) => logged.push(m));
    assert.deepEqual(records.map((r) => r.meta.Name).sort(), ['db', 'other']);
    assert.match(logged.join('\n'), /skipping container a{64}/);
    assert.deepEqual(await loadDnsRecords([{ dataStore: root, namespace: 'empty' }]), []);
  });
});

describe('query names', () => {
  it('nameKey and ptrAddress', () => {
    assert.equal(nameKey('Web.Back.'), 'web.back');
    assert.equal(ptrAddress('2.2.200.10.in-addr.arpa.'), '10.200.2.2');
    assert.equal(ptrAddress('2.2.200.in-addr.arpa'), undefined);
    assert.equal(ptrAddress('256.2.200.10.in-addr.arpa'), undefined);
    const v6 = '2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.1.0.0.0.0.0.d.f.ip6.arpa';
    assert.equal(ptrAddress(v6), 'fd00:1::2');
    assert.equal(ptrAddress('x.ip6.arpa'), undefined);
  });
});
