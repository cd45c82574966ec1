import {
  KeywardError,
  platformIdentity,
  runOnboardingChecks,
  parseKmsKeyArn,
  parseRoleArn,
  type CheckReport,
  type CheckResult,
  type Keyward,
} from '@keyward/core';
import type { Kysely } from 'kysely';
import type { ByokConfig, ByokConfigs } from '../store/byok-configs.js';
import type { Job, JobQueue, NewJob } from '../store/job-queue.js';
import type { Database } from '../store/schema.js';
import type { AuditLog } from './audit-log.js';
import { transition, type ByokEvent, type ByokState } from './byok-states.js';
import type { RootKeys } from './root-keys.js';
import type { TenantEvent } from './tenant-events.js';
import type { Tenants } from './tenants.js';

export interface LifecycleDeps {
  db: Kysely<Database>;
  byokConfigs: ByokConfigs;
  audit: AuditLog;
  tenants: Tenants;
  rootKeys: RootKeys;
  jobs: JobQueue;
  keyward: Keyward;
  serviceRoleArn: string;
  now?: () => Date;
  /** Tells the other instances that a tenant's keys moved to another root (evict, forget sessions). */
  publish?: (event: TenantEvent) => Promise<void>;
  /** A state change this service made (test, abort): metrics and webhooks. */
  onStateChange?: (change: { tenantId: string; from: string; to: string; operation: string }) => void;
}

/**
 * The BYOK lifecycle beyond the first steps (ARCHITECTURE §3): test, and the requests to enable,
 * switch CMK and revert, which run as jobs (`ByokJobs`) so that a crash mid-way resumes on any
 * instance; abort ends an interrupted switch or revert.
 */
export class ByokLifecycle {
  readonly #now: () => Date;

