import { randomBytes } from 'node:crypto';
import { createKeyward, LocalRootKey, type KeywardError, type WrappedKeyVersion } from '@keyward/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqlTenantKeyStore, type Store } from '../../src/index.js';
import { BACKENDS, refuses } from './backends.js';

const record = (version: number, byte = version, rootKeyId = 'local:root'): WrappedKeyVersion => ({
  version,
  wrappedKey: Uint8Array.from({ length: 61 }, () => byte),
  rootKeyId,
  createdAt: new Date(Date.UTC(2026, 0, version)),
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
