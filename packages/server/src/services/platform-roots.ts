import {
  KeywardError,
  parseKmsKeyArn,
  PlatformKmsRootKey,
  type KmsPort,
  type RootKey,
  type WrappedKeyVersion,
} from '@keyward/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/** A platform root key as the store records it. */
export interface PlatformRootKey {
  id: string;
  state: 'current' | 'retiring' | 'retired';
  createdAt: Date;
  retiredAt: Date | null;
}

/** A platform root key as the operator sees it, with how many tenants it still wraps keys of. */
export interface RootKeyView extends PlatformRootKey {
  tenants: number;
}

/**
 * The platform's root keys. One is current: it wraps every new platform-managed tenant key and
 * webhook secret. After an operator's rotation the older ones are `retiring` until a job has
 * re-wrapped everything they wrapped, then `retired`. The store says which is current, so every
 * instance agrees without a restart; the configured key (KEYWARD_ROOT_KEY) is only the first one.
 */
export class PlatformRoots {
  readonly #byId = new Map<string, RootKey>();
  readonly #confirmed = new Set<string>();

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly kms: KmsPort,
    readonly configured: RootKey,
  ) {
    this.#byId.set(configured.id, configured);
  }

  /** Records the configured key as current when the store has none yet (a new deployment). */
  static async open(db: Kysely<Database>, kms: KmsPort, configured: RootKey): Promise<PlatformRoots> {
    await db
      .insertInto('platform_root_keys')
      .values({ id: configured.id, state: 'current' })
      // Another instance recorded it first, or a rotation made another key current: that one stands.
      .onConflict((conflict) => conflict.doNothing())
      .execute();
    return new PlatformRoots(db, kms, configured);
  }

  /** The key that wraps new platform-managed tenant keys now. */
  async current(db: Kysely<Database> = this.db): Promise<RootKey> {
    const row = await db
      .selectFrom('platform_root_keys')
      .select('id')
      .where('state', '=', 'current')
      .executeTakeFirst();
    return this.byId(row?.id ?? this.configured.id);
  }

  /** Ids still to be re-wrapped away from (a rotation in progress or left unfinished). */
  async retiringIds(db: Kysely<Database> = this.db): Promise<string[]> {
    const rows = await db
      .selectFrom('platform_root_keys')
      .select('id')
      .where('state', '=', 'retiring')
      .execute();
    return rows.map((row) => row.id);
  }

  /** Every platform root key, newest first. */
  async list(): Promise<PlatformRootKey[]> {
    const rows = await this.db
      .selectFrom('platform_root_keys')
      .selectAll()
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      state: row.state as PlatformRootKey['state'],
      createdAt: new Date(row.created_at),
      retiredAt: row.retired_at === null ? null : new Date(row.retired_at),
    }));
  }

  /** Whether an id names one of the platform's root keys (current, retiring or retired). */
  async isPlatformRoot(id: string): Promise<boolean> {
    if (id === this.configured.id || this.#confirmed.has(id)) return true;
    const found =
      (await this.db
        .selectFrom('platform_root_keys')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst()) !== undefined;
    // A platform root key stays one (retired keys keep their row), so a yes is remembered: the data path asks on every cold load.
    if (found) this.#confirmed.add(id);
    return found;
  }

  /**
   * A key move's source for a tenant whose versions are under the platform's keys: the platform
   * key each version names; a version under any other root is refused, never unwrapped.
   */
  sourceFor(tenantId: string): (record: WrappedKeyVersion) => Promise<RootKey> {
    return async (record) => {
      if (!(await this.isPlatformRoot(record.rootKeyId)))
        throw new KeywardError('KW_ROOT_KEY_MISMATCH', {
          details: { tenantId, version: record.version, wrappedBy: record.rootKeyId },
        });
      return this.byId(record.rootKeyId);
    };
  }

  /** The root key with this id: a KMS key by its ARN; a local key only if it is the configured one. */
  byId(id: string): RootKey {
    let root = this.#byId.get(id);
    if (root === undefined) {
      if (!id.startsWith('arn:')) {
        throw new KeywardError('KW_ROOT_KEY_CONFIG', {
          message: `Tenant keys are wrapped by the platform root key ${id}, which this instance does not have (configure it as KEYWARD_ROOT_KEY).`,
          details: { rootKeyId: id },
        });
      }
      parseKmsKeyArn(id);
      root = new PlatformKmsRootKey({ kms: this.kms, keyArn: id });
      this.#byId.set(id, root);
    }
    return root;
  }

  /** Resolves a key or alias ARN to a platform root key (an alias to its key ARN, once). */
  async resolve(keyArn: string): Promise<RootKey> {
    const root = await PlatformKmsRootKey.resolve({ kms: this.kms, keyArn });
    return this.#byId.get(root.id) ?? (this.#byId.set(root.id, root), root);
  }
}
