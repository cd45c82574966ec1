import type { Clock } from '../clock.js';
import { MAX_KEY_VERSION } from '../envelope/format.js';
import { isKeywardError, KeywardError } from '../errors.js';
import type { Logger } from '../logger.js';
import { checkFloors } from './floors.js';
import { KeyMaterial } from './key-material.js';
import { onlyFrom, rewrapAllPending } from './rewrap.js';
import { TENANT_KEY_BYTES, type RootKey, type RootKeyResolver } from './root-key.js';
import type { SecretKey } from './secret-key.js';
import {
  STRAY_VERSION,
  type KeyVersionPolicy,
  type StoreGuard,
  type TenantKeyStore,
  type WrappedKeyVersion,
} from './tenant-key-store.js';

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

/** A caller's guard, run inside the store's unit of work (see StoreGuard). */
export interface Guarded<Tx> {
  guard?: StoreGuard<Tx>;
}

export interface CreateOptions<Tx> extends Guarded<Tx> {
  /** The root key of a tenant the resolver does not know yet (it is created in the guard). */
  root?: RootKey;
}

/** Every version of a tenant moved under one root key: enable BYOK, switch CMK, revert, platform root rotation. */
export interface RootMove<Tx> extends Guarded<Tx> {
  to: RootKey;
  /** The root key a version not yet under `to` is moved from; throws for a root it may not come from. */
  from: (record: WrappedKeyVersion) => RootKey | Promise<RootKey>;
  /** Also adds a new latest version under `to`, which becomes the encryption floor (enabling BYOK). */
  addVersion?: boolean;
  progress?: (done: number, total: number) => Promise<void>;
}

export interface RootMoveResult {
  rewrapped: number;
  added?: KeyVersionInfo;
}

/** How many times a move goes round when rotations keep adding versions under the old root. */
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

const info = ({ version, rootKeyId, createdAt }: WrappedKeyVersion): KeyVersionInfo => ({
  version,
  rootKeyId,
  createdAt,
});

/**
 * The one owner of the tenant key hierarchy (ARCHITECTURE §2, "One owner"): every change to a
 * tenant's keys — create, rotate, floors, a move to another root key — is made here, checked
 * here, and committed through the store port's compare-and-set with the caller's guard, so two
 * instances racing cannot both create version n + 1. It caches nothing: CachingKeyProvider wraps it.
 */
export class TenantKeyring<Tx = unknown> {
  constructor(
    private readonly store: TenantKeyStore<Tx>,
    private readonly rootKeys: RootKeyResolver,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async rootKeyFor(tenantId: string, wrappedBy?: string): Promise<RootKey> {
    return typeof this.rootKeys === 'function' ? await this.rootKeys(tenantId, wrappedBy) : this.rootKeys;
  }

  /** The tenant's version policy as the store has it now. */
  async policy(tenantId: string): Promise<KeyVersionPolicy> {
    const policy = await this.store.getPolicy(tenantId);
    if (policy === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    return policy;
  }

  /** The cold path: one version read from the store and unwrapped by the tenant's root key. */
  async load(tenantId: string, version: number): Promise<KeyMaterial> {
    let record = await this.#version(tenantId, version);
    let root = await this.rootKeyFor(tenantId, record.rootKeyId);
    if (record.rootKeyId !== root.id) {
      // A re-wrap may have committed between the two reads (the resolver read the tenant's state
      // after it, the version before): both are read again, once, before refusing.
      record = await this.#version(tenantId, version);
      root = await this.rootKeyFor(tenantId, record.rootKeyId);
    }
    /* Precondition: a version is unwrapped only by the root key the tenant's state names. */
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

  async #version(tenantId: string, version: number): Promise<WrappedKeyVersion> {
    const record = await this.store.getVersion(tenantId, version);
    if (record === undefined)
      throw new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { tenantId, version } });
    return record;
  }

  /** Creates version 1 under the tenant's root key (or `options.root`). */
  async create(tenantId: string, options: CreateOptions<Tx> = {}): Promise<KeyVersionInfo> {
    // Checked first so that an existing tenant costs no KMS call; the store's check still decides races.
    if ((await this.store.getPolicy(tenantId)) !== undefined)
      throw new KeywardError('KW_TENANT_EXISTS', { details: { tenantId } });
    const root = options.root ?? (await this.rootKeyFor(tenantId));
    const record = await this.#generate(tenantId, 1, root);
    await this.store.createKeyring(tenantId, record, options.guard);
    this.logger.info({ tenantId, version: 1, rootKey: root.id }, 'tenant key created');
    return info(record);
  }

