import { timingSafeEqual } from 'node:crypto';
import { KeyMaterial } from './key-material.js';
import type { TenantKeyCache } from '../cache/tenant-key-cache.js';
import type { Clock } from '../clock.js';
import { KeywardError, isKeywardError } from '../errors.js';
import type { Logger } from '../logger.js';
import { checkFloors } from './floors.js';
import { MAX_KEY_VERSION } from '../envelope/format.js';
import { TENANT_KEY_BYTES, type RootKey, type RootKeyResolver } from './root-key.js';
import type { SecretKey } from './secret-key.js';
import type { KeyVersionPolicy, TenantKeyStore, WrappedKeyVersion } from './tenant-key-store.js';

export interface KeyVersionInfo {
  version: number;
  rootKeyId: string;
  createdAt: Date;
}

export interface KeyringInfo extends KeyVersionPolicy {
  tenantId: string;
  versions: KeyVersionInfo[];
}

export interface FloorsUpdate {
  minEncryptionVersion?: number;
  minDecryptionVersion?: number;
}

/** How many times a re-wrap goes round when rotations keep adding versions under the old root. */
const MAX_REWRAP_ROUNDS = 5;

function isRootKey(value: unknown): value is RootKey {
  const candidate = value as Partial<RootKey> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.id === 'string' &&
    typeof candidate.wrap === 'function' &&
    typeof candidate.unwrap === 'function'
  );
}

/** How often an operation looks a key up again when an eviction overtakes it. */
const MAX_LOOKUPS = 3;

/**
 * The tenant key hierarchy: versions in the store, wrapped by the tenant's root key, unwrapped
 * into the cache on demand. Every change goes through the store's compare-and-set, so two
 * instances rotating at once cannot both create version n + 1.
 */
