import { setImmediate } from 'node:timers';
import type { Clock } from '../clock.js';
import { KeywardError } from '../errors.js';
import type { KeyVersionPolicy } from './tenant-key-store.js';
import type { KeyMaterial } from './key-material.js';
import { LruTtlCache } from '../cache/lru-ttl-cache.js';
import { SingleFlight, type Flight } from '../cache/single-flight.js';

/**
 * The TTL bounds how long a key keeps working after the customer revokes access when nothing else
 * evicts it (packages/core/README.md, "Caches"): default 5 minutes, at most 1 hour.
 */
export const CACHE_DEFAULTS = { ttlMs: 5 * 60_000, maxTtlMs: 60 * 60_000, maxEntries: 10_000 } as const;

export interface TenantKeyCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** How often expired keys are zeroed even if never read again; default a tenth of the TTL. */
  sweepIntervalMs?: number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  loads: number;
  loadFailures: number;
  evictions: number;
  entries: number;
}

let lastTenant = '';
let lastVersion = 0;
let lastKey = '\u0000';

/**
 * The cache key of a (tenant, version). Calls come in runs for one tenant and version, and a key
 * string built afresh must be flattened and hashed on every lookup; the last one is reused.
 */
function versionKey(tenantId: string, version: number): string {
  if (tenantId !== lastTenant || version !== lastVersion) {
    lastTenant = tenantId;
    lastVersion = version;
    lastKey = `${tenantId}\u0000${version}`;
  }
  return lastKey;
}

/** A cached key version, linked to its tenant's cached policy so that one lookup finds both. */
export interface CachedKey {
  readonly material: KeyMaterial;
  /** No later than the cache entry's own expiry (stamped just before it). */
  readonly expiresAt: number;
  /** False as soon as the entry leaves the cache (its material may be zeroed a turn later). */
  live: boolean;
  /** The tenant's policy entry last seen with this key; checked before it is trusted. */
  tenant: CachedPolicy | undefined;
}

/** A cached version policy, linked to the tenant's latest key version once it is cached too. */
export interface CachedPolicy {
  readonly policy: KeyVersionPolicy;
  readonly expiresAt: number;
  live: boolean;
  latest: CachedKey | undefined;
}

const usable = (entry: { live: boolean; expiresAt: number } | undefined, now: number): boolean =>
  entry !== undefined && entry.live && entry.expiresAt > now;

function belongsTo(tenantId: string): (key: string) => boolean {
  const prefix = `${tenantId}\u0000`;
  return (key) => key === tenantId || key.startsWith(prefix);
}

/**
 * Unwrapped tenant keys (and the tenants' version policies) in memory only: a bounded LRU with a
 * TTL, single-flight loads, and key bytes zeroed whenever an entry leaves. A load that an eviction
 * overtakes is not cached, so `evict()` is never undone by a KMS call that was already running.
 */
export class TenantKeyCache {
  readonly ttlMs: number;
  readonly #clock: Clock;
  readonly #keys: LruTtlCache<string, CachedKey>;
  readonly #policies: LruTtlCache<string, CachedPolicy>;
  readonly #keyFlights = new SingleFlight<string, KeyMaterial>();
  readonly #policyFlights = new SingleFlight<string, KeyVersionPolicy>();
  readonly #stats = { hits: 0, misses: 0, loads: 0, loadFailures: 0, evictions: 0 };
  #closed = false;

