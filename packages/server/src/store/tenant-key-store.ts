import {
  KeywardError,
  type KeyVersionPolicy,
  type TenantKeyStore,
  type WrappedKeyVersion,
} from '@keyward/core';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { ByokConfigs } from './byok-configs.js';
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

/**
 * core's TenantKeyStore on PostgreSQL (or PGlite). Every change is a single conditional statement
 * or one transaction, so two instances racing on the same tenant see compare-and-set failures, not
 * lost updates, and a failure leaves nothing half-written.
 */
export class SqlTenantKeyStore implements TenantKeyStore {
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

  async createKeyring(tenantId: string, first: WrappedKeyVersion): Promise<void> {
    try {
      await this.db.transaction().execute(async (trx) => {
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

  async addVersion(tenantId: string, record: WrappedKeyVersion, expectedLatest: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.#sameRootStill(trx, tenantId, record, expectedLatest);
      const updated = await trx
        .updateTable('tenant_key_policies')
        .set({ latest_version: record.version })
        .where('tenant_id', '=', tenantId)
        .where('latest_version', '=', expectedLatest)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n || record.version !== expectedLatest + 1)
        await this.#casFailure(trx, tenantId);
      await trx.insertInto('tenant_key_versions').values(row(tenantId, record)).execute();
    });
  }

  async setPolicy(tenantId: string, policy: KeyVersionPolicy, expected: KeyVersionPolicy): Promise<void> {
    let updated;
    try {
      updated = await this.db
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
    } catch (error) {
      if (sqlState(error) === CHECK_VIOLATION) throw new KeywardError('KW_FLOORS_INVALID');
      throw error;
    }
    if (updated.numUpdatedRows === 0n) await this.#casFailure(this.db, tenantId);
  }

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
   * the tenant to another root since. The BYOK row is locked (a switch's commit updates it first,
   * so the two take turns), and the new version must be under the root the latest version is
   * under, with no switch or revert in progress. Otherwise nothing is added.
   */
  async #sameRootStill(
    trx: Transaction<Database>,
    tenantId: string,
    record: WrappedKeyVersion,
    expectedLatest: number,
  ): Promise<void> {
    const state = await new ByokConfigs(this.db).stateForShareIn(trx, tenantId);
    if (state === 'rotating_cmk' || state === 'reverting') {
      throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
        message: `The tenant's keys are moving to another root key (${state}); rotate again when it is done.`,
      });
    }
    const latest = await trx
      .selectFrom('tenant_key_versions')
      .select('root_key_id')
      .where('tenant_id', '=', tenantId)
      .where('version', '=', expectedLatest)
      .executeTakeFirst();
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

function row(tenantId: string, record: WrappedKeyVersion) {
  return {
    tenant_id: tenantId,
    version: record.version,
    wrapped_key: record.wrappedKey,
    root_key_id: record.rootKeyId,
    created_at: record.createdAt,
  };
}
