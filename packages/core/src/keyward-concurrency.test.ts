import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeywardError } from './errors.js';
import { LocalRootKey } from './keys/local-root-key.js';
import { MemoryTenantKeyStore } from './keys/memory-store.js';
import type { RootKey } from './keys/root-key.js';
import type { TenantKeyStore } from './keys/tenant-key-store.js';
import { SecretKey } from './keys/secret-key.js';
import { createKeyward, type Keyward } from './keyward.js';
import { failure, gate, instances, rootLike, setup, versionOf } from './keyward.test-support.js';

describe('createKeyward: root keys and concurrency', () => {
  it('rewrapTenantKeys moves every version to a new root; the old root can no longer be used; the new one reads old ciphertexts', async () => {
    const { keyward, root, store, peer } = setup();
    await keyward.createTenantKey('acme');
    const v1 = await keyward.encrypt('acme', 'one');
    await keyward.rotateTenantKey('acme');
    const v2 = await keyward.encryptText('acme', 'two');
    const next = new LocalRootKey(randomBytes(32));
    expect(await keyward.rewrapTenantKeys('acme', root, next)).toEqual({ rewrapped: 2 });
    expect((await store.listVersions('acme')).map((version) => version.rootKeyId)).toEqual([
      next.id,
      next.id,
    ]);
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
    const error = await failure(
      peer({ rootKeys: stranger }).decrypt('acme', ciphertext),
      'KW_ROOT_KEY_MISMATCH',
    );
    expect(error.details).toMatchObject({
      tenantId: 'acme',
      version: 1,
      wrappedBy: root.id,
      configured: stranger.id,
    });
    // Re-wrapping from a root that did not wrap the versions (to a third one) is refused too.
    await failure(
      keyward.rewrapTenantKeys('acme', stranger, new LocalRootKey(randomBytes(32))),
      'KW_ROOT_KEY_MISMATCH',
    );
    expect((await keyward.decrypt('acme', ciphertext)).toString()).toBe('x');
  });

  it('a re-wrap committed between reading a version and resolving its root is read again, not refused', async () => {
    const { keyward, root, store, peer } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    const next = new LocalRootKey(randomBytes(32));
    await keyward.rewrapTenantKeys('acme', root, next);
    // The resolver still answers with the old root once (it read the tenant's state before the re-wrap), then the new one.
    let calls = 0;
    const reader = peer({ rootKeys: () => (++calls === 1 ? root : next) });
    expect((await reader.decrypt('acme', ciphertext)).toString()).toBe('x');
    expect(calls).toBe(2);
    expect((await store.listVersions('acme'))[0]!.rootKeyId).toBe(next.id);
  });

  it('Precondition: the new wrapped key unwraps to the same tenant key before the old one is dropped', async () => {
    const { keyward, root, store } = setup();
    await keyward.createTenantKey('acme');
    const before = await store.listVersions('acme');
    const real = new LocalRootKey(randomBytes(32));
    const faulty: RootKey = {
      kind: 'local',
      id: 'local:faulty',
      generateTenantKey: (context) => real.generateTenantKey(context),
      wrap: (key, context) => real.wrap(key, context),
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
    const outcomes = await Promise.allSettled([
      keyward.rotateTenantKey('acme'),
      peer().rotateTenantKey('acme'),
    ]);
    expect(arrived).toBe(2);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const lost = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(lost?.reason).toBeInstanceOf(KeywardError);
    expect((lost?.reason as KeywardError).code).toBe('KW_CONCURRENT_MODIFICATION');
    expect((await keyward.listKeyVersions('acme')).versions.map((version) => version.version)).toEqual([
      1, 2,
    ]);
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
    expect((await keyward.decrypt('a', a)).toString() + (await keyward.decrypt('b', b)).toString()).toBe(
      'AB',
    );
  });

  it('after close() every operation refuses with KW_CLOSED and nothing is cached again', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    keyward.close();
    for (const call of [
      keyward.encrypt('acme', 'x'),
      keyward.decrypt('acme', ciphertext),
      keyward.rewrap('acme', ciphertext),
      keyward.generateDataKey('acme'),
      keyward.rotateTenantKey('acme'),
      keyward.listKeyVersions('acme'),
      keyward.setFloors('acme', {}),
      keyward.createTenantKey('other'),
    ]) {
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
    const counting: RootKey = {
      kind: root.kind,
      id: root.id,
      generateTenantKey: (c) => (generated++, root.generateTenantKey(c)),
      wrap: (k, c) => root.wrap(k, c),
      unwrap: (w, c) => root.unwrap(w, c),
    };
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
      commitRootChange: async (tenantId, change, guard) => {
        await keyward.rewrapTenantKeys('acme', root, first);
        return store.commitRootChange(tenantId, change, guard);
      },
    };
    const racing = createKeyward({ store: slowStore, rootKeys: root });
    instances.push(racing);
    await failure(racing.rewrapTenantKeys('acme', root, second), 'KW_CONCURRENT_MODIFICATION');
    expect((await store.listVersions('acme')).map((version) => version.rootKeyId)).toEqual([first.id]);
  });

  it('a rotation racing setFloors cannot put the old floor back in the cache: the retired version stays refused', async () => {
    const real = new LocalRootKey(randomBytes(32));
    const slowKey = gate();
    let holding = false;
    const rootKeys = rootLike(real, {
      generateTenantKey: async (context) => {
        if (holding) await slowKey.pass();
        return real.generateTenantKey(context);
      },
    });
    const { keyward } = setup({ rootKeys });
    await keyward.createTenantKey('acme');
    const v1 = await keyward.encrypt('acme', 'retired');
    await keyward.rotateTenantKey('acme');
    // The rotation reads the policy (latest 2, decryption floor 1), then waits for its new key…
    holding = true;
    const rotating = keyward.rotateTenantKey('acme');
    await slowKey.reached;
    // …while version 1 is retired.
    expect(await keyward.setFloors('acme', { minDecryptionVersion: 2 })).toEqual({
      latestVersion: 2,
      minEncryptionVersion: 0,
      minDecryptionVersion: 2,
    });
    slowKey.open();
    expect((await rotating).version).toBe(3);
    await failure(keyward.decrypt('acme', v1), 'KW_KEY_VERSION_TOO_OLD');
    expect(await keyward.listKeyVersions('acme')).toMatchObject({
      latestVersion: 3,
      minDecryptionVersion: 2,
    });
  });

  it('a policy load that read the store before setFloors cannot overwrite the new floor once setFloors resolved', async () => {
    const slowRead = gate();
    let holding = false;
    // A store whose (next) policy read returns what it read at call time, later: a database round trip.
    const store = new (class extends MemoryTenantKeyStore {
      override async getPolicy(tenantId: string) {
        const policy = await super.getPolicy(tenantId);
        if (holding) {
          holding = false;
          await slowRead.pass();
        }
        return policy;
      }
    })();
    const { keyward } = setup({ store });
    await keyward.createTenantKey('acme');
    const v1 = await keyward.encrypt('acme', 'retired');
    await keyward.rotateTenantKey('acme');
    keyward.evict('acme');
    holding = true;
    // Not cached: this decrypt loads the policy (latest 2, decryption floor 1), and the read is held.
    const begunBefore = keyward.decrypt('acme', v1);
    await slowRead.reached;
    await keyward.setFloors('acme', { minDecryptionVersion: 2 });
    slowRead.open();
    // The decrypt begun before the change may finish either way; what it read must not be cached.
    await begunBefore.then(
      () => undefined,
      () => undefined,
    );
    await failure(keyward.decrypt('acme', v1), 'KW_KEY_VERSION_TOO_OLD');
  });

  it('an encrypt or decrypt in flight when close() is called is refused with KW_CLOSED, caches nothing, and its unwrapped key is zeroed', async () => {
    const real = new LocalRootKey(randomBytes(32));
    const unwrapped: SecretKey[] = [];
    const slowUnwrap = gate();
    let holding = false;
    const rootKeys = rootLike(real, {
      unwrap: async (wrapped, context) => {
        const key = await real.unwrap(wrapped, context);
        unwrapped.push(key);
        if (holding) await slowUnwrap.pass();
        return key;
      },
    });
    const { keyward: writer, peer } = setup({ rootKeys });
    await writer.createTenantKey('acme');
    const ciphertext = await writer.encrypt('acme', 'secret');
    writer.close();
    const unwraps = unwrapped.length;
    // Closed while the policy is being read (a cold instance): the root key is not even asked.
    for (const start of [
      (keyward: Keyward) => keyward.encrypt('acme', 'x'),
      (keyward: Keyward) => keyward.decrypt('acme', ciphertext),
    ]) {
      const keyward = peer();
      const pending = start(keyward);
      keyward.close();
      await failure(pending, 'KW_CLOSED');
      expect(keyward.stats().entries).toBe(0);
    }
    expect(unwrapped.length).toBe(unwraps);
    // Closed while the tenant key is being unwrapped: it arrives after close(), and is zeroed rather than cached.
    const keyward = peer();
    holding = true;
    const pending = keyward.decrypt('acme', ciphertext);
    await slowUnwrap.reached;
    keyward.close();
    slowUnwrap.open();
    await failure(pending, 'KW_CLOSED');
    expect(keyward.stats().entries).toBe(0);
    expect(unwrapped.length).toBe(unwraps + 1);
    expect(unwrapped.map((key) => key.zeroed)).toEqual(unwrapped.map(() => true));
  });

  it('rewrapTenantKeys also re-wraps a version that a rotation added under the old root while it ran', async () => {
    const { keyward, root, store, peer } = setup();
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    const cmk = new LocalRootKey(randomBytes(32));
    const firstWrap = gate();
    let wraps = 0;
    const to = rootLike(cmk, {
      wrap: async (key, context) => {
        if (wraps++ === 0) await firstWrap.pass();
        return cmk.wrap(key, context);
      },
    });
    const rewrapping = keyward.rewrapTenantKeys('acme', root, to);
    // Versions 1 and 2 are listed under the old root; another instance rotates before they are replaced.
    await firstWrap.reached;
    expect(await peer().rotateTenantKey('acme')).toMatchObject({ version: 3, rootKeyId: root.id });
    firstWrap.open();
    expect(await rewrapping).toEqual({ rewrapped: 3 });
    expect((await store.listVersions('acme')).map((version) => version.rootKeyId)).toEqual([
      cmk.id,
      cmk.id,
      cmk.id,
    ]);
    // The re-wrap reported success: the tenant switches to the new root, and encrypts under the latest version.
    const switched = peer({ rootKeys: () => cmk });
    const ciphertext = await switched.encrypt('acme', 'after the switch');
    expect(versionOf(ciphertext)).toBe(3);
    expect((await switched.decrypt('acme', ciphertext)).toString()).toBe('after the switch');
  });
});

describe('createKeyward: rewrap and other instances', () => {
  it("rewrap reaches the newest version even when another instance rotated and this one's policy is cached", async () => {
    const { keyward, peer } = setup();
    await keyward.createTenantKey('acme');
    const old = await keyward.encryptText('acme', 'data');
    await peer().rotateTenantKey('acme');
    const fresh = await keyward.rewrap('acme', old);
    expect(versionOf(fresh)).toBe(2);
    expect((await keyward.decrypt('acme', fresh)).toString()).toBe('data');
  });
});