  constructor(clock: Clock, options: TenantKeyCacheOptions = {}) {
    const ttlMs = options.ttlMs ?? CACHE_DEFAULTS.ttlMs;
    const maxEntries = options.maxEntries ?? CACHE_DEFAULTS.maxEntries;
    /* Precondition: the TTL is positive and at most the documented maximum. */
    if (!Number.isSafeInteger(ttlMs) || ttlMs < 1 || ttlMs > CACHE_DEFAULTS.maxTtlMs) {
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `cache.ttlMs must be between 1 and ${CACHE_DEFAULTS.maxTtlMs} ms, not ${String(ttlMs)}.`,
      });
    }
    /* Precondition: the cache holds at least one entry. */
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1) {
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `cache.maxEntries must be a whole number ≥ 1, not ${String(maxEntries)}.`,
      });
    }
    this.ttlMs = ttlMs;
    this.#clock = clock;
    const sweepIntervalMs = options.sweepIntervalMs ?? Math.max(1000, Math.floor(ttlMs / 10));
    /* Precondition: the sweep runs, at most once a millisecond and at least once a TTL. */
    if (
      !Number.isSafeInteger(sweepIntervalMs) ||
      sweepIntervalMs < 1 ||
      sweepIntervalMs > Math.max(ttlMs, 1000)
    ) {
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `cache.sweepIntervalMs must be a whole number from 1 to the TTL (or to 1000 when the TTL is shorter), not ${String(sweepIntervalMs)}.`,
      });
    }
    this.#keys = new LruTtlCache({
      maxEntries,
      ttlMs,
      clock,
      sweepIntervalMs,
      onDispose: (entry, _key, reason) => {
        this.#stats.evictions++;
        entry.live = false;
        const material = entry.material;
        // Pushed out for room: callers that were handed it in this turn may still use it, so it is
        // zeroed right after. Evicted, expired or replaced: zeroed now.
        if (reason === 'capacity') setImmediate(() => material.dispose());
        else material.dispose();
      },
    });
    this.#policies = new LruTtlCache({
      maxEntries,
      ttlMs,
      clock,
      onDispose: (entry) => {
        entry.live = false;
        entry.latest = undefined;
      },
    });
  }

  /** A cached, live key version, or undefined; synchronous so the warm path does not wait. */
  peekKey(tenantId: string, version: number, now?: number): KeyMaterial | undefined {
    const entry = this.#keys.get(versionKey(tenantId, version), now);
    if (entry === undefined) return undefined;
    this.#stats.hits++;
    return entry.material;
  }

  /**
   * The warm path's one lookup: a cached key version (`undefined`: the latest) together with its
   * tenant's cached policy, or undefined when either is not cached. Once linked, the latest key is
   * found from the policy entry and any other version's policy from the key entry, each in one
   * probe; the links are followed only while both entries are live and unexpired.
   */
  warm(tenantId: string, version: number | undefined, now: number): CachedKey | undefined {
    if (version === undefined) {
      const tenant = this.#policies.get(tenantId, now);
      if (tenant === undefined) return undefined;
      let entry = tenant.latest;
      const key = versionKey(tenantId, tenant.policy.latestVersion);
      if (!usable(entry, now)) {
        entry = this.#keys.get(key, now);
        if (entry === undefined) return undefined;
        tenant.latest = entry;
      } else this.#keys.touch(key); // Reached through the link: still the most recently used key.
      entry!.tenant = tenant;
      this.#stats.hits++;
      return entry;
    }
    const entry = this.#keys.get(versionKey(tenantId, version), now);
    if (entry === undefined) return undefined;
    if (!usable(entry.tenant, now)) {
      entry.tenant = this.#policies.get(tenantId, now);
      if (entry.tenant === undefined) return undefined;
    } else this.#policies.touch(tenantId); // Reached through the link: still the most recently used policy.
    this.#stats.hits++;
    return entry;
  }

  /** Loads a key version once however many callers miss at the same time. */
  loadKey(tenantId: string, version: number, load: () => Promise<KeyMaterial>): Promise<KeyMaterial> {
    if (this.#closed) return Promise.reject(new KeywardError('KW_CLOSED'));
    this.#stats.misses++;
    const key = versionKey(tenantId, version);
    return this.#keyFlights.run(
      key,
      async () => {
        this.#stats.loads++;
        try {
          return await load();
        } catch (error) {
          this.#stats.loadFailures++;
          throw error;
        }
      },
      (material, flight) => this.#settleKey(key, material, flight),
    );
  }

  #settleKey(key: string, material: KeyMaterial, flight: Flight<KeyMaterial>): void {
    if (this.#closed) {
      // Closed while loading: nothing is cached any more, and nothing would ever zero it.
      material.dispose();
      throw new KeywardError('KW_CLOSED');
    }
    if (!flight.stale) {
      this.#keys.set(key, {
        material,
        expiresAt: this.#clock.now() + this.ttlMs,
        live: true,
        tenant: undefined,
      });
      return;
    }
    // Evicted while loading: the callers already waiting may use it once, then it is zeroed.
    setImmediate(() => material.dispose());
  }

  peekPolicy(tenantId: string, now?: number): KeyVersionPolicy | undefined {
    return this.#policies.get(tenantId, now)?.policy;
  }

  #policyEntry(policy: KeyVersionPolicy): CachedPolicy {
    return { policy, expiresAt: this.#clock.now() + this.ttlMs, live: true, latest: undefined };
  }

  loadPolicy(tenantId: string, load: () => Promise<KeyVersionPolicy>): Promise<KeyVersionPolicy> {
    if (this.#closed) return Promise.reject(new KeywardError('KW_CLOSED'));
    return this.#policyFlights.run(tenantId, load, (policy, flight) => {
      if (!flight.stale && !this.#closed) this.#policies.set(tenantId, this.#policyEntry(policy));
    });
  }

  /** Caches a policy just committed; a load that read the store before the change must not overwrite it. */
  setPolicy(tenantId: string, policy: KeyVersionPolicy): void {
    this.#policyFlights.abandon((key) => key === tenantId);
    this.#policies.set(tenantId, this.#policyEntry(policy));
  }

  /** Forgets a tenant's policy (after a change whose committed result is not known here). */
  forgetPolicy(tenantId: string): void {
    this.#policyFlights.abandon((key) => key === tenantId);
    this.#policies.delete(tenantId);
  }

  /** Drops and zeroes every key of one tenant, and abandons its running loads. */
  evict(tenantId: string): number {
    const matches = belongsTo(tenantId);
    this.#keyFlights.abandon(matches);
    this.#policyFlights.abandon(matches);
    this.#policies.delete(tenantId);
    return this.#keys.deleteWhere(matches);
  }

  evictAll(): number {
    this.#keyFlights.abandon(() => true);
    this.#policyFlights.abandon(() => true);
    this.#policies.clear();
    return this.#keys.clear();
  }

  stats(): CacheStats {
    return { ...this.#stats, entries: this.#keys.size };
  }

  close(): void {
    this.#closed = true;
    this.evictAll();
    this.#keys.close();
    this.#policies.close();
  }
}
