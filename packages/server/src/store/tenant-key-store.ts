import {
  KeywardError,
  STRAY_VERSION,
  type KeyChange,
  type KeyVersionPolicy,
  type RootChange,
  type StoreGuard,
  type TenantKeyStore,
  type WrappedKeyVersion,
} from '@keyward/core';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { CHECK_VIOLATION, FOREIGN_KEY_VIOLATION, sqlState, UNIQUE_VIOLATION } from './pg-errors.js';
import type { Database, TenantKeyVersionsTable } from './schema.js';

const policyOf = (row: {
  latest_version: number;
  min_encryption_version: number;
  min_decryption_version: number;
}): KeyVersionPolicy => ({
  latestVersion: row.latest_version,
  minEncryptionVersion: row.min_encryption_version,
  minDecryptionVersion: row.min_decryption_version,
});

const versionOf = (row: Selectable<TenantKeyVersionsTable>): WrappedKeyVersion => ({
  version: row.version,
  wrappedKey: Uint8Array.from(row.wrapped_key),
  rootKeyId: row.root_key_id,
  createdAt: new Date(row.created_at),
});

/** A guard of the server's: its checks and writes run in the key change's own transaction. */
export type SqlGuard = StoreGuard<Transaction<Database>>;

const conflict = (message: string, details?: Record<string, unknown>) =>
  new KeywardError('KW_CONCURRENT_MODIFICATION', { message, ...(details === undefined ? {} : { details }) });

/**
 * core's TenantKeyStore on PostgreSQL (or PGlite), and the only code that reads or writes
 * `tenant_key_versions` and `tenant_key_policies`. Every change is one transaction that runs the
 * caller's guard first (the BYOK row is locked before any key row, as every writer of both does,
 * so they take turns instead of deadlocking), so two instances racing on the same tenant see
 * compare-and-set failures, not lost updates, and a failure leaves nothing half-written.
 */
export class SqlTenantKeyStore implements TenantKeyStore<Transaction<Database>> {
  constructor(private readonly db: Kysely<Database>) {}

  async getPolicy(tenantId: string): Promise<KeyVersionPolicy | undefined> {
    const row = await this.db
      .selectFrom('tenant_key_policies')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row === undefined ? undefined : policyOf(row);
  }

  async getVersion(tenantId: string, version: number): Promise<WrappedKeyVersion | undefined> {
    const row = await this.db
      .selectFrom('tenant_key_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('version', '=', version)
      .executeTakeFirst();
    return row === undefined ? undefined : versionOf(row);
  }

  async listVersions(tenantId: string): Promise<WrappedKeyVersion[]> {
    const rows = await this.db
      .selectFrom('tenant_key_versions')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .orderBy('version')
      .execute();
    return rows.map(versionOf);
  }

  async createKeyring(tenantId: string, first: WrappedKeyVersion, guard?: SqlGuard): Promise<void> {
    try {
      await this.#inTransaction({ kind: 'create', record: first }, guard, async (trx) => {
        await trx
          .insertInto('tenant_key_policies')
          .values({
            tenant_id: tenantId,
            latest_version: first.version,
            min_encryption_version: 0,
            min_decryption_version: 1,
          })
          .execute();
        await trx.insertInto('tenant_key_versions').values(row(tenantId, first)).execute();
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION)
        throw new KeywardError('KW_TENANT_EXISTS', { details: { tenantId } });
      if (sqlState(error) === FOREIGN_KEY_VIOLATION)
        throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
      throw error;
    }
  }