  /** Adds a new latest version under the root key of the latest; older versions stay for decryption within the floors. */
  async rotate(tenantId: string, options: Guarded<Tx> = {}): Promise<KeyVersionInfo> {
    const policy = await this.policy(tenantId);
    const latest = await this.store.getVersion(tenantId, policy.latestVersion);
    const root = await this.rootKeyFor(tenantId, latest?.rootKeyId);
    const record = await this.#generate(tenantId, policy.latestVersion + 1, root);
    await this.store.addVersion(tenantId, record, policy.latestVersion, options.guard);
    this.logger.info({ tenantId, version: record.version, rootKey: root.id }, 'tenant key rotated');
    return info(record);
  }

  /** A new version's wrapped key. Not cached: the first use unwraps it, which also proves the stored wrapped key works. */
  async #generate(tenantId: string, version: number, root: RootKey): Promise<WrappedKeyVersion> {
    /* Precondition: a new version is above the latest and fits the ciphertext header's 32-bit field. */
    if (!Number.isSafeInteger(version) || version < 1 || version > MAX_KEY_VERSION)
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: `Tenant ${tenantId} has reached the last key version, ${MAX_KEY_VERSION}.`,
      });
    const { key, wrappedKey } = await root.generateTenantKey({ tenantId, version });
    key.zero();
    return { version, wrappedKey, rootKeyId: root.id, createdAt: new Date(this.clock.now()) };
  }

  async setFloors(
    tenantId: string,
    update: FloorsUpdate,
    options: Guarded<Tx> = {},
  ): Promise<KeyVersionPolicy> {
    /* Precondition: the update is an object. */
    if (typeof update !== 'object' || update === null || Array.isArray(update))
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'setFloors takes an object { minEncryptionVersion?, minDecryptionVersion? }.',
      });
    const current = await this.policy(tenantId);
    const next: KeyVersionPolicy = {
      latestVersion: current.latestVersion,
      minEncryptionVersion: update.minEncryptionVersion ?? current.minEncryptionVersion,
      minDecryptionVersion: update.minDecryptionVersion ?? current.minDecryptionVersion,
    };
    /* Precondition: floors only as Vault transit allows them (floors.ts). */
    checkFloors(next);
    await this.store.setPolicy(tenantId, next, current, options.guard);
    this.logger.info({ tenantId, ...next }, 'tenant key floors set');
    return next;
  }

  async list(tenantId: string): Promise<KeyringInfo> {
    const policy = await this.policy(tenantId);
    const versions = await this.store.listVersions(tenantId);
    return { tenantId, ...policy, versions: versions.map(info) };
  }

  /**
   * The one re-wrap engine: every version not yet under `move.to` is re-wrapped from the root
   * `move.from` names for it, checked by unwrapping it again, and all of them (with the new version
   * when asked) are committed at once with the caller's guard. Versions already under `to` are left
   * alone, so an interrupted move can simply run again; a version a rotation added under the old
   * root meanwhile sends it round again.
   */
  async moveToRoot(tenantId: string, move: RootMove<Tx>): Promise<RootMoveResult> {
    for (let round = 1; ; round++) {
      try {
        return await this.#moveOnce(tenantId, move);
      } catch (error) {
        const stray = isKeywardError(error, 'KW_CONCURRENT_MODIFICATION') && isStray(error.details);
        if (!stray || round >= MAX_REWRAP_ROUNDS) throw error;
      }
    }
  }

  async #moveOnce(tenantId: string, move: RootMove<Tx>): Promise<RootMoveResult> {
    const { to } = move;
    const records = await this.store.listVersions(tenantId);
    if (records.length === 0) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    // Every source is named before any KMS call: a version under a root the move may not come from costs nothing.
    const pending = [];
    for (const record of records)
      if (record.rootKeyId !== to.id) pending.push({ record, from: await move.from(record) });
    const replaced = await rewrapAllPending(tenantId, pending, to, move.progress);
    let added: { record: WrappedKeyVersion; expectedLatest: number } | undefined;
    if (move.addVersion === true) {
      const policy = await this.policy(tenantId);
      added = {
        record: await this.#generate(tenantId, policy.latestVersion + 1, to),
        expectedLatest: policy.latestVersion,
      };
    }
    /* Precondition: no version is left under another root after a root change (the store checks it again as it commits). */
    await this.store.commitRootChange(
      tenantId,
      { toRootId: to.id, replaced, ...(added === undefined ? {} : { added }) },
      move.guard,
    );
    this.logger.info({ tenantId, to: to.id, rewrapped: replaced.length }, 'tenant keys moved to a root key');
    return { rewrapped: replaced.length, ...(added === undefined ? {} : { added: info(added.record) }) };
  }

  /** Re-wraps every version wrapped by `from` under `to`; refuses versions wrapped by a third root key. */
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
    const { rewrapped } = await this.moveToRoot(tenantId, {
      to,
      from: onlyFrom(tenantId, from),
    });
    return { rewrapped };
  }
}

function isStray(details: Record<string, unknown> | undefined): boolean {
  return details?.['conflict'] === STRAY_VERSION;
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
