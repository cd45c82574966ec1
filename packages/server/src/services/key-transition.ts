import { KeywardError, type KeyChange } from '@keyward/core';
import type { ByokChange, ByokConfigs, CustomerKeyConfig } from '../store/byok-configs.js';
import type { SqlGuard } from '../store/tenant-key-store.js';
import type { AuditEntry, AuditLog } from './audit-log.js';
import { requireCurrentPlatformKey } from './current-root-guard.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';
import { HOLDING_STATES, type ByokEvent, type ByokState } from '../store/byok-states.js';

/** The BYOK side of a move of a tenant's keys to another root key, committed with it. */
export interface ByokTransition {
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
  /** The audit event, made from the key change (how many versions moved, the new version). */
  audit: AuditEntry | ((change: KeyChange) => AuditEntry);
  now: () => Date;
}

/**
 * The server's guard of a key move (core's keyring commits the keys, through the key store, in the
 * same transaction): the BYOK state and configuration the work started from are compared and set,
 * the job doing it must still be running and held, the target must be the current platform key if
 * it is one, and the audit event is appended. If any of it fails, no key moves either.
 */
export function byokGuard(byokConfigs: ByokConfigs, audit: AuditLog, change: ByokTransition): SqlGuard {
  return async (trx, keys) => {
    const { tenantId } = change;
    try {
      // A commit that changes the state also clears its reason; a rotation's re-wrap touches neither.
      const moved = await byokConfigs.transitionIn(trx, tenantId, {
        expect: {
          state: change.expect.state,
          ...(change.expect.config === undefined ? {} : { config: change.expect.config }),
        },
        event: change.event,
        set: change.event === 'platform_rewrap' ? {} : { ...change.set, stateReason: null },
        at: change.now(),
      });
      if (moved === undefined)
        conflict("The tenant's BYOK state or configuration changed meanwhile; nothing was changed.");
    } catch (error) {
      // The switch's role was registered by another tenant since its test: not worth retrying.
      if (sqlState(error) === UNIQUE_VIOLATION)
        throw new KeywardError('KW_ROLE_ALREADY_REGISTERED', {
          message: 'Another tenant registered this role meanwhile; each tenant needs a role of its own.',
        });
      throw error;
    }
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
    if (keys.kind === 'root') await requireCurrentPlatformKey(trx, keys.change.toRootId);
    // Appended after the key rows are written: the audit log's lock is then held only to the commit.
    return async (end) => {
      await audit.appendIn(end, typeof change.audit === 'function' ? change.audit(keys) : change.audit);
    };
  };
}

/**
 * The server's guard of a rotation: the BYOK row is held (a switch's commit updates it first, so
 * the two take turns), and no switch or revert may be in progress, or the new version would land
 * under the root key the tenant is leaving.
 */
export function notMovingGuard(byokConfigs: ByokConfigs, tenantId: string): SqlGuard {
  return async (trx) => {
    const state = await byokConfigs.stateForShareIn(trx, tenantId);
    if (state !== undefined && HOLDING_STATES.includes(state)) {
      throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
        message: `The tenant's keys are moving to another root key (${state}); rotate again when it is done.`,
      });
    }
  };
}

function conflict(message: string): never {
  throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message });
}
