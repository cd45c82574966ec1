import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeywardError } from './errors.js';
import { LocalRootKey } from './keys/local-root-key.js';
import { MemoryTenantKeyStore } from './keys/memory-store.js';
import type { RootKey } from './keys/root-key.js';
import type { TenantKeyStore } from './keys/tenant-key-store.js';
import { SecretKey } from './keys/secret-key.js';
import { createKeyward } from './keyward.js';
import { failure, instances, setup, versionOf } from './keyward.test-support.js';

describe('createKeyward: root keys and concurrency', () => {
  it('rewrapTenantKeys moves every version to a new root; the old root can no longer be used; the new one reads old ciphertexts', async () => {
    const { keyward, root, store, peer } = setup();
    await keyward.createTenantKey('acme');
    const v1 = await keyward.encrypt('acme', 'one');
    await keyward.rotateTenantKey('acme');
    const v2 = await keyward.encryptText('acme', 'two');
    const next = new LocalRootKey(randomBytes(32));
    expect(await keyward.rewrapTenantKeys('acme', root, next)).toEqual({ rewrapped: 2 });
    expect((await store.listVersions('acme')).map((version) => version.rootKeyId)).toEqual([next.id, next.id]);
    // The instance still configured with the old root: the key was evicted and cannot be unwrapped again.
    await failure(keyward.decrypt('acme', v1), 'KW_ROOT_KEY_MISMATCH');
    const switched = peer({ rootKeys: () => next });
    expect((await switched.decrypt('acme', v1)).toString()).toBe('one');
    expect((await switched.decrypt('acme', v2)).toString()).toBe('two');
    // Running it again finds nothing left to move.
    expect(await switched.rewrapTenantKeys('acme', root, next)).toEqual({ rewrapped: 0 });
  });

  it('refuses a version wrapped by a root key the resolver does not know with KW_ROOT_KEY_MISMATCH', async () => {
    const { keyward, root, peer } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    const stranger = new LocalRootKey(randomBytes(32));
    const error = await failure(peer({ rootKeys: stranger }).decrypt('acme', ciphertext), 'KW_ROOT_KEY_MISMATCH');
    expect(error.details).toMatchObject({ tenantId: 'acme', version: 1, wrappedBy: root.id, configured: stranger.id });
    // Re-wrapping from a root that did not wrap the versions (to a third one) is refused too.
    await failure(keyward.rewrapTenantKeys('acme', stranger, new LocalRootKey(randomBytes(32))), 'KW_ROOT_KEY_MISMATCH');
    expect((await keyward.decrypt('acme', ciphertext)).toString()).toBe('x');
  });

  it('Precondition: the new wrapped key unwraps to the same tenant key before the old one is dropped', async () => {
    const { keyward, root, store } = setup();
    await keyward.createTenantKey('acme');
    const before = await store.listVersions('acme');
    const real = new LocalRootKey(randomBytes(32));
    const faulty: RootKey = {
      kind: 'local', id: 'local:faulty', generateTenantKey: (context) => real.generateTenantKey(context), wrap: (key, context) => real.wrap(key, context),
      unwrap: () => Promise.resolve(new SecretKey(randomBytes(32))),
    };
    await failure(keyward.rewrapTenantKeys('acme', root, faulty), 'KW_ROOT_KEY_UNWRAP_FAILED');
    expect(await store.listVersions('acme')).toEqual(before);
  });

  it('lets exactly one of two concurrent rotations win; the other fails with KW_CONCURRENT_MODIFICATION', async () => {
    // Both instances read the policy before either appends: the store holds each append until both arrived.
    let arrived = 0;
    let bothArrived!: () => void;
    const barrier = new Promise<void>((resolve) => (bothArrived = resolve));
    const store = new (class extends MemoryTenantKeyStore {
      override async addVersion(...args: Parameters<MemoryTenantKeyStore['addVersion']>): Promise<void> {
        if (++arrived === 2) bothArrived();
        await barrier;
        return super.addVersion(...args);
      }
    })();
    const { keyward, peer } = setup({ store });
    await keyward.createTenantKey('acme');
    const outcomes = await Promise.allSettled([keyward.rotateTenantKey('acme'), peer().rotateTenantKey('acme')]);
    expect(arrived).toBe(2);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(KeywardError);
    expect((lost?.reason as KeywardError).code).toBe('KW_CONCURRENT_MODIFICATION');
    expect((await keyward.listKeyVersions('acme')).versions.map((version) => version.version)).toEqual([1, 2]);
  });

  it('Precondition: key material is live when used — concurrent callers succeed even when the cache is smaller than the working set', async () => {
    const { keyward } = setup({ cache: { maxEntries: 1 } });
    const tenants = Array.from({ length: 8 }, (_, i) => `t${i}`);
    for (const tenantId of tenants) await keyward.createTenantKey(tenantId);
    const outcomes = await Promise.allSettled(tenants.map((tenantId) => keyward.encrypt(tenantId, tenantId)));
    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toEqual([]);
  });

  it('serves concurrent callers of two tenants with a one-entry cache by loading the evicted key again', async () => {
    const { keyward } = setup({ cache: { maxEntries: 1 } });
    await keyward.createTenantKey('a');
    await keyward.createTenantKey('b');
    const [a, b] = await Promise.all([keyward.encrypt('a', 'A'), keyward.encrypt('b', 'B')]);
    expect((await keyward.decrypt('a', a)).toString() + (await keyward.decrypt('b', b)).toString()).toBe('AB');
  });

  it('after close() every operation refuses with KW_CLOSED and nothing is cached again', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    keyward.close();
    for (const call of [keyward.encrypt('acme', 'x'), keyward.decrypt('acme', ciphertext), keyward.rewrap('acme', ciphertext), keyward.generateDataKey('acme'), keyward.rotateTenantKey('acme'), keyward.listKeyVersions('acme'), keyward.setFloors('acme', {}), keyward.createTenantKey('other')]) {
      await failure(call, 'KW_CLOSED');
    }
    expect(keyward.stats().entries).toBe(0);
  });

  it('encrypt with a keyVersion from a rotation on another instance re-reads the policy instead of refusing it as too new', async () => {
    const { keyward, peer } = setup();
    await keyward.createTenantKey('acme');
    await keyward.encrypt('acme', 'warm the policy cache');
    await peer().rotateTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'under v2', undefined, { keyVersion: 2 });
    expect(versionOf(ciphertext)).toBe(2);
    await failure(keyward.encrypt('acme', 'x', undefined, { keyVersion: 3 }), 'KW_KEY_VERSION_TOO_NEW');
  });

  it('creating an existing tenant is refused before any root key call', async () => {
    const { store, root } = setup();
    let generated = 0;
    const counting: RootKey = { kind: root.kind, id: root.id, generateTenantKey: (c) => (generated++, root.generateTenantKey(c)), wrap: (k, c) => root.wrap(k, c), unwrap: (w, c) => root.unwrap(w, c) };
    const keyward = createKeyward({ store, rootKeys: counting });
    instances.push(keyward);
    await keyward.createTenantKey('acme');
    await failure(keyward.createTenantKey('acme'), 'KW_TENANT_EXISTS');
    expect(generated).toBe(1);
  });

  it('rewrapTenantKeys refuses with KW_CONCURRENT_MODIFICATION when another re-wrap moved a version first, leaving the store as the other left it', async () => {
    const { keyward, store, root } = setup();
    await keyward.createTenantKey('acme');
    const first = new LocalRootKey(randomBytes(32));
    const second = new LocalRootKey(randomBytes(32));
    // A re-wrap to `second` whose store write lands after a concurrent re-wrap to `first` finished.
    const slowStore: TenantKeyStore = {
      getPolicy: (tenantId) => store.getPolicy(tenantId),
      getVersion: (tenantId, version) => store.getVersion(tenantId, version),
      listVersions: (tenantId) => store.listVersions(tenantId),
      createKeyring: (tenantId, record) => store.createKeyring(tenantId, record),
      addVersion: (tenantId, record, expected) => store.addVersion(tenantId, record, expected),
      setPolicy: (tenantId, policy, expected) => store.setPolicy(tenantId, policy, expected),
      replaceWrappedKeys: async (tenantId, records, expected) => {
        await keyward.rewrapTenantKeys('acme', root, first);
        return store.replaceWrappedKeys(tenantId, records, expected);
      },
    };
    const racing = createKeyward({ store: slowStore, rootKeys: root });
    instances.push(racing);
    await failure(racing.rewrapTenantKeys('acme', root, second), 'KW_CONCURRENT_MODIFICATION');
    expect((await store.listVersions('acme')).map((version) => version.rootKeyId)).toEqual([first.id]);
  });
});