  async addVersion(
    tenantId: string,
    record: WrappedKeyVersion,
    expectedLatest: number,
    guard?: SqlGuard,
  ): Promise<void> {
    await this.#inTransaction({ kind: 'rotate', record, expectedLatest }, guard, async (trx) => {
      await this.#sameRootStill(trx, tenantId, record, expectedLatest);
      const updated = await trx
        .updateTable('tenant_key_policies')
        .set({ latest_version: record.version })
        .where('tenant_id', '=', tenantId)
        .where('latest_version', '=', expectedLatest)
        .executeTakeFirst();
      /* Precondition: a new version is the next one above the latest, which is still `expectedLatest`. */
      if (updated.numUpdatedRows === 0n || record.version !== expectedLatest + 1)
        await this.#casFailure(trx, tenantId);
      await trx.insertInto('tenant_key_versions').values(row(tenantId, record)).execute();
    });
  }

  async setPolicy(
    tenantId: string,
    policy: KeyVersionPolicy,
    expected: KeyVersionPolicy,
    guard?: SqlGuard,
  ): Promise<void> {
    try {
      await this.#inTransaction({ kind: 'floors', policy, expected }, guard, async (trx) => {
        const updated = await trx
          .updateTable('tenant_key_policies')
          .set({
            latest_version: policy.latestVersion,
            min_encryption_version: policy.minEncryptionVersion,
            min_decryption_version: policy.minDecryptionVersion,
          })
          .where('tenant_id', '=', tenantId)
          .where('latest_version', '=', expected.latestVersion)
          .where('min_encryption_version', '=', expected.minEncryptionVersion)
          .where('min_decryption_version', '=', expected.minDecryptionVersion)
          .executeTakeFirst();
        if (updated.numUpdatedRows === 0n) await this.#casFailure(trx, tenantId);
      });
    } catch (error) {
      if (sqlState(error) === CHECK_VIOLATION) throw new KeywardError('KW_FLOORS_INVALID');
      throw error;
    }
  }

  async commitRootChange(tenantId: string, change: RootChange, guard?: SqlGuard): Promise<void> {
    await this.#inTransaction({ kind: 'root', change }, guard, async (trx) => {
      for (const record of change.replaced) {
        const swapped = await trx
          .updateTable('tenant_key_versions')
          .set({ wrapped_key: record.wrappedKey, root_key_id: change.toRootId })
          .where('tenant_id', '=', tenantId)
          .where('version', '=', record.version)
          .where('root_key_id', '=', record.fromRootId)
          .executeTakeFirst();
        /* Precondition: a re-wrapped version replaces its old wrapped key only if it is still under the root it was re-wrapped from. */
        if (swapped.numUpdatedRows === 0n)
          throw conflict(`Key version ${record.version} was re-wrapped concurrently; nothing was changed.`);
      }
      if (change.added !== undefined) await appendUnderNewRoot(trx, tenantId, change.added);
      const stray = await trx
        .selectFrom('tenant_key_versions')
        .select('version')
        .where('tenant_id', '=', tenantId)
        .where('root_key_id', '!=', change.toRootId)
        .executeTakeFirst();
      /* Precondition: no version is left under another root after a root change. */
      if (stray !== undefined)
        throw conflict(
          `Key version ${stray.version} appeared under the old root key meanwhile (a rotation); run the operation again.`,
          { tenantId, version: stray.version, conflict: STRAY_VERSION },
        );
    });
  }

  /**
   * Runs `work` in one transaction after the caller's guard (if any), which sees the change, and
   * before the guard's finishing step (if it returned one). With
   * no guard and one statement, a transaction costs a round trip more; changes are rare.
   */
  async #inTransaction(
    change: KeyChange,
    guard: SqlGuard | undefined,
    work: (trx: Transaction<Database>) => Promise<void>,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const finish = guard === undefined ? undefined : await guard(trx, change);
      await work(trx);
      if (finish !== undefined) await finish(trx);
    });
  }

  /** The tenants with a version under any of `rootKeyIds` (a platform root rotation's work list). */
  async tenantsUnder(rootKeyIds: string[], db: Kysely<Database> = this.db): Promise<string[]> {
    if (rootKeyIds.length === 0) return [];
    const rows = await db
      .selectFrom('tenant_key_versions')
      .select('tenant_id')
      .distinct()
      .where('root_key_id', 'in', rootKeyIds)
      .orderBy('tenant_id')
      .execute();
    return rows.map((found) => found.tenant_id);
  }

  /** Whether any version is still under this root key (a retiring platform key may retire when none is). */
  async rootInUse(rootKeyId: string): Promise<boolean> {
    const used = await this.db
      .selectFrom('tenant_key_versions')
      .select('tenant_id')
      .where('root_key_id', '=', rootKeyId)
      .limit(1)
      .executeTakeFirst();
    return used !== undefined;
  }

  /** How many tenants have a version under each root key that wraps any (the platform view). */
  async tenantCountsByRoot(): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('tenant_key_versions')
      .select(['root_key_id', sql<string>`count(distinct tenant_id)`.as('n')])
      .groupBy('root_key_id')
      .execute();
    return new Map(rows.map((found) => [found.root_key_id, Number(found.n)]));
  }

  /**
   * Not part of core's port (the keyring moves versions only with commitRootChange): replaces the
   * wrapped form of the given versions, all or none, each still under `expectedRootKeyId` if given.
   */
  async replaceWrappedKeys(
    tenantId: string,
    records: WrappedKeyVersion[],
    expectedRootKeyId?: string,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      for (const record of records) {
        let update = trx
          .updateTable('tenant_key_versions')
          .set({ wrapped_key: record.wrappedKey, root_key_id: record.rootKeyId })
          .where('tenant_id', '=', tenantId)
          .where('version', '=', record.version);
        if (expectedRootKeyId !== undefined) update = update.where('root_key_id', '=', expectedRootKeyId);
        const updated = await update.executeTakeFirst();
        if (updated.numUpdatedRows > 0n) continue;
        // Rolls the whole transaction back: all versions or none.
        const exists = await trx
          .selectFrom('tenant_key_versions')
          .select('version')
          .where('tenant_id', '=', tenantId)
          .where('version', '=', record.version)
          .executeTakeFirst();
        if (exists === undefined) {
          const keyring = await trx
            .selectFrom('tenant_key_policies')
            .select('tenant_id')
            .where('tenant_id', '=', tenantId)
            .executeTakeFirst();
          throw keyring === undefined
            ? new KeywardError('KW_TENANT_NOT_FOUND')
            : new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { version: record.version } });
        }
        throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
          message: 'A tenant key version was re-wrapped concurrently; nothing was replaced.',
        });
      }
    });
  }

  /**
   * A rotation chose its root key before this transaction; a CMK switch or a revert may have moved
   * the tenant to another root since (the caller's guard refuses while one is in progress). The new
   * version must be under the root the latest version is under, or nothing is added.
   */
  async #sameRootStill(
    trx: Transaction<Database>,
    tenantId: string,
    record: WrappedKeyVersion,
    expectedLatest: number,
  ): Promise<void> {
    const latest = await trx
      .selectFrom('tenant_key_versions')
      .select('root_key_id')
      .where('tenant_id', '=', tenantId)
      .where('version', '=', expectedLatest)
      .executeTakeFirst();
    /* Precondition: a new version is under the root key its predecessor is under. */
    if (latest !== undefined && latest.root_key_id !== record.rootKeyId) {
      throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
        message: 'The tenant moved to another root key during the rotation; nothing was added. Rotate again.',
      });
    }
  }

  /** A compare-and-set that changed nothing: either the tenant has no keyring, or someone else won. */
  async #casFailure(db: Kysely<Database>, tenantId: string): Promise<never> {
    const exists = await db
      .selectFrom('tenant_key_policies')
      .select('tenant_id')
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    throw new KeywardError(exists === undefined ? 'KW_TENANT_NOT_FOUND' : 'KW_CONCURRENT_MODIFICATION');
  }
}

/**
 * Enabling BYOK's new version: appended if the latest is still the one expected; it also becomes
 * the encryption floor, so nothing new is encrypted again under a version born under the old root.
 */
async function appendUnderNewRoot(
  trx: Transaction<Database>,
  tenantId: string,
  added: NonNullable<RootChange['added']>,
): Promise<void> {
  const { record, expectedLatest } = added;
  /* Precondition: a new version is the next one above the latest, which is still `expectedLatest`. */
  if (record.version !== expectedLatest + 1)
    throw conflict(`Version ${record.version} does not follow the latest, ${expectedLatest}.`);
  const moved = await trx
    .updateTable('tenant_key_policies')
    .set({ latest_version: record.version, min_encryption_version: record.version })
    .where('tenant_id', '=', tenantId)
    .where('latest_version', '=', expectedLatest)
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n)
    throw conflict('A key version was added meanwhile (a rotation); run the operation again.');
  await trx.insertInto('tenant_key_versions').values(row(tenantId, record)).execute();
}

function row(tenantId: string, record: WrappedKeyVersion) {
  return {
    tenant_id: tenantId,
    version: record.version,
    wrapped_key: record.wrappedKey,
    root_key_id: record.rootKeyId,
    created_at: record.createdAt,
  };
}