export class TenantKeyring {
  constructor(
    private readonly store: TenantKeyStore,
    private readonly rootKeys: RootKeyResolver,
    private readonly cache: TenantKeyCache,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async rootKeyFor(tenantId: string): Promise<RootKey> {
    return typeof this.rootKeys === 'function' ? await this.rootKeys(tenantId) : this.rootKeys;
  }

  /** The store's current policy (another instance may have rotated), cached again. */
  async freshPolicy(tenantId: string): Promise<KeyVersionPolicy> {
    return this.cache.loadPolicy(tenantId, async () => {
      const policy = await this.store.getPolicy(tenantId);
      if (policy === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
      return policy;
    });
  }

  /**
   * Runs `use` with a live, unwrapped key version: from the cache, or unwrapped by the root key
   * once. The liveness check and `use` run in the same synchronous turn, so an eviction can never
   * land between them (it could land during any `await`).
   */
  withKey<T>(
    tenantId: string,
    version: number,
    use: (material: KeyMaterial) => T,
    now?: number,
  ): T | Promise<T> {
    const cached = this.cache.peekKey(tenantId, version, now);
    // Everything in the cache is live: entries leave the map before they are zeroed.
    if (cached !== undefined) return use(cached);
    return this.#loadAndUse(tenantId, version, use);
  }

  async #loadAndUse<T>(tenantId: string, version: number, use: (material: KeyMaterial) => T): Promise<T> {
    for (let attempt = 0; attempt < MAX_LOOKUPS; attempt++) {
      const material =
        this.cache.peekKey(tenantId, version) ??
        (await this.cache.loadKey(tenantId, version, () => this.#unwrap(tenantId, version)));
      /* Precondition: key material is live when used (an eviction may land while we awaited it). */
      if (material.alive) return use(material);
    }
    throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
      message: 'The tenant key was evicted repeatedly while loading; retry the operation.',
    });
  }

  async #unwrap(tenantId: string, version: number): Promise<KeyMaterial> {
    let record = await this.store.getVersion(tenantId, version);
    if (record === undefined)
      throw new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { tenantId, version } });
    let root = await this.rootKeyFor(tenantId);
    if (record.rootKeyId !== root.id) {
      // The keys may have moved to another root between the two reads (a re-wrap committed): read both again, once.
      record = await this.store.getVersion(tenantId, version);
      if (record === undefined)
        throw new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { tenantId, version } });
      root = await this.rootKeyFor(tenantId);
    }
    if (record.rootKeyId !== root.id) {
      throw new KeywardError('KW_ROOT_KEY_MISMATCH', {
        details: { tenantId, version, wrappedBy: record.rootKeyId, configured: root.id },
      });
    }
    try {
      const key = await root.unwrap(record.wrappedKey, { tenantId, version });
      this.logger.debug({ tenantId, version, rootKey: root.id, rootKind: root.kind }, 'tenant key unwrapped');
      return materialOf(tenantId, version, key);
    } catch (error) {
      this.logger.warn(
        { tenantId, version, rootKey: root.id, code: isKeywardError(error) ? error.code : 'unknown' },
        'tenant key unwrap failed',
      );
      throw error;
    }
  }

  /** Creates version 1 under the tenant's root key. */
  async create(tenantId: string): Promise<KeyVersionInfo> {
    // Checked first so that an existing tenant costs no KMS call; the store's check still decides races.
    if ((await this.store.getPolicy(tenantId)) !== undefined)
      throw new KeywardError('KW_TENANT_EXISTS', { details: { tenantId } });
    const root = await this.rootKeyFor(tenantId);
    const { key, wrappedKey } = await root.generateTenantKey({ tenantId, version: 1 });
    const record: WrappedKeyVersion = {
      version: 1,
      wrappedKey,
      rootKeyId: root.id,
      createdAt: new Date(this.clock.now()),
    };
    // Not cached: the first use unwraps it, which also proves the stored wrapped key works.
    key.zero();
    await this.store.createKeyring(tenantId, record);
    this.cache.evict(tenantId);
    this.logger.info({ tenantId, version: 1, rootKey: root.id }, 'tenant key created');
    return { version: 1, rootKeyId: root.id, createdAt: record.createdAt };
  }

  /** Adds a new latest version; older versions stay for decryption within the floors. */
  async rotate(tenantId: string): Promise<KeyVersionInfo> {
    const policy = await this.#storedPolicy(tenantId);
    const version = policy.latestVersion + 1;
    /* Precondition: the new version fits the ciphertext header's 32-bit field. */
    if (version > MAX_KEY_VERSION)
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `Tenant ${tenantId} has reached the last key version, ${MAX_KEY_VERSION}.`,
      });
    const root = await this.rootKeyFor(tenantId);
    const { key, wrappedKey } = await root.generateTenantKey({ tenantId, version });
    key.zero();
    const record: WrappedKeyVersion = {
      version,
      wrappedKey,
      rootKeyId: root.id,
      createdAt: new Date(this.clock.now()),
    };
    await this.store.addVersion(tenantId, record, policy.latestVersion);
    // Not `{ ...policy, latestVersion }`: the floors may have changed while the key was generated.
    this.cache.forgetPolicy(tenantId);
    this.logger.info({ tenantId, version, rootKey: root.id }, 'tenant key rotated');
    return { version, rootKeyId: root.id, createdAt: record.createdAt };
  }

  async setFloors(tenantId: string, update: FloorsUpdate): Promise<KeyVersionPolicy> {
    /* Precondition: the update is an object. */
    if (typeof update !== 'object' || update === null || Array.isArray(update))
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'setFloors takes an object { minEncryptionVersion?, minDecryptionVersion? }.',
      });
    const current = await this.#storedPolicy(tenantId);
    const next: KeyVersionPolicy = {
      latestVersion: current.latestVersion,
      minEncryptionVersion: update.minEncryptionVersion ?? current.minEncryptionVersion,
      minDecryptionVersion: update.minDecryptionVersion ?? current.minDecryptionVersion,
    };
    checkFloors(next);
    await this.store.setPolicy(tenantId, next, current);
    this.cache.setPolicy(tenantId, next);
    this.logger.info({ tenantId, ...next }, 'tenant key floors set');
    return next;
  }

  async list(tenantId: string): Promise<KeyringInfo> {
    const policy = await this.#storedPolicy(tenantId);
    const versions = await this.store.listVersions(tenantId);
    return {
      tenantId,
      ...policy,
      versions: versions.map(({ version, rootKeyId, createdAt }) => ({ version, rootKeyId, createdAt })),
    };
  }

  /**
   * Re-wraps every version wrapped by `from` under `to`, checks that each new wrapped key unwraps to
   * the same bytes, and only then replaces them in the store, all at once. Versions already under
   * `to` are left alone, so an interrupted re-wrap can simply run again.
   */
  async rewrapAll(tenantId: string, from: RootKey, to: RootKey): Promise<{ rewrapped: number }> {
    /* Precondition: both root keys are root keys. */
    if (!isRootKey(from) || !isRootKey(to))
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'rewrapTenantKeys takes two root keys (from, to).',
      });
    /* Precondition: the two root keys differ (re-wrapping under the same key changes nothing). */
    if (from.id === to.id)
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `rewrapTenantKeys needs two different root keys; both are ${from.id}.`,
      });
    let rewrapped = 0;
    // A rotation during the re-wrap adds a version under `from`; go round again until none is left.
    for (let round = 0; round < MAX_REWRAP_ROUNDS; round++) {
      const pending = await this.#underRoot(tenantId, from, to);
      if (pending.length === 0) {
        this.cache.evict(tenantId);
        this.logger.info({ tenantId, from: from.id, to: to.id, rewrapped }, 'tenant keys re-wrapped');
        return { rewrapped };
      }
      const replaced: WrappedKeyVersion[] = [];
      for (const record of pending)
        replaced.push({
          ...record,
          wrappedKey: await rewrapWrappedKey(tenantId, record, from, to),
          rootKeyId: to.id,
        });
      await this.store.replaceWrappedKeys(tenantId, replaced, from.id);
      rewrapped += replaced.length;
    }
    this.cache.evict(tenantId);
    throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
      message: 'New key versions kept appearing under the old root key during the re-wrap; run it again.',
    });
  }

  /** The versions still wrapped by `from`; refuses versions wrapped by a third root key. */
  async #underRoot(tenantId: string, from: RootKey, to: RootKey): Promise<WrappedKeyVersion[]> {
    const records = await this.store.listVersions(tenantId);
    if (records.length === 0) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    const stray = records.find((record) => record.rootKeyId !== from.id && record.rootKeyId !== to.id);
    if (stray !== undefined)
      throw new KeywardError('KW_ROOT_KEY_MISMATCH', {
        details: { tenantId, version: stray.version, wrappedBy: stray.rootKeyId, expected: from.id },
      });
    return records.filter((record) => record.rootKeyId === from.id);
  }

  async #storedPolicy(tenantId: string): Promise<KeyVersionPolicy> {
    const policy = await this.store.getPolicy(tenantId);
    if (policy === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    return policy;
  }
}

