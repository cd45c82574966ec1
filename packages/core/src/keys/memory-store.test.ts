import { describe, expect, it } from 'vitest';
import { failure } from '../keyward.test-support.js';
import { MemoryTenantKeyStore } from './memory-store.js';
import type { WrappedKeyVersion } from './tenant-key-store.js';

const record = (version: number, fill = version, rootKeyId = 'local:root'): WrappedKeyVersion => ({
  version,
  wrappedKey: new Uint8Array(8).fill(fill),
  rootKeyId,
  createdAt: new Date(Date.UTC(2025, 0, version)),
});

async function withTwoVersions(): Promise<MemoryTenantKeyStore> {
  const store = new MemoryTenantKeyStore();
  await store.createKeyring('t', record(1));
  await store.addVersion('t', record(2), 1);
  return store;
}

describe('MemoryTenantKeyStore', () => {
  it('creates a keyring at version 1 with no encryption floor and decryption from version 1', async () => {
    const store = new MemoryTenantKeyStore();
    expect(await store.getPolicy('t')).toBeUndefined();
    await store.createKeyring('t', record(1));
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 1,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
    expect(await store.getVersion('t', 1)).toEqual(record(1));
    expect(await store.getVersion('t', 2)).toBeUndefined();
    expect(await store.getVersion('other', 1)).toBeUndefined();
  });

  it('refuses to create a keyring twice with KW_TENANT_EXISTS, keeping the first', async () => {
    const store = new MemoryTenantKeyStore();
    await store.createKeyring('t', record(1, 1));
    await failure(store.createKeyring('t', record(1, 9)), 'KW_TENANT_EXISTS');
    expect((await store.getVersion('t', 1))?.wrappedKey).toEqual(new Uint8Array(8).fill(1));
  });

  it('addVersion appends version n + 1 when the latest is still n', async () => {
    const store = await withTwoVersions();
    expect((await store.getPolicy('t'))?.latestVersion).toBe(2);
    expect((await store.listVersions('t')).map((version) => version.version)).toEqual([1, 2]);
  });

  it('addVersion refuses a stale expected latest with KW_CONCURRENT_MODIFICATION (compare-and-set)', async () => {
    const store = await withTwoVersions();
    await failure(store.addVersion('t', record(2, 7), 1), 'KW_CONCURRENT_MODIFICATION');
    await failure(store.addVersion('t', record(3), 1), 'KW_CONCURRENT_MODIFICATION');
    expect((await store.getVersion('t', 2))?.wrappedKey).toEqual(new Uint8Array(8).fill(2));
    expect((await store.getPolicy('t'))?.latestVersion).toBe(2);
  });

  it('addVersion refuses a record that is not exactly the next version with KW_CONCURRENT_MODIFICATION', async () => {
    const store = await withTwoVersions();
    await failure(store.addVersion('t', record(4), 2), 'KW_CONCURRENT_MODIFICATION');
    await failure(store.addVersion('t', record(2), 2), 'KW_CONCURRENT_MODIFICATION');
    expect((await store.listVersions('t')).map((version) => version.version)).toEqual([1, 2]);
  });

  it('addVersion keeps the floors as they are', async () => {
    const store = await withTwoVersions();
    await store.setPolicy(
      't',
      { latestVersion: 2, minEncryptionVersion: 2, minDecryptionVersion: 2 },
      { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 1 },
    );
    await store.addVersion('t', record(3), 2);
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 3,
      minEncryptionVersion: 2,
      minDecryptionVersion: 2,
    });
  });

  it('setPolicy replaces the policy only if it is still the expected one (compare-and-set)', async () => {
    const store = await withTwoVersions();
    const current = { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    const stale = { latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    await failure(
      store.setPolicy('t', { ...current, minDecryptionVersion: 2 }, stale),
      'KW_CONCURRENT_MODIFICATION',
    );
    expect(await store.getPolicy('t')).toEqual(current);
    await store.setPolicy('t', { ...current, minDecryptionVersion: 2 }, current);
    expect(await store.getPolicy('t')).toEqual({ ...current, minDecryptionVersion: 2 });
    // The old "current" is now stale.
    await failure(store.setPolicy('t', current, current), 'KW_CONCURRENT_MODIFICATION');
  });

  it('replaceWrappedKeys replaces every given version at once', async () => {
    const store = await withTwoVersions();
    await store.replaceWrappedKeys('t', [record(1, 0xa1, 'local:new'), record(2, 0xa2, 'local:new')]);
    const versions = await store.listVersions('t');
    expect(versions.map((version) => [version.version, version.rootKeyId, version.wrappedKey[0]])).toEqual([
      [1, 'local:new', 0xa1],
      [2, 'local:new', 0xa2],
    ]);
  });

  it('replaceWrappedKeys is all-or-nothing: one unknown version leaves every version as it was', async () => {
    const store = await withTwoVersions();
    const before = await store.listVersions('t');
    const error = await failure(
      store.replaceWrappedKeys('t', [
        record(1, 0xa1, 'local:new'),
        record(9, 0xa9, 'local:new'),
        record(2, 0xa2, 'local:new'),
      ]),
      'KW_KEY_VERSION_NOT_FOUND',
    );
    expect(error.details).toEqual({ version: 9 });
    expect(await store.listVersions('t')).toEqual(before);
  });

  it.each([
    ['addVersion', (store: MemoryTenantKeyStore) => store.addVersion('nobody', record(2), 1)],
    [
      'setPolicy',
      (store: MemoryTenantKeyStore) =>
        store.setPolicy(
          'nobody',
          { latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 },
          { latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 },
        ),
    ],
    ['replaceWrappedKeys', (store: MemoryTenantKeyStore) => store.replaceWrappedKeys('nobody', [record(1)])],
  ])('%s on an unknown tenant fails with KW_TENANT_NOT_FOUND', async (_name, run) => {
    await failure(run(await withTwoVersions()), 'KW_TENANT_NOT_FOUND');
  });

  it('lists versions in ascending order, and none for an unknown tenant', async () => {
    const store = await withTwoVersions();
    await store.addVersion('t', record(3), 2);
    expect((await store.listVersions('t')).map((version) => version.version)).toEqual([1, 2, 3]);
    expect(await store.listVersions('nobody')).toEqual([]);
  });

  it('returns copies: changing a returned record, list entry or policy does not change the store', async () => {
    const store = await withTwoVersions();
    const got = await store.getVersion('t', 1);
    got!.wrappedKey.fill(0xff);
    got!.createdAt.setTime(0);
    got!.rootKeyId = 'changed';
    const listed = await store.listVersions('t');
    listed[1]!.wrappedKey.fill(0xff);
    listed.pop();
    const policy = await store.getPolicy('t');
    policy!.latestVersion = 99;
    expect(await store.getVersion('t', 1)).toEqual(record(1));
    expect(await store.getVersion('t', 2)).toEqual(record(2));
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 2,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
  });

  it("keeps copies of what it is given: changing the caller's record afterwards does not change the store", async () => {
    const store = new MemoryTenantKeyStore();
    const first = record(1);
    await store.createKeyring('t', first);
    const second = record(2);
    await store.addVersion('t', second, 1);
    const replacement = record(2, 0xa2);
    await store.replaceWrappedKeys('t', [replacement]);
    for (const given of [first, second, replacement]) {
      given.wrappedKey.fill(0);
      given.createdAt.setTime(0);
    }
    expect(await store.getVersion('t', 1)).toEqual(record(1));
    expect(await store.getVersion('t', 2)).toEqual(record(2, 0xa2));
  });
});
