import { randomBytes } from 'node:crypto';
import {
  createKeyward,
  LocalRootKey,
  STRAY_VERSION,
  type KeywardError,
  type ReplacedVersion,
  type WrappedKeyVersion,
} from '@keyward/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqlTenantKeyStore, type Store } from '../../src/index.js';
import type { SqlGuard } from '../../src/store/tenant-key-store.js';
import { BACKENDS, refuses } from './backends.js';

const record = (version: number, byte = version, rootKeyId = 'local:root'): WrappedKeyVersion => ({
  version,
  wrappedKey: Uint8Array.from({ length: 61 }, () => byte),
  rootKeyId,
  createdAt: new Date(Date.UTC(2026, 0, version)),
});

const moved = (version: number, fromRootId = 'local:root'): ReplacedVersion => ({
  ...record(version, 0x40 + version, 'kms:new'),
  fromRootId,
});

/** The same contract on every backend: core's TenantKeyStore semantics, on real SQL. */
describe.each(BACKENDS)('SqlTenantKeyStore on $name', (backend) => {
  let store: Store;
  let keys: SqlTenantKeyStore;
  // One store per backend (PGlite takes seconds to start); each test starts from two empty tenants.
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    keys = new SqlTenantKeyStore(store.db);
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('tenants').execute();
    await store.db
      .insertInto('tenants')
      .values([
        { id: 't', name: 'T' },
        { id: 'u', name: 'U' },
      ])
      .execute();
  });

  it('creates a keyring with version 1 and floors 0/1, and refuses a second with KW_TENANT_EXISTS', async () => {
    await keys.createKeyring('t', record(1));
    expect(await keys.getPolicy('t')).toEqual({
      latestVersion: 1,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
    expect(await keys.getVersion('t', 1)).toEqual(record(1));
    await refuses(keys.createKeyring('t', record(1, 9)), 'KW_TENANT_EXISTS');
    expect(await keys.getVersion('t', 1)).toEqual(record(1));
  });

  it('refuses a keyring for a tenant that does not exist', async () => {
    await refuses(keys.createKeyring('nobody', record(1)), 'KW_TENANT_NOT_FOUND');
  });

  it('adds versions by compare-and-set on the latest version', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    await refuses(keys.addVersion('t', record(3), 1), 'KW_CONCURRENT_MODIFICATION');
    await refuses(keys.addVersion('t', record(4), 2), 'KW_CONCURRENT_MODIFICATION');
    await refuses(keys.addVersion('u', record(1), 0), 'KW_TENANT_NOT_FOUND');
    expect((await keys.listVersions('t')).map((v) => v.version)).toEqual([1, 2]);
    expect((await keys.getPolicy('t'))?.latestVersion).toBe(2);
  });

  it('of two instances adding the same version at once, exactly one wins', async () => {
    await keys.createKeyring('t', record(1));
    const outcomes = await Promise.allSettled([
      keys.addVersion('t', record(2, 0xaa), 1),
      keys.addVersion('t', record(2, 0xbb), 1),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as KeywardError).code).toBe('KW_CONCURRENT_MODIFICATION');
    expect(await keys.listVersions('t')).toHaveLength(2);
  });

  it('sets floors by compare-and-set on the whole policy; the database refuses floors out of order', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    const current = { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    await keys.setPolicy('t', { ...current, minDecryptionVersion: 2 }, current);
    await refuses(
      keys.setPolicy('t', { ...current, minEncryptionVersion: 2 }, current),
      'KW_CONCURRENT_MODIFICATION',
    );
    await refuses(
      keys.setPolicy(
        't',
        { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 3 },
        { ...current, minDecryptionVersion: 2 },
      ),
      'KW_FLOORS_INVALID',
    );
    expect(await keys.getPolicy('t')).toEqual({ ...current, minDecryptionVersion: 2 });
  });

  it('replaces wrapped keys all at once, or not at all', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    await refuses(
      keys.replaceWrappedKeys('t', [record(1, 0x11, 'kms:new'), record(9, 0x99, 'kms:new')]),
      'KW_KEY_VERSION_NOT_FOUND',
    );
    expect((await keys.listVersions('t')).map((v) => v.rootKeyId)).toEqual(['local:root', 'local:root']);
    await refuses(
      keys.replaceWrappedKeys('t', [record(1, 0x11, 'kms:new')], 'kms:other'),
      'KW_CONCURRENT_MODIFICATION',
    );
    await keys.replaceWrappedKeys(
      't',
      [record(1, 0x11, 'kms:new'), record(2, 0x22, 'kms:new')],
      'local:root',
    );
    expect(await keys.listVersions('t')).toEqual([record(1, 0x11, 'kms:new'), record(2, 0x22, 'kms:new')]);
  });

  it('runs the guard first in the same transaction: its writes commit with the change, or roll back with it', async () => {
    const renamed =
      (name: string): SqlGuard =>
      async (trx) => {
        await trx.updateTable('tenants').set({ name }).where('id', '=', 't').execute();
      };
    const name = async () =>
      (await store.db.selectFrom('tenants').select('name').where('id', '=', 't').executeTakeFirstOrThrow())
        .name;
    // A new tenant's row inserted by the guard satisfies the keyring's foreign key in the same transaction.
    await keys.createKeyring('v', record(1), async (trx, change) => {
      expect(change).toEqual({ kind: 'create', record: record(1) });
      await trx.insertInto('tenants').values({ id: 'v', name: 'V' }).execute();
    });
    expect(await keys.getPolicy('v')).toMatchObject({ latestVersion: 1 });
    await keys.createKeyring('t', record(1), renamed('created'));
    expect(await name()).toBe('created');
    await refuses(keys.addVersion('t', record(2), 7, renamed('lost rotation')), 'KW_CONCURRENT_MODIFICATION');
    await refuses(
      keys.commitRootChange(
        't',
        { toRootId: 'kms:new', replaced: [moved(1, 'kms:other')] },
        renamed('lost move'),
      ),
      'KW_CONCURRENT_MODIFICATION',
    );
    expect(await name()).toBe('created');
    await keys.addVersion('t', record(2), 1, renamed('rotated'));
    expect(await name()).toBe('rotated');
    await expect(keys.addVersion('t', record(3), 2, () => Promise.reject(new Error('no')))).rejects.toThrow(
      'no',
    );
    expect((await keys.listVersions('t')).map((v) => v.version)).toEqual([1, 2]);
  });

  it("runs the guard's finishing step after the change's own writes, in the same transaction: it sees them, and its failure rolls everything back", async () => {
    await keys.createKeyring('t', record(1));
    const seen: number[] = [];
    await keys.addVersion('t', record(2), 1, async () => async (trx) => {
      const rows = await trx
        .selectFrom('tenant_key_versions')
        .select('version')
        .where('tenant_id', '=', 't')
        .execute();
      seen.push(rows.length);
    });
    expect(seen).toEqual([2]);
    await expect(
      keys.addVersion('t', record(3), 2, async (trx) => {
        await trx.updateTable('tenants').set({ name: 'guarded' }).where('id', '=', 't').execute();
        return () => Promise.reject(new Error('finish failed'));
      }),
    ).rejects.toThrow('finish failed');
    expect((await keys.listVersions('t')).map((v) => v.version)).toEqual([1, 2]);
    expect(await keys.getPolicy('t')).toMatchObject({ latestVersion: 2 });
    expect(
      (await store.db.selectFrom('tenants').select('name').where('id', '=', 't').executeTakeFirstOrThrow())
        .name,
    ).not.toBe('guarded');
  });

  it('Precondition: a new version is under the root key its predecessor is under', async () => {
    await keys.createKeyring('t', record(1));
    await refuses(keys.addVersion('t', record(2, 2, 'kms:new'), 1), 'KW_CONCURRENT_MODIFICATION');
    expect((await keys.listVersions('t')).map((v) => v.version)).toEqual([1]);
  });

  it('commits a root change all at once: every version moved, the added version the latest and the encryption floor', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    const added = record(3, 3, 'kms:new');
    await keys.commitRootChange('t', {
      toRootId: 'kms:new',
      replaced: [moved(1), moved(2)],
      added: { record: added, expectedLatest: 2 },
    });
    expect(await keys.listVersions('t')).toEqual([
      record(1, 0x41, 'kms:new'),
      record(2, 0x42, 'kms:new'),
      added,
    ]);
    expect(await keys.getPolicy('t')).toEqual({
      latestVersion: 3,
      minEncryptionVersion: 3,
      minDecryptionVersion: 1,
    });
  });

  it('Precondition: a re-wrapped version replaces its old wrapped key only if it is still under the root it was re-wrapped from', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    const before = await keys.listVersions('t');
    await refuses(
      keys.commitRootChange('t', { toRootId: 'kms:new', replaced: [moved(1), moved(2, 'kms:other')] }),
      'KW_CONCURRENT_MODIFICATION',
    );
    await refuses(
      keys.commitRootChange('t', {
        toRootId: 'kms:new',
        replaced: [moved(1), moved(2)],
        added: { record: record(3, 3, 'kms:new'), expectedLatest: 1 },
      }),
      'KW_CONCURRENT_MODIFICATION',
    );
    expect(await keys.listVersions('t')).toEqual(before);
    expect((await keys.getPolicy('t'))?.latestVersion).toBe(2);
  });

  it('Precondition: no version is left under another root after a root change (a stray version is named as such)', async () => {
    await keys.createKeyring('t', record(1));
    await keys.addVersion('t', record(2), 1);
    const before = await keys.listVersions('t');
    const error = await keys.commitRootChange('t', { toRootId: 'kms:new', replaced: [moved(1)] }).then(
      () => undefined,
      (caught: unknown) => caught as KeywardError,
    );
    expect(error).toMatchObject({
      code: 'KW_CONCURRENT_MODIFICATION',
      details: { version: 2, conflict: STRAY_VERSION },
    });
    expect(await keys.listVersions('t')).toEqual(before);
  });

  it("answers which tenants and roots are in use: a root rotation's work list, retirement and the platform view", async () => {
    await keys.createKeyring('t', record(1, 1, 'kms:a'));
    await keys.createKeyring('u', record(1, 1, 'kms:b'));
    await keys.addVersion('u', record(2, 2, 'kms:b'), 1);
    expect(await keys.tenantsUnder(['kms:a', 'kms:b'])).toEqual(['t', 'u']);
    expect(await keys.tenantsUnder(['kms:b'])).toEqual(['u']);
    expect(await keys.tenantsUnder([])).toEqual([]);
    expect(await keys.rootInUse('kms:a')).toBe(true);
    expect(await keys.rootInUse('kms:c')).toBe(false);
    expect(await keys.tenantCountsByRoot()).toEqual(
      new Map([
        ['kms:a', 1],
        ['kms:b', 1],
      ]),
    );
  });

  it('serves createKeyward end to end: encrypt, rotate, floors, rewrap, a second instance sharing the store', async () => {
    const root = new LocalRootKey(randomBytes(32));
    const a = createKeyward({ store: keys, rootKeys: root });
    const b = createKeyward({ store: new SqlTenantKeyStore(store.db), rootKeys: root });
    try {
      await a.createTenantKey('t');
      const old = await a.encryptText('t', 'hello', { row: '1' });
      await b.rotateTenantKey('t');
      const fresh = await a.rewrap('t', old, { row: '1' });
      expect(fresh.startsWith('kw1:')).toBe(true);
      await a.setFloors('t', { minDecryptionVersion: 2 });
      expect((await b.decrypt('t', fresh, { row: '1' })).toString()).toBe('hello');
      await refuses(a.decrypt('t', old, { row: '1' }), 'KW_KEY_VERSION_TOO_OLD');
    } finally {
      a.close();
      b.close();
    }
  });
});
