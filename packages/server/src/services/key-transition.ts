import { KeywardError, type KeyChange } from '@keyward/core';
import type { Kysely, Transaction, Updateable } from 'kysely';
import type { ByokConfigsTable, Database } from '../store/schema.js';
import type { SqlGuard } from '../store/tenant-key-store.js';
import type { AuditEntry, AuditLog } from './audit-log.js';
import { requireCurrentPlatformKey } from './current-root-guard.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';
import type { ByokState } from './byok-states.js';

export interface ConfigRow {
  state: ByokState;
  external_id: string | null;
  role_arn: string | null;
  cmk_arn: string | null;
}

export async function readConfig(db: Kysely<Database>, tenantId: string): Promise<ConfigRow> {
  const row = await db
    .selectFrom('byok_configs')
    .select(['state', 'external_id', 'role_arn', 'cmk_arn'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  if (row === undefined)
    throw new KeywardError('KW_TENANT_NOT_FOUND', {
      message: `Tenant ${tenantId} does not exist.`,
      details: { tenantId },
    });
  return { ...row, state: row.state as ByokState };
}

/** The BYOK side of a move of a tenant's keys to another root key, committed with it. */
export interface ByokTransition {
  tenantId: string;
  /** The state and configuration the work started from; anything else means someone else changed it. */
  expect: {
    state: ByokState | ByokState[];
    config?: { roleArn: string; cmkArn: string; externalId: string };
    job?: { id: string; lockedBy: string | null };
  };
  /** The new state and configuration; none for a platform key rotation, which changes no state. */
  set?: Updateable<ByokConfigsTable> & { state: ByokState };
  /** The audit event, made from the key change (how many versions moved, the new version). */
  audit: AuditEntry | ((change: KeyChange) => AuditEntry);
  now: () => Date;
}

/**
 * The server's guard of a key move (core's keyring commits the keys): in the same transaction, the
 * BYOK state and configuration the work started from are compared and set, the job doing it must
 * still be running and held, the target must be the current platform key if it is one, and the
 * audit event is appended. If any of it fails, no key moves either.
 */
export function byokGuard(audit: AuditLog, transition: ByokTransition): SqlGuard {
  return async (trx, change) => {
    try {
      await compareAndSetByok(trx, transition);
    } catch (error) {
      // The switch's role was registered by another tenant since its test: not worth retrying.
      if (sqlState(error) === UNIQUE_VIOLATION)
        throw new KeywardError('KW_ROLE_ALREADY_REGISTERED', {
          message: 'Another tenant registered this role meanwhile; each tenant needs a role of its own.',
        });
      throw error;
    }
    if (change.kind === 'root') await requireCurrentPlatformKey(trx, change.change.toRootId);
    const entry = typeof transition.audit === 'function' ? transition.audit(change) : transition.audit;
    await audit.appendIn(trx, entry);
  };
}

async function compareAndSetByok(trx: Transaction<Database>, change: ByokTransition): Promise<void> {
  const { tenantId } = change;
  const now = change.now();
  const states = Array.isArray(change.expect.state) ? change.expect.state : [change.expect.state];
  let guard = trx
    .updateTable('byok_configs')
    .set(
      change.set === undefined
        ? { updated_at: now }
        : {
            ...change.set,
            state_since: now,
            updated_at: now,
            state_reason: null,
            held_from: null,
          },
    )
    .where('tenant_id', '=', tenantId)
    .where('state', 'in', states);
  const config = change.expect.config;
  if (config !== undefined)
    guard = guard
      .where('role_arn', '=', config.roleArn)
      .where('cmk_arn', '=', config.cmkArn)
      .where('external_id', '=', config.externalId);
  const updated = await guard.executeTakeFirst();
  if (updated.numUpdatedRows === 0n)
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
}

/**
 * The server's guard of a rotation: the BYOK row is locked (a switch's commit updates it first, so
 * the two take turns), and no switch or revert may be in progress, or the new version would land
 * under the root key the tenant is leaving.
 */
export function notMovingGuard(tenantId: string): SqlGuard {
  return async (trx) => {
    const byok = await trx
      .selectFrom('byok_configs')
      .select('state')
      .where('tenant_id', '=', tenantId)
      .forShare()
      .executeTakeFirst();
    if (byok !== undefined && (byok.state === 'rotating_cmk' || byok.state === 'reverting')) {
      throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
        message: `The tenant's keys are moving to another root key (${byok.state}); rotate again when it is done.`,
      });
    }
  };
}

function conflict(message: string): never {
  throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message });
}
