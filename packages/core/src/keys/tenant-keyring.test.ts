import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { MAX_KEY_VERSION } from '../envelope/format.js';
import { KeywardError } from '../errors.js';
import { failure, rootLike } from '../keyward.test-support.js';
import { silentLogger } from '../logger.js';
import { LocalRootKey } from './local-root-key.js';
import { MemoryTenantKeyStore } from './memory-store.js';
import type { RootKey } from './root-key.js';
import { SecretKey } from './secret-key.js';
import type { KeyChange } from './tenant-key-store.js';
import { TenantKeyring } from './tenant-keyring.js';

function keyringOn(root: RootKey, store = new MemoryTenantKeyStore()) {
  return { store, keyring: new TenantKeyring(store, root, new ManualClock(0), silentLogger) };
}

/** A root key that counts its KMS-like calls. */
function counting(inner: RootKey) {
  const calls = { generate: 0, wrap: 0, unwrap: 0 };
  const root = rootLike(inner, {
    generateTenantKey: (context) => (calls.generate++, inner.generateTenantKey(context)),
    wrap: (key, context) => (calls.wrap++, inner.wrap(key, context)),
    unwrap: (wrapped, context) => (calls.unwrap++, inner.unwrap(wrapped, context)),
  });
  return { root, calls };
}

describe('TenantKeyring', () => {
  it('Precondition: a new version is above the latest and fits the ciphertext header’s 32-bit field', async () => {
    const root = new LocalRootKey(randomBytes(32));
    const { store, keyring } = keyringOn(root);
    const { wrappedKey } = await root.generateTenantKey({ tenantId: 't', version: MAX_KEY_VERSION });
    await store.createKeyring('t', {
      version: MAX_KEY_VERSION,
      wrappedKey,
      rootKeyId: root.id,
      createdAt: new Date(0),
    });
    await failure(keyring.rotate('t'), 'KW_INVALID_ARGUMENT');
    expect((await store.listVersions('t')).map((v) => v.version)).toEqual([MAX_KEY_VERSION]);
  });

  it('Precondition: floors only as allowed — an invalid update reaches neither the store nor the guard', async () => {
    const { keyring, store } = keyringOn(new LocalRootKey(randomBytes(32)));
    await keyring.create('t');
    let guarded = 0;
    const guard = () => Promise.resolve(void guarded++);
    await failure(keyring.setFloors('t', { minDecryptionVersion: 2 }, { guard }), 'KW_FLOORS_INVALID');
    await failure(keyring.setFloors('t', { minEncryptionVersion: 2 }, { guard }), 'KW_FLOORS_INVALID');
    expect(guarded).toBe(0);
    expect(await store.getPolicy('t')).toEqual({
      latestVersion: 1,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
  });

  it('passes each change to its guard: create, rotate, floors and a move, with what the guard needs to audit', async () => {
    const old = new LocalRootKey(randomBytes(32));
    const next = new LocalRootKey(randomBytes(32));
    const { keyring } = keyringOn(old);
    const seen: KeyChange[] = [];
    const guard = (_tx: unknown, change: KeyChange) => Promise.resolve(void seen.push(change));
    await keyring.create('t', { guard });
    await keyring.rotate('t', { guard });
    await keyring.setFloors('t', { minDecryptionVersion: 2 }, { guard });
    const moved = await keyring.moveToRoot('t', { to: next, from: () => old, addVersion: true, guard });
    expect(seen.map((change) => change.kind)).toEqual(['create', 'rotate', 'floors', 'root']);
    const root = seen[3] as Extract<KeyChange, { kind: 'root' }>;
    expect(root.change.replaced.map((v) => [v.version, v.fromRootId, v.rootKeyId])).toEqual([
      [1, old.id, next.id],
      [2, old.id, next.id],
    ]);
    expect(root.change.added).toMatchObject({
      expectedLatest: 2,
      record: { version: 3, rootKeyId: next.id },
    });
    expect(moved).toMatchObject({ rewrapped: 2, added: { version: 3, rootKeyId: next.id } });
    expect(await keyring.list('t')).toMatchObject({
      latestVersion: 3,
      minEncryptionVersion: 3,
      minDecryptionVersion: 2,
    });
  });

  it('Precondition: the new wrapped key unwraps to the same tenant key before the old one is dropped (the guard never runs)', async () => {
    const old = new LocalRootKey(randomBytes(32));
    const { keyring, store } = keyringOn(old);
    await keyring.create('t');
    const before = await store.listVersions('t');
    const real = new LocalRootKey(randomBytes(32));
    const faulty = rootLike(real, { unwrap: () => Promise.resolve(new SecretKey(randomBytes(32))) });
    let guarded = 0;
    await failure(
      keyring.moveToRoot('t', { to: faulty, from: () => old, guard: () => Promise.resolve(void guarded++) }),
      'KW_ROOT_KEY_UNWRAP_FAILED',
    );
    expect(guarded).toBe(0);
    expect(await store.listVersions('t')).toEqual(before);
  });

  it('Precondition: no version is left under another root after a root change — a root the move may not come from is refused before any KMS call', async () => {
    const old = new LocalRootKey(randomBytes(32));
    const { keyring, store } = keyringOn(old);
    await keyring.create('t');
    await keyring.rotate('t');
    const { root: to, calls } = counting(new LocalRootKey(randomBytes(32)));
    await failure(
      keyring.moveToRoot('t', {
        to,
        from: (record) => {
          if (record.version === 2) throw new KeywardError('KW_ROOT_KEY_MISMATCH');
          return old;
        },
      }),
      'KW_ROOT_KEY_MISMATCH',
    );
    expect(calls).toEqual({ generate: 0, wrap: 0, unwrap: 0 });
    expect((await store.listVersions('t')).map((v) => v.rootKeyId)).toEqual([old.id, old.id]);
  });

  it('reports progress as it re-wraps: 0 of n first, then each version', async () => {
    const old = new LocalRootKey(randomBytes(32));
    const { keyring } = keyringOn(old);
    await keyring.create('t');
    await keyring.rotate('t');
    const progress: Array<[number, number]> = [];
    await keyring.moveToRoot('t', {
      to: new LocalRootKey(randomBytes(32)),
      from: () => old,
      progress: (done, total) => Promise.resolve(void progress.push([done, total])),
    });
    expect(progress).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
  });

  it('the cold path reads the version once and tells the resolver which root the store names', async () => {
    const root = new LocalRootKey(randomBytes(32));
    const store = new (class extends MemoryTenantKeyStore {
      reads = 0;
      override getVersion(tenantId: string, version: number) {
        this.reads++;
        return super.getVersion(tenantId, version);
      }
    })();
    const asked: Array<string | undefined> = [];
    const keyring = new TenantKeyring(
      store,
      (_tenantId: string, wrappedBy?: string) => (asked.push(wrappedBy), root),
      new ManualClock(0),
      silentLogger,
    );
    await keyring.create('t');
    const material = await keyring.load('t', 1);
    expect(material.version).toBe(1);
    material.dispose();
    expect(store.reads).toBe(1);
    expect(asked).toEqual([undefined, root.id]);
  });
});
