import { KeywardError, type WrappedKeyVersion } from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { ByokConfigs, type ByokChange, type CustomerKeyConfig } from '../store/byok-configs.js';
import type { Database } from '../store/schema.js';
import type { AuditEntry, AuditLog } from './audit-log.js';
import { requireCurrentPlatformKey } from './current-root-guard.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';
import type { ByokEvent, ByokState } from '../store/byok-states.js';

/** A version re-wrapped under the new root, and the root it was under (its compare-and-set). */
export type ReplacedVersion = WrappedKeyVersion & { fromRootId: string };

export interface KeyTransition {
  tenantId: string;
  /** The state and configuration the work started from; anything else means someone else changed it. */
  expect: {
    state: ByokState | readonly ByokState[];
    config?: CustomerKeyConfig;
    job?: { id: string; lockedBy: string | null };
  };
  /**
   * The state machine's event that commits: enable, switch_done, revert_done; platform_rewrap for a
   * platform key rotation, which changes no state.
   */
  event: ByokEvent;
  /** The new configuration, if it changes (a switch's new role and CMK). */
  set?: ByokChange;
  /** Versions re-wrapped to `toRootId`, each from the root it names. */
  replaced: ReplacedVersion[];
  toRootId: string;
  /**
   * A new latest version (enable), appended if the latest is still `expectedLatest`. It also
   * becomes the encryption floor: new data is never again encrypted under a version that was
   * generated under the previous root key.
   */
  added?: WrappedKeyVersion;
  expectedLatest?: number;
  audit: AuditEntry;
  now: Date;
}

/**
 * Commits a change of root key in one transaction: the new state and configuration, every
 * re-wrapped version (each still under its old root), the new version, and the audit event. At the
 * end no version may be left under any root but the new one, or nothing is committed.
 */
export async function commitKeyTransition(
  db: Kysely<Database>,
  audit: AuditLog,
  change: KeyTransition,
): Promise<void> {
  try {
    await commit(db, audit, change);
  } catch (error) {
    // The switch's role was registered by another tenant since its test: not worth retrying.
    if (sqlState(error) === UNIQUE_VIOLATION)
      throw new KeywardError('KW_ROLE_ALREADY_REGISTERED', {
        message: 'Another tenant registered this role meanwhile; each tenant needs a role of its own.',
      });
    throw error;
  }
}

async function commit(db: Kysely<Database>, audit: AuditLog, change: KeyTransition): Promise<void> {
  const { tenantId } = change;
  await db.transaction().execute(async (trx) => {
    // A commit that changes the state also clears its reason; a rotation's re-wrap touches neither.
    const moved = await new ByokConfigs(db).transitionIn(trx, tenantId, {
      expect: {
        state: change.expect.state,
        ...(change.expect.config === undefined ? {} : { config: change.expect.config }),
      },
      event: change.event,
      set: change.event === 'platform_rewrap' ? {} : { ...change.set, stateReason: null },
      at: change.now,
    });
    if (moved === undefined)
      conflict("The tenant's BYOK state or configuration changed meanwhile; nothing was changed.");
    // The job doing this must still be running: an abort cancels it in the transaction that ends
    // the holding state. This row lock, taken after the tenant's as abort takes them, orders the
    // two, so a cancelled job never commits, even after a new job put the tenant on hold again.
    // Its worker must still hold it, too: one whose lease ran out (it stalled) leaves the commit to the instance that took over.
    const job = change.expect.job;
    if (job !== undefined) {
      const held = await trx
        .selectFrom('jobs')
        .select(['state', 'locked_by'])
        .where('id', '=', job.id)
        .forUpdate()
        .executeTakeFirst();
      if (held?.state !== 'running')
        throw new KeywardError('KW_JOB_CANCELLED', {
          message: 'The job was cancelled (aborted) before it could commit; nothing was changed.',
        });
      if (held.locked_by !== job.lockedBy)
        conflict('Another instance took this job over; it commits, not this one.');
    }
    await requireCurrentPlatformKey(trx, change.toRootId);
    for (const record of change.replaced) {
      const swapped = await trx
        .updateTable('tenant_key_versions')
        .set({ wrapped_key: record.wrappedKey, root_key_id: change.toRootId })
        .where('tenant_id', '=', tenantId)
        .where('version', '=', record.version)
        .where('root_key_id', '=', record.fromRootId)
        .executeTakeFirst();
      if (swapped.numUpdatedRows === 0n)
        conflict(`Key version ${record.version} was re-wrapped concurrently; nothing was changed.`);
    }
    if (change.added !== undefined) await appendVersion(trx, tenantId, change.added, change.expectedLatest!);
    const stray = await trx
      .selectFrom('tenant_key_versions')
      .select('version')
      .where('tenant_id', '=', tenantId)
      .where('root_key_id', '!=', change.toRootId)
      .executeTakeFirst();
    if (stray !== undefined)
      conflict(
        `Key version ${stray.version} appeared under the old root key meanwhile (a rotation); run the operation again.`,
      );
    await audit.appendIn(trx, change.audit);
  });
}
async function appendVersion(
  trx: Transaction<Database>,
  tenantId: string,
  record: WrappedKeyVersion,
  expectedLatest: number,
): Promise<void> {
  const moved = await trx
    .updateTable('tenant_key_policies')
    .set({ latest_version: record.version, min_encryption_version: record.version })
    .where('tenant_id', '=', tenantId)
    .where('latest_version', '=', expectedLatest)
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n)
    conflict('A key version was added meanwhile (a rotation); run the operation again.');
  await trx
    .insertInto('tenant_key_versions')
    .values({
      tenant_id: tenantId,
      version: record.version,
      wrapped_key: record.wrappedKey,
      root_key_id: record.rootKeyId,
      created_at: record.createdAt,
    })
    .execute();
}

function conflict(message: string): never {
  throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message });
}
