import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.js';
import { failure } from '../keyward.test-support.js';
import { silentLogger } from '../logger.js';
import { LocalRootKey } from './local-root-key.js';
import { MemoryTenantKeyStore } from './memory-store.js';
import { TenantKeyring } from './tenant-keyring.js';
import { LruTtlCache } from '../cache/lru-ttl-cache.js';
import { CachingKeyProvider } from './caching-key-provider.js';
import { TenantKeyCache } from './tenant-key-cache.js';

const providers: CachingKeyProvider[] = [];
afterEach(() => {
  for (const provider of providers.splice(0)) provider.close();
  vi.restoreAllMocks();
});

async function warmed(ttlMs = 60_000) {
  const clock = new ManualClock(1_000);
  const store = new MemoryTenantKeyStore();
  const keyring = new TenantKeyring(store, new LocalRootKey(randomBytes(32)), clock, silentLogger);
  const provider = new CachingKeyProvider(keyring, new TenantKeyCache(clock, { ttlMs }));
  providers.push(provider);
  await provider.create('t');
  await provider.rotate('t');
  // Cold calls load the policy and both versions.
  await provider.withEncryptionKey('t', undefined, () => undefined);
  await provider.withDecryptionKey('t', 1, () => undefined);
  return { clock, provider, keyring, store };
}

describe('CachingKeyProvider', () => {
  it('a warm call is one cache lookup: policy and key come from one entry', async () => {
    const { clock, provider } = await warmed();
    // Linked on first use; from then on one probe each.
    provider.encryptionKey('t', undefined, clock.now());
    provider.decryptionKey('t', 1, clock.now());
    const get = vi.spyOn(LruTtlCache.prototype, 'get');
    expect(provider.encryptionKey('t', undefined, clock.now())?.version).toBe(2);
    expect(get).toHaveBeenCalledTimes(1);
    expect(provider.decryptionKey('t', 1, clock.now())?.version).toBe(1);
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('a key found warm is checked against the policy committed since (floors raised here are seen at once)', async () => {
    const { clock, provider } = await warmed();
    expect(provider.decryptionKey('t', 1, clock.now())?.alive).toBe(true);
    await provider.setFloors('t', { minDecryptionVersion: 2 });
    expect(() => provider.decryptionKey('t', 1, clock.now())).toThrow(
      expect.objectContaining({ code: 'KW_KEY_VERSION_TOO_OLD' }),
    );
    await failure(
      provider.withDecryptionKey('t', 1, () => undefined),
      'KW_KEY_VERSION_TOO_OLD',
    );
  });

  it('a version above the cached latest is not served warm: the cold path asks the store (another instance rotated)', async () => {
    const { clock, provider, keyring } = await warmed();
    await keyring.rotate('t');
    expect(provider.encryptionKey('t', undefined, clock.now())?.version).toBe(2);
    expect(provider.encryptionKey('t', 3, clock.now())).toBeUndefined();
    expect(provider.decryptionKey('t', 3, clock.now())).toBeUndefined();
    expect(await provider.withDecryptionKey('t', 3, (material) => material.version)).toBe(3);
    // The policy read then is cached: encryption moves to the new latest version too.
    expect(provider.encryptionKey('t', undefined, clock.now())?.version).toBe(3);
  });

  it('nothing is served warm after an eviction, a forgotten policy or the TTL', async () => {
    const { clock, provider } = await warmed(5_000);
    provider.evict('t');
    expect(provider.encryptionKey('t', undefined, clock.now())).toBeUndefined();
    await provider.withEncryptionKey('t', undefined, () => undefined);
    expect(provider.encryptionKey('t', undefined, clock.now())?.version).toBe(2);
    await provider.rotate('t');
    expect(provider.encryptionKey('t', undefined, clock.now())).toBeUndefined();
    await provider.withEncryptionKey('t', undefined, () => undefined);
    clock.advance(5_000);
    expect(provider.encryptionKey('t', undefined, clock.now())).toBeUndefined();
    expect(provider.decryptionKey('t', 1, clock.now())).toBeUndefined();
  });
});