  constructor(private readonly deps: LifecycleDeps) {
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Runs the onboarding checks against the saved configuration and stores the report. In pending or
   * validated, the outcome decides between the two; with BYOK on, the report is only stored.
   */
  async test(
    tenantId: string,
    actor: string,
    onResult?: (result: CheckResult) => void,
  ): Promise<CheckReport> {
    const row = await this.deps.byokConfigs.require(tenantId);
    const next = transition(row.state, 'test');
    const config = requireConfig(row, 'test');
    const report = await this.#check(tenantId, config, onResult);
    // In pending or validated the outcome decides; with BYOK on, `test` keeps the state.
    const event: ByokEvent =
      next === 'pending' || next === 'validated' ? (report.ok ? 'test_passed' : 'test_failed') : 'test';
    const state = transition(row.state, event);
    const at = this.#now();
    await this.deps.db.transaction().execute(async (trx) => {
      const moved = await this.deps.byokConfigs.transitionIn(trx, tenantId, {
        expect: { state: row.state, config },
        event,
        set: { lastTest: { report, at }, ...(state === row.state ? {} : { stateReason: null }) },
        at,
      });
      if (moved === undefined)
        throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
          message: 'The BYOK configuration changed during the test; test again.',
        });
      await this.deps.audit.appendIn(trx, {
        tenantId,
        actor,
        operation: 'byok.test',
        outcome: report.ok ? 'success' : 'failure',
        details: {
          roleArn: config.roleArn,
          cmkArn: config.cmkArn,
          from: row.state,
          to: state,
          failed: report.results.filter((r) => r.status === 'fail').map((r) => r.code),
        },
      });
    });
    if (state !== row.state)
      this.deps.onStateChange?.({ tenantId, from: row.state, to: state, operation: 'byok.test' });
    return report;
  }

  /**
   * Queues BYOK's turning on, after a passing test (the job: `ByokJobs.enable`). The tenant stays
   * validated until the job commits; a changed configuration meanwhile makes the job fail.
   */
  async requestEnable(tenantId: string, actor: string): Promise<Job> {
    const row = await this.deps.byokConfigs.require(tenantId);
    transition(row.state, 'enable');
    const config = requireConfig(row, 'enable');
    return this.#queue(() =>
      this.deps.db
        .transaction()
        .execute((trx) =>
          this.deps.jobs.enqueueIn(trx, { kind: 'byok.enable', tenantId, payload: { config }, actor }),
        ),
    );
  }

  /**
   * Moves the tenant to another CMK (and optionally another role): tests the new configuration now,
   * then holds the tenant in rotating_cmk and queues the re-wrap (`ByokJobs.switchCmk`).
   */
  async requestSwitchCmk(
    tenantId: string,
    input: { cmkArn: string; roleArn?: string },
    actor: string,
  ): Promise<{ report: CheckReport; job: Job }> {
    parseKmsKeyArn(input.cmkArn);
    if (input.roleArn !== undefined) parseRoleArn(input.roleArn);
    const row = await this.deps.byokConfigs.require(tenantId);
    transition(row.state, 'switch_cmk');
    const current = requireConfig(row, 'switch_cmk');
    const next = {
      roleArn: input.roleArn ?? current.roleArn,
      cmkArn: input.cmkArn,
      externalId: current.externalId,
    };
    if (next.roleArn === current.roleArn && next.cmkArn === current.cmkArn) {
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'The tenant already uses this CMK and role; give a different CMK ARN.',
      });
    }
    const report = await this.#check(tenantId, next);
    await this.deps.byokConfigs.recordTest(tenantId, report, this.#now());
    if (!report.ok) {
      await this.deps.audit.append({
        tenantId,
        actor,
        operation: 'byok.switch-cmk',
        outcome: 'failure',
        details: {
          code: 'KW_TEST_FAILED',
          fromCmkArn: current.cmkArn,
          toCmkArn: next.cmkArn,
          failed: report.results.filter((r) => r.status === 'fail').map((r) => r.code),
        },
      });
      throw new KeywardError('KW_TEST_FAILED', {
        message: 'The new CMK did not pass the onboarding test; the tenant still uses its current CMK.',
        details: { report },
      });
    }
    const job = await this.#hold(tenantId, row.state, 'switch_cmk', {
      kind: 'byok.switch-cmk',
      tenantId,
      payload: { from: current, to: next },
      actor,
    });
    return { report, job };
  }

  /**
   * Operator only: back to the platform key, as a job (`ByokJobs.revert`). It needs the customer's
   * CMK one last time, to unwrap the tenant keys: a customer who revoked access cannot be reverted around.
   */
  async requestRevert(tenantId: string, actor: string): Promise<Job> {
    const row = await this.deps.byokConfigs.require(tenantId);
    transition(row.state, 'revert');
    const config = requireConfig(row, 'revert');
    return this.#hold(tenantId, row.state, 'revert', {
      kind: 'byok.revert',
      tenantId,
      payload: { config },
      actor,
    });
  }

  /** Enters a holding state (rotating_cmk, reverting) and queues its job, both or neither. */
  async #hold(tenantId: string, from: ByokState, event: ByokEvent, job: NewJob): Promise<Job> {
    return this.#queue(() =>
      this.deps.db.transaction().execute(async (trx) => {
        const moved = await this.deps.byokConfigs.transitionIn(trx, tenantId, {
          expect: { state: from },
          event,
          at: this.#now(),
        });
        if (moved === undefined)
          throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
            message: "The tenant's BYOK state changed meanwhile; retry.",
          });
        return this.deps.jobs.enqueueIn(trx, job);
      }),
    );
  }

  /** Runs an enqueueing transaction, then wakes the job runners of every instance. */
  async #queue(enqueue: () => Promise<Job>): Promise<Job> {
    const job = await enqueue();
    await this.deps.publish?.({ kind: 'jobs-queued' });
    return job;
  }

  async #check(
    tenantId: string,
    config: { roleArn: string; cmkArn: string; externalId: string },
    onResult?: (result: CheckResult) => void,
  ): Promise<CheckReport> {
    const ports = this.deps.rootKeys.auditedPorts(tenantId);
    return runOnboardingChecks(
      {
        platform: platformIdentity(this.deps.serviceRoleArn),
        tenantId,
        externalId: config.externalId,
        roleArn: config.roleArn,
        keyArn: config.cmkArn,
      },
      { ...ports, roleOwner: (identity) => this.deps.tenants.roleOwner(identity) },
      onResult,
    );
  }

  /**
   * Operator only: ends a CMK switch or a revert that was interrupted (the process died, or its
   * restore failed). Until such an operation commits, every key is still wrapped by the tenant's
   * current CMK, so returning to the state it started from is safe; an operation still running
   * then fails its own commit, and changes nothing.
   */
  async abort(tenantId: string, actor: string): Promise<{ state: ByokState }> {
    const row = await this.deps.byokConfigs.require(tenantId);
    transition(row.state, 'abort');
    // held_from is always set since migration 0002. A switch only starts from active; a revert left
    // from before that migration goes back to active too (transition() says so), and health checks
    // (issue 6) re-derive degraded or revoked from AWS's answers.
    const back = await this.deps.db.transaction().execute(async (trx) => {
      const moved = await this.deps.byokConfigs.transitionIn(trx, tenantId, {
        expect: { state: row.state },
        event: 'abort',
        at: this.#now(),
      });
      if (moved === undefined)
        throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
          message: 'The operation finished or changed meanwhile; nothing was aborted.',
        });
      // Its job, if still open, is cancelled with it; a worker in the middle of it fails its commit.
      const cancelled = await this.deps.jobs.cancelOpenIn(trx, tenantId, `Aborted by ${actor}.`);
      await this.deps.audit.appendIn(trx, {
        tenantId,
        actor,
        operation: 'byok.abort',
        outcome: 'success',
        details: { from: row.state, to: moved.to, cancelledJob: cancelled ?? null },
      });
      return moved.to;
    });
    this.deps.keyward.evict(tenantId);
    this.deps.onStateChange?.({ tenantId, from: row.state, to: back, operation: 'byok.abort' });
    return { state: back };
  }
}

export function requireConfig(
  row: ByokConfig,
  event: string,
): { roleArn: string; cmkArn: string; externalId: string } {
  if (row.externalId === null || row.roleArn === null || row.cmkArn === null) {
    throw new KeywardError('KW_STATE_CONFLICT', {
      message: `Cannot ${event.replaceAll('_', ' ')}: issue the External ID and save the Role ARN and CMK ARN first.`,
      details: {
        state: row.state,
        missing: [
          row.externalId === null && 'externalId',
          row.roleArn === null && 'roleArn',
          row.cmkArn === null && 'cmkArn',
        ].filter(Boolean),
      },
    });
  }
  return { roleArn: row.roleArn, cmkArn: row.cmkArn, externalId: row.externalId };
}
