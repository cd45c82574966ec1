import { describe, expect, it } from 'vitest';
import { failure } from '../keyward.test-support.js';
import { MemoryTenantKeyStore } from './memory-store.js';
import { STRAY_VERSION, type KeyChange, type WrappedKeyVersion } from './tenant-key-store.js';

const record = (version: number, fill = version, rootKeyId = 'local:old'): WrappedKeyVersion => ({
  version,
  wrappedKey: new Uint8Array(8).fill(fill),
  rootKeyId,
  createdAt: new Date(Date.UTC(2025, 0, version)),
});
const moved = (version: number, fromRootId = 'local:old') => ({
  ...record(version, 0x40 + version, 'local:new'),
  fromRootId,
});

async function withTwoVersions(): Promise<MemoryTenantKeyStore> {
  const store = new MemoryTenantKeyStore();
  await store.createKeyring('t', record(1));
  await store.addVersion('t', record(2), 1);
  return store;
}

describe('MemoryTenantKeyStore: units of work with a guard', () => {
  it('runs the guard with the change before committing it; a guard that throws leaves everything as it was', async () => {
    const store = new MemoryTenantKeyStore();
    const seen: KeyChange[] = [];
    await store.createKeyring('t', record(1), (_tx, change) => Promise.resolve(void seen.push(change)));
    expect(seen).toEqual([{ kind: 'create', record: record(1) }]);
    const refuse = () => Promise.reject(new Error('guard says no'));
    await expect(store.addVersion('t', record(2), 1, refuse)).rejects.toThrow('guard says no');
    await expect(
      store.setPolicy(
        't',
        { latestVersion: 1, minEncryptionVersion: 1, minDecryptionVersion: 1 },
        { latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 },
        refuse,
      ),
    ).rejects.toThrow('guard says no');
    await expect(
      store.commitRootChange('t', { toRootId: 'local:new', replaced: [moved(1)] }, refuse),
    ).rejects.toThrow('guard says no');
    expect(await store.listVersions('t')).toEqual([record(1)]);
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 1,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
  });

  it('checks again after the guard: a change that a concurrent writer overtook while the guard ran is refused', async () => {
    const store = await withTwoVersions();
    await failure(
      store.addVersion('t', record(3), 2, () => store.addVersion('t', record(3, 9), 2)),
      'KW_CONCURRENT_MODIFICATION',
    );
    expect((await store.getVersion('t', 3))?.wrappedKey).toEqual(new Uint8Array(8).fill(9));
  });

  it('Precondition: a new version is under the root key its predecessor is under', async () => {
    const store = await withTwoVersions();
    await failure(store.addVersion('t', record(3, 3, 'local:new'), 2), 'KW_CONCURRENT_MODIFICATION');
    expect((await store.listVersions('t')).map((v) => v.version)).toEqual([1, 2]);
  });

  it('commitRootChange moves every version, and an added version becomes the latest and the encryption floor', async () => {
    const store = await withTwoVersions();
    const added = record(3, 3, 'local:new');
    await store.commitRootChange('t', {
      toRootId: 'local:new',
      replaced: [moved(1), moved(2)],
      added: { record: added, expectedLatest: 2 },
    });
    expect(await store.listVersions('t')).toEqual([
      record(1, 0x41, 'local:new'),
      record(2, 0x42, 'local:new'),
      added,
    ]);
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 3,
      minEncryptionVersion: 3,
      minDecryptionVersion: 1,
    });
  });

  it('Precondition: a re-wrapped version replaces its old wrapped key only if it is still under the root it was re-wrapped from', async () => {
    const store = await withTwoVersions();
    const before = await store.listVersions('t');
    await failure(
      store.commitRootChange('t', { toRootId: 'local:new', replaced: [moved(1), moved(2, 'local:other')] }),
      'KW_CONCURRENT_MODIFICATION',
    );
    await failure(
      store.commitRootChange('t', {
        toRootId: 'local:new',
        replaced: [moved(1), moved(2)],
        added: { record: record(3, 3, 'local:new'), expectedLatest: 1 },
      }),
      'KW_CONCURRENT_MODIFICATION',
    );
    await failure(
      store.commitRootChange('t', { toRootId: 'local:new', replaced: [moved(9)] }),
      'KW_KEY_VERSION_NOT_FOUND',
    );
    await failure(
      store.commitRootChange('nobody', { toRootId: 'local:new', replaced: [] }),
      'KW_TENANT_NOT_FOUND',
    );
    expect(await store.listVersions('t')).toEqual(before);
  });

  it('Precondition: no version is left under another root after a root change (a stray version is named as such)', async () => {
    const store = await withTwoVersions();
    const before = await store.listVersions('t');
    const error = await failure(
      store.commitRootChange('t', { toRootId: 'local:new', replaced: [moved(1)] }),
      'KW_CONCURRENT_MODIFICATION',
    );
    expect(error.details).toMatchObject({ version: 2, conflict: STRAY_VERSION });
    expect(await store.listVersions('t')).toEqual(before);
  });
});
