import { KeywardError } from '../errors.js';
import { checkDecryptionVersion, encryptionVersion } from './floors.js';
import type { KeyMaterial } from './key-material.js';
import type { KeyVersionPolicy } from './tenant-key-store.js';
import type {
  CreateOptions,
  FloorsUpdate,
  Guarded,
  KeyringInfo,
  KeyVersionInfo,
  RootMove,
  RootMoveResult,
  TenantKeyring,
} from './tenant-keyring.js';
import type { RootKey } from './root-key.js';
import type { CacheStats, TenantKeyCache } from './tenant-key-cache.js';

/** How often an operation looks a key up again when an eviction overtakes it. */
const MAX_LOOKUPS = 3;

/** A move whose caller knows no tenant key changed hands (a platform root rotation) may keep the cache. */
export type CachedRootMove<Tx> = RootMove<Tx> & { keepCached?: boolean };

/**
 * The keyring behind a cache, as the AWS Encryption SDK's caching materials manager decorates its
 * materials manager: the data path asks this one object for keys, and it is the only code that
 * knows about caching. A warm call is one cache lookup (policy and key together) and returns the
 * key synchronously; a cold call loads the policy and the key once (single-flight) through the
 * keyring. Every change goes to the keyring and then to the cache (evict or update).
 */
export class CachingKeyProvider<Tx = unknown> {
  constructor(
    private readonly keyring: TenantKeyring<Tx>,
    private readonly cache: TenantKeyCache,
  ) {}

  /**
   * The warm path of encrypt: the live key of the version encryption uses (the latest, or
   * `requested` if the floors allow it), or undefined when it is not cached. Use it in this turn.
   */
  encryptionKey(tenantId: string, requested: number | undefined, now: number): KeyMaterial | undefined {
    const hit = this.cache.warm(tenantId, requested, now);
    if (hit === undefined || requested === undefined) return hit?.material;
    const policy = hit.tenant!.policy;
    // A version above the cached latest may come from a rotation on another instance: ask the store.
    if (requested > policy.latestVersion) return undefined;
    encryptionVersion(policy, requested);
    return hit.material;
  }

  /** The warm path of decrypt: the live key of `version` if the cached floors allow it, or undefined. */
  decryptionKey(tenantId: string, version: number, now: number): KeyMaterial | undefined {
    const hit = this.cache.warm(tenantId, version, now);
    if (hit === undefined) return undefined;
    const policy = hit.tenant!.policy;
    if (version > policy.latestVersion) return undefined;
    checkDecryptionVersion(policy, version);
    return hit.material;
  }

  /** The cold path of encrypt: the policy and the key loaded as needed, then `use` with a live key. */
  async withEncryptionKey<T>(
    tenantId: string,
    requested: number | undefined,
    use: (material: KeyMaterial) => T,
  ): Promise<T> {
    const version = encryptionVersion(await this.#policy(tenantId, requested), requested);
    return this.#withKey(tenantId, version, use);
  }

  async withDecryptionKey<T>(
    tenantId: string,
    version: number,
    use: (material: KeyMaterial) => T,
  ): Promise<T> {
    checkDecryptionVersion(await this.#policy(tenantId, version), version);
    return this.#withKey(tenantId, version, use);
  }

  /** The cached policy, unless `version` is above its latest (another instance may have rotated). */
  #policy(tenantId: string, version: number | undefined): KeyVersionPolicy | Promise<KeyVersionPolicy> {
    const cached = this.cache.peekPolicy(tenantId);
    if (cached !== undefined && (version === undefined || version <= cached.latestVersion)) return cached;
    return this.freshPolicy(tenantId);
  }

  /** The store's current policy (another instance may have rotated), cached again. */
  freshPolicy(tenantId: string): Promise<KeyVersionPolicy> {
    return this.cache.loadPolicy(tenantId, () => this.keyring.policy(tenantId));
  }

  /**
   * Runs `use` with a live, unwrapped key version: from the cache, or unwrapped by the root key
   * once. The liveness check and `use` run in the same synchronous turn, so an eviction can never
   * land between them (it could land during any `await`).
   */
  async #withKey<T>(tenantId: string, version: number, use: (material: KeyMaterial) => T): Promise<T> {
    for (let attempt = 0; attempt < MAX_LOOKUPS; attempt++) {
      const material =
        this.cache.peekKey(tenantId, version) ??
        (await this.cache.loadKey(tenantId, version, () => this.keyring.load(tenantId, version)));
      /* Precondition: key material is live when used (an eviction may land while we awaited it). */
      if (material.alive) return use(material);
    }
    throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
      message: 'The tenant key was evicted repeatedly while loading; retry the operation.',
    });
  }

  async create(tenantId: string, options?: CreateOptions<Tx>): Promise<KeyVersionInfo> {
    const created = await this.keyring.create(tenantId, options);
    this.cache.evict(tenantId);
    return created;
  }

  async rotate(tenantId: string, options?: Guarded<Tx>): Promise<KeyVersionInfo> {
    const rotated = await this.keyring.rotate(tenantId, options);
    // Not `{ ...policy, latestVersion }`: the floors may have changed while the key was generated.
    this.cache.forgetPolicy(tenantId);
    return rotated;
  }

  async setFloors(tenantId: string, update: FloorsUpdate, options?: Guarded<Tx>): Promise<KeyVersionPolicy> {
    const next = await this.keyring.setFloors(tenantId, update, options);
    this.cache.setPolicy(tenantId, next);
    return next;
  }

  list(tenantId: string): Promise<KeyringInfo> {
    return this.keyring.list(tenantId);
  }

  async moveToRoot(tenantId: string, move: CachedRootMove<Tx>): Promise<RootMoveResult> {
    const moved = await this.keyring.moveToRoot(tenantId, move);
    // The keys now answer to another root: the next use must unwrap under it (and may be refused).
    if (move.keepCached !== true) this.cache.evict(tenantId);
    return moved;
  }

  async rewrapAll(tenantId: string, from: RootKey, to: RootKey): Promise<{ rewrapped: number }> {
    const moved = await this.keyring.rewrapAll(tenantId, from, to);
    this.cache.evict(tenantId);
    return moved;
  }

  evict(tenantId: string): number {
    return this.cache.evict(tenantId);
  }

  evictAll(): number {
    return this.cache.evictAll();
  }

  stats(): CacheStats {
    return this.cache.stats();
  }

  close(): void {
    this.cache.close();
  }
}