function materialOf(tenantId: string, version: number, key: SecretKey): KeyMaterial {
  if (key.length !== TENANT_KEY_BYTES) {
    key.zero();
    throw new KeywardError('KW_ROOT_KEY_UNWRAP_FAILED', {
      message: `The root key returned ${key.length} bytes; a tenant key has ${TENANT_KEY_BYTES}.`,
    });
  }
  return new KeyMaterial(tenantId, version, key);
}

/**
 * One version's wrapped key re-wrapped from one root key to another, checked by unwrapping it
 * again: the caller may drop the old wrapped key only once this returns.
 */
export async function rewrapWrappedKey(
  tenantId: string,
  record: WrappedKeyVersion,
  from: RootKey,
  to: RootKey,
): Promise<Uint8Array> {
  const context = { tenantId, version: record.version };
  const key = await from.unwrap(record.wrappedKey, context);
  let check: SecretKey | undefined;
  try {
    const wrapped = await to.wrap(key, context);
    check = await to.unwrap(wrapped, context);
    /* Precondition: the new wrapped key unwraps to the same tenant key before the old one is dropped. */
    if (check.length !== key.length || !timingSafeEqual(check.bytes(), key.bytes())) {
      throw new KeywardError('KW_ROOT_KEY_UNWRAP_FAILED', {
        message: `Re-wrapped version ${record.version} did not unwrap to the same key; nothing was replaced.`,
      });
    }
    return wrapped;
  } finally {
    key.zero();
    check?.zero();
  }
}
