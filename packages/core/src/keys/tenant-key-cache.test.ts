import { setImmediate as nextMacrotask } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.js';
import { KeywardError } from '../errors.js';
import { SecretKey } from './secret-key.js';
import { KeyMaterial } from './key-material.js';
import { CACHE_DEFAULTS, TenantKeyCache } from './tenant-key-cache.js';

const caches: TenantKeyCache[] = [];
afterEach(() => {
  for (const cache of caches.splice(0)) cache.close();
  vi.restoreAllMocks();
});

function newCache(
  options: ConstructorParameters<typeof TenantKeyCache>[1] = {},
  clock = new ManualClock(10_000),
): TenantKeyCache {
  const cache = new TenantKeyCache(clock, options);
  caches.push(cache);
  return cache;
}

/** A key version with recognisable bytes, and the buffer behind its SecretKey to check zeroing. */
function keyVersion(tenantId: string, version: number): { material: KeyMaterial; bytes: Buffer } {
  const bytes = Buffer.alloc(32, version + tenantId.length);
  return { material: new KeyMaterial(tenantId, version, new SecretKey(bytes)), bytes };
}

async function load(
  cache: TenantKeyCache,
  tenantId: string,
  version: number,
): Promise<{ material: KeyMaterial; bytes: Buffer }> {
  const made = keyVersion(tenantId, version);
  expect(await cache.loadKey(tenantId, version, () => Promise.resolve(made.material))).toBe(made.material);
  return made;
}

const isZero = (bytes: Buffer): boolean => bytes.every((byte) => byte === 0);

function invalidArgument(run: () => unknown): boolean {
  try {
    run();
  } catch (error) {
    return error instanceof KeywardError && error.code === 'KW_INVALID_ARGUMENT';
  }
  return false;
}

describe('TenantKeyCache: options', () => {
  it('defaults to a 5-minute TTL', () => {
    expect(CACHE_DEFAULTS.ttlMs).toBe(300_000);
    expect(newCache().ttlMs).toBe(300_000);
  });

  it('Precondition: the TTL is positive and at most the documented maximum (0 and over 1 h refused with KW_INVALID_ARGUMENT)', () => {
    for (const ttlMs of [0, -1, 1.5, Number.NaN, 3_600_001, Number.POSITIVE_INFINITY])
      expect(
        invalidArgument(() => newCache({ ttlMs })),
        `ttlMs ${ttlMs}`,
      ).toBe(true);
    expect(newCache({ ttlMs: 1 }).ttlMs).toBe(1);
    expect(newCache({ ttlMs: 3_600_000 }).ttlMs).toBe(3_600_000);
  });

  it('Precondition: the cache holds at least one entry (maxEntries 0 refused with KW_INVALID_ARGUMENT)', () => {
    for (const maxEntries of [0, -1, 2.5])
      expect(
        invalidArgument(() => newCache({ maxEntries })),
        `maxEntries ${maxEntries}`,
      ).toBe(true);
    expect(invalidArgument(() => newCache({ maxEntries: 1 }))).toBe(false);
  });

  it('Precondition: the sweep runs at least once a TTL, at most once a millisecond (0, negative, NaN, above the TTL or 2^31 - 1 refused with KW_INVALID_ARGUMENT)', () => {
    for (const sweepIntervalMs of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 60_001, 2 ** 31]) {
      expect(
        invalidArgument(() => newCache({ ttlMs: 60_000, sweepIntervalMs })),
        `sweepIntervalMs ${sweepIntervalMs}`,
      ).toBe(true);
    }
    for (const sweepIntervalMs of [1, 60_000])
      expect(
        invalidArgument(() => newCache({ ttlMs: 60_000, sweepIntervalMs })),
        `sweepIntervalMs ${sweepIntervalMs}`,
      ).toBe(false);
    // A TTL under a second may still be swept every second (the default's floor), not less often.
    expect(invalidArgument(() => newCache({ ttlMs: 500, sweepIntervalMs: 1_000 }))).toBe(false);
    expect(invalidArgument(() => newCache({ ttlMs: 500, sweepIntervalMs: 1_001 }))).toBe(true);
  });

  it('sweeps every tenth of the TTL (at least every second) by default, with an unref()d timer', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    newCache({ ttlMs: 60_000 });
    newCache({ ttlMs: 5_000 });
    expect(spy.mock.calls.map((call) => call[1])).toEqual([6_000, 1_000]);
    for (const result of spy.mock.results) expect((result.value as NodeJS.Timeout).hasRef()).toBe(false);
  });
});

describe('TenantKeyCache: keys', () => {
  it('caches a loaded key version until its TTL expires, then zeroes it', async () => {
    const clock = new ManualClock(0);
    const cache = newCache({ ttlMs: 1_000 }, clock);
    const { material, bytes } = await load(cache, 't', 1);
    expect(cache.peekKey('t', 1)).toBe(material);
    clock.advance(999);
    expect(cache.peekKey('t', 1)).toBe(material);
    clock.advance(1);
    expect(cache.peekKey('t', 1)).toBeUndefined();
    expect(material.alive).toBe(false);
    expect(isZero(bytes)).toBe(true);
  });

  it('evict(tenant) zeroes every version of that tenant and leaves other tenants alone', async () => {
    const cache = newCache();
    const t1 = await load(cache, 't', 1);
    const t2 = await load(cache, 't', 2);
    const other = await load(cache, 't2', 1);
    const prefixed = await load(cache, 't.x', 1);
    expect(cache.evict('t')).toBe(2);
    expect([t1, t2].every(({ bytes, material }) => isZero(bytes) && !material.alive)).toBe(true);
    expect(cache.peekKey('t', 1)).toBeUndefined();
    for (const kept of [other, prefixed]) {
      expect(kept.material.alive).toBe(true);
      expect(isZero(kept.bytes)).toBe(false);
    }
    expect(cache.peekKey('t2', 1)).toBe(other.material);
    expect(cache.evict('t')).toBe(0);
  });

  it("evict(tenant) drops that tenant's policy too", () => {
    const cache = newCache();
    const policy = { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    cache.setPolicy('t', policy);
    cache.setPolicy('u', policy);
    cache.evict('t');
    expect(cache.peekPolicy('t')).toBeUndefined();
    expect(cache.peekPolicy('u')).toEqual(policy);
  });

  it('evictAll zeroes every key of every tenant and drops every policy', async () => {
    const cache = newCache();
    const loaded = [await load(cache, 'a', 1), await load(cache, 'b', 1), await load(cache, 'b', 2)];
    cache.setPolicy('a', { latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 });
    expect(cache.evictAll()).toBe(3);
    expect(loaded.every(({ bytes, material }) => isZero(bytes) && !material.alive)).toBe(true);
    expect(cache.peekPolicy('a')).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
  });

  it('close() zeroes every key and stops the sweep timer', async () => {
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const cache = new TenantKeyCache(new ManualClock());
    const { bytes } = await load(cache, 't', 1);
    cache.close();
    expect(isZero(bytes)).toBe(true);
    expect(clearSpy).toHaveBeenCalled();
  });

  it('loads a key version once for N concurrent misses', async () => {
    const cache = newCache();
    const { material } = keyVersion('t', 1);
    let release!: (value: KeyMaterial) => void;
    const loader = vi.fn(() => new Promise<KeyMaterial>((resolve) => (release = resolve)));
    const runs = Array.from({ length: 5 }, () => cache.loadKey('t', 1, loader));
    release(material);
    expect(await Promise.all(runs)).toEqual(Array.from({ length: 5 }, () => material));
    expect(loader).toHaveBeenCalledTimes(1);
    expect(cache.peekKey('t', 1)).toBe(material);
  });

  it('does not cache a load that evict(tenant) overtook, and zeroes its material once the waiting callers had it', async () => {
    const cache = newCache();
    const { material, bytes } = keyVersion('t', 1);
    let release!: (value: KeyMaterial) => void;
    const running = cache.loadKey('t', 1, () => new Promise<KeyMaterial>((resolve) => (release = resolve)));
    expect(cache.evict('t')).toBe(0);
    release(material);
    // The caller that was already waiting gets the material while it is still alive…
    const got = await running;
    expect(got).toBe(material);
    expect(got.alive).toBe(true);
    // …but it was not cached, and it is zeroed right after.
    expect(cache.peekKey('t', 1)).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    await nextMacrotask();
    expect(material.alive).toBe(false);
    expect(isZero(bytes)).toBe(true);
  });

  it('does not cache a load that evictAll overtook either, and starts a fresh load for the next caller', async () => {
    const cache = newCache();
    const stale = keyVersion('t', 1);
    const fresh = keyVersion('t', 1);
    let release!: (value: KeyMaterial) => void;
    const running = cache.loadKey('t', 1, () => new Promise<KeyMaterial>((resolve) => (release = resolve)));
    cache.evictAll();
    const next = cache.loadKey('t', 1, () => Promise.resolve(fresh.material));
    release(stale.material);
    expect(await running).toBe(stale.material);
    expect(await next).toBe(fresh.material);
    await nextMacrotask();
    expect(stale.material.alive).toBe(false);
    expect(cache.peekKey('t', 1)).toBe(fresh.material);
    expect(fresh.material.alive).toBe(true);
  });

  it('does not cache a policy load that evict(tenant) overtook', async () => {
    const cache = newCache();
    let release!: (value: {
      latestVersion: number;
      minEncryptionVersion: number;
      minDecryptionVersion: number;
    }) => void;
    const running = cache.loadPolicy('t', () => new Promise((resolve) => (release = resolve)));
    cache.evict('t');
    release({ latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 });
    expect((await running).latestVersion).toBe(1);
    expect(cache.peekPolicy('t')).toBeUndefined();
  });

  it('setPolicy and forgetPolicy win over a policy load that read the store before the change', async () => {
    const cache = newCache();
    const before = { latestVersion: 2, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    const after = { ...before, minDecryptionVersion: 2 };
    let release!: (value: typeof before) => void;
    const running = cache.loadPolicy('t', () => new Promise((resolve) => (release = resolve)));
    cache.setPolicy('t', after);
    release(before);
    // The caller that was waiting gets what the load read, but it is not cached over the new policy.
    expect(await running).toEqual(before);
    expect(cache.peekPolicy('t')).toEqual(after);
    const again = cache.loadPolicy('t', () => new Promise((resolve) => (release = resolve)));
    cache.forgetPolicy('t');
    release(before);
    await again;
    expect(cache.peekPolicy('t')).toBeUndefined();
  });

  it('a key and policy reached through their links stay the most recently used: a hot tenant keeps them while others churn the cache', async () => {
    const cache = newCache({ maxEntries: 2 });
    const policy = () =>
      Promise.resolve({ latestVersion: 1, minEncryptionVersion: 0, minDecryptionVersion: 1 });
    await cache.loadPolicy('hot', policy);
    const hot = await load(cache, 'hot', 1);
    const now = 10_000;
    // The first warm call links them: encrypts then find the key from the policy, decrypts the policy from the key.
    expect(cache.warm('hot', undefined, now)?.material).toBe(hot.material);
    const churn = async (tenant: string) => {
      await cache.loadPolicy(tenant, policy);
      await load(cache, tenant, 1);
    };
    for (const tenant of ['a', 'b', 'c']) {
      expect(cache.warm('hot', undefined, now)?.material, `encrypt before ${tenant}`).toBe(hot.material);
      await churn(tenant);
    }
    for (const tenant of ['d', 'e', 'f']) {
      expect(cache.warm('hot', 1, now)?.material, `decrypt before ${tenant}`).toBe(hot.material);
      await churn(tenant);
    }
    expect(cache.warm('hot', undefined, now)?.material).toBe(hot.material);
    expect(isZero(hot.bytes)).toBe(false);
  });

  it('counts hits, misses, loads, load failures, evictions and entries', async () => {
    const clock = new ManualClock(0);
    const cache = newCache({ ttlMs: 1_000 }, clock);
    expect(cache.stats()).toEqual({
      hits: 0,
      misses: 0,
      loads: 0,
      loadFailures: 0,
      evictions: 0,
      entries: 0,
    });
    const { material } = keyVersion('t', 1);
    await Promise.all([1, 2, 3].map(() => cache.loadKey('t', 1, () => Promise.resolve(material))));
    cache.peekKey('t', 1);
    cache.peekKey('t', 1);
    expect(cache.peekKey('t', 9)).toBeUndefined();
    await expect(
      cache.loadKey('t', 2, () => Promise.reject(new KeywardError('KW_KMS_ACCESS_DENIED'))),
    ).rejects.toMatchObject({ code: 'KW_KMS_ACCESS_DENIED' });
    expect(cache.stats()).toEqual({
      hits: 2,
      misses: 4,
      loads: 2,
      loadFailures: 1,
      evictions: 0,
      entries: 1,
    });
    // A failed load is not cached: the next caller loads again.
    await load(cache, 't', 2);
    expect(cache.stats()).toMatchObject({ misses: 5, loads: 3, loadFailures: 1, entries: 2 });
    clock.advance(1_000);
    cache.peekKey('t', 1);
    cache.evict('t');
    expect(cache.stats()).toEqual({
      hits: 2,
      misses: 5,
      loads: 3,
      loadFailures: 1,
      evictions: 2,
      entries: 0,
    });
  });
});
