import { KeywardError, onlyFrom, type KeyChange, type Keyward } from '@keyward/core';
import type { Transaction } from 'kysely';
import type { ByokConfigs } from '../store/byok-configs.js';
import type { Job, JobError } from '../store/job-queue.js';
import type { Database } from '../store/schema.js';
import type { AuditLog } from './audit-log.js';
import { CMK_STATES, type ByokEvent, type ByokState } from '../store/byok-states.js';
import type { JobHandler, JobOutcome } from './job-runner.js';
import { byokGuard } from './key-transition.js';
import type { CustomerKeyConfig } from '../store/byok-configs.js';
import type { RootKeys } from './root-keys.js';
import type { TenantEvent } from './tenant-events.js';

export interface StateChange {
  tenantId: string;
  from: string;
  to: string;
  operation: string;
}

export interface ByokJobDeps {
  byokConfigs: ByokConfigs;
  audit: AuditLog;
  rootKeys: RootKeys;
  keyward: Keyward<Transaction<Database>>;
  now: () => Date;
  publish: (event: TenantEvent) => Promise<void>;
  onStateChange: (change: StateChange) => void;
}

interface ConfigNow {
  state: ByokState;
  heldFrom: ByokState | null;
  config: Partial<CustomerKeyConfig>;
}

/** The ARNs a job's audit events name: the CMK, or the CMKs switched between. */
function arnsOf(payload: unknown): Record<string, string> {
  const { config, from, to } = payload as {
    config?: CustomerKeyConfig;
    from?: CustomerKeyConfig;
    to?: CustomerKeyConfig;
  };
  if (from !== undefined && to !== undefined) return { fromCmkArn: from.cmkArn, toCmkArn: to.cmkArn };
  return config === undefined ? {} : { cmkArn: config.cmkArn };
}

const same = (a: Partial<CustomerKeyConfig>, b: CustomerKeyConfig) =>
  a.roleArn === b.roleArn && a.cmkArn === b.cmkArn && a.externalId === b.externalId;

/** How many versions a key move re-wrapped, for its audit event. */
const rewrappedIn = (change: KeyChange) => (change.kind === 'root' ? change.change.replaced.length : 0);

/**
 * The jobs behind enable, switch CMK and revert. Each reads where the tenant stands first, so a
 * job run again after a crash either does the whole re-wrap again (nothing was committed), or
 * finds its commit already made and just reports success. Core's keyring re-wraps (every KMS
 * call first) and commits the versions in one transaction with byokGuard's state, configuration
 * and audit event.
 */
export class ByokJobs {
  constructor(private readonly deps: ByokJobDeps) {}

  readonly enable: JobHandler = {
    run: async (job, context) => {
      const { config } = job.payload as { config: CustomerKeyConfig };
      const tenantId = job.tenantId!;
      const now = await this.#read(tenantId);
      if (now.state !== 'validated' || !same(now.config, config)) {
        if (CMK_STATES.includes(now.state) && same(now.config, config))
          return this.#alreadyDone(tenantId, now.state);
        throw new KeywardError('KW_STATE_CONFLICT', {
          message:
            'The tenant left validated, or its configuration changed, after enable was requested; test and enable again.',
          details: { state: now.state },
        });
      }
      const to = this.deps.rootKeys.customer(tenantId, config);
      const platform = this.deps.rootKeys.platform;
      const moved = await this.deps.keyward.moveTenantKeys(tenantId, {
        to,
        from: platform.sourceFor(tenantId),
        addVersion: true,
        progress: context.progress,
        guard: byokGuard(this.deps.byokConfigs, this.deps.audit, {
          tenantId,
          expect: { state: 'validated', config, job },
          event: 'enable',
          audit: (change) => ({
            tenantId,
            actor: job.actor,
            operation: 'byok.enable',
            outcome: 'success',
            details: {
              jobId: job.id,
              cmkArn: config.cmkArn,
              rewrapped: rewrappedIn(change),
              newVersion: change.kind === 'root' ? change.change.added?.record.version : null,
              from: 'validated',
              to: 'active',
            },
          }),
          now: this.deps.now,
        }),
      });
      const version = moved.added!.version;
      const { rewrapped } = moved;
      await this.#moved(tenantId, { tenantId, from: 'validated', to: 'active', operation: 'byok.enable' });
      return {
        result: { state: 'active', keyVersion: version, rewrapped },
        done: rewrapped,
      };
    },
    failed: async (job, error) => this.#failed(job, 'byok.enable', error, undefined),
  };

  readonly switchCmk: JobHandler = {
    run: async (job, context) => {
      const { from, to } = job.payload as { from: CustomerKeyConfig; to: CustomerKeyConfig };
      const tenantId = job.tenantId!;
      const now = await this.#read(tenantId);
      if (now.state !== 'rotating_cmk' || !same(now.config, from))
        return this.#finishedBefore(tenantId, now, to, 'switch');
      const back = now.heldFrom ?? 'active';
      const oldRoot = this.deps.rootKeys.customer(tenantId, from);
      const newRoot = this.deps.rootKeys.customer(tenantId, to);
      const { rewrapped } = await this.deps.keyward.moveTenantKeys(tenantId, {
        to: newRoot,
        from: onlyFrom(tenantId, oldRoot),
        progress: context.progress,
        guard: byokGuard(this.deps.byokConfigs, this.deps.audit, {
          tenantId,
          expect: { state: 'rotating_cmk', config: from, job },
          event: 'switch_done',
          set: { customerKey: { roleArn: to.roleArn, cmkArn: to.cmkArn } },
          audit: (change) => ({
            tenantId,
            actor: job.actor,
            operation: 'byok.switch-cmk',
            outcome: 'success',
            details: {
              jobId: job.id,
              fromCmkArn: from.cmkArn,
              toCmkArn: to.cmkArn,
              roleArn: to.roleArn,
              rewrapped: rewrappedIn(change),
            },
          }),
          now: this.deps.now,
        }),
      });
      await this.#moved(tenantId, { tenantId, from: 'rotating_cmk', to: back, operation: 'byok.switch-cmk' });
      return { result: { state: back, rewrapped }, done: rewrapped };
    },
    failed: async (job, error) =>
      this.#failed(job, 'byok.switch-cmk', error, { state: 'rotating_cmk', event: 'switch_failed' }),
  };

  readonly revert: JobHandler = {
    run: async (job, context) => {
      const { config } = job.payload as { config: CustomerKeyConfig };
      const tenantId = job.tenantId!;
      const now = await this.#read(tenantId);
      if (now.state !== 'reverting' || !same(now.config, config)) {
        if (now.state === 'platform_managed') return this.#alreadyDone(tenantId, now.state);
        throw new KeywardError('KW_STATE_CONFLICT', {
          message: 'The revert was aborted or the tenant changed meanwhile.',
          details: { state: now.state },
        });
      }
      const from = this.deps.rootKeys.customer(tenantId, config);
      const to = await this.deps.rootKeys.platform.current();
      const { rewrapped } = await this.deps.keyward.moveTenantKeys(tenantId, {
        to,
        from: onlyFrom(tenantId, from),
        progress: context.progress,
        guard: byokGuard(this.deps.byokConfigs, this.deps.audit, {
          tenantId,
          expect: { state: 'reverting', config, job },
          event: 'revert_done',
          audit: (change) => ({
            tenantId,
            actor: job.actor,
            operation: 'byok.revert',
            outcome: 'success',
            details: {
              jobId: job.id,
              cmkArn: config.cmkArn,
              rewrapped: rewrappedIn(change),
              from: now.heldFrom,
              to: 'platform_managed',
            },
          }),
          now: this.deps.now,
        }),
      });
      await this.#moved(tenantId, {
        tenantId,
        from: 'reverting',
        to: 'platform_managed',
        operation: 'byok.revert',
      });
      return { result: { state: 'platform_managed', rewrapped }, done: rewrapped };
    },
    failed: async (job, error) =>
      this.#failed(job, 'byok.revert', error, { state: 'reverting', event: 'revert_failed' }),
  };

  /** A switch found not in progress: done already (the configuration is the new one), or aborted. */
  async #finishedBefore(
    tenantId: string,
    now: ConfigNow,
    to: CustomerKeyConfig,
    what: string,
  ): Promise<JobOutcome> {
    if (now.state !== 'rotating_cmk' && same(now.config, to)) return this.#alreadyDone(tenantId, now.state);
    throw new KeywardError('KW_STATE_CONFLICT', {
      message: `The ${what} was aborted or the tenant changed meanwhile.`,
      details: { state: now.state },
    });
  }

  /**
   * The commit was made by an earlier run that died before telling anyone: the instances are told
   * now (evictions are safe to repeat); the state change was announced with the commit's audit.
   */
  async #alreadyDone(tenantId: string, state: ByokState): Promise<JobOutcome> {
    await this.#forget(tenantId);
    return { result: { state, alreadyDone: true } };
  }

  async #forget(tenantId: string): Promise<void> {
    this.deps.rootKeys.forget(tenantId);
    this.deps.keyward.evict(tenantId);
    await this.deps.publish({ kind: 'evict', tenantId, reason: 'keys-moved' });
  }

  async #read(tenantId: string): Promise<ConfigNow> {
    const row = await this.deps.byokConfigs.find(tenantId);
    if (row === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    return {
      state: row.state,
      heldFrom: row.heldFrom,
      config: {
        ...(row.roleArn === null ? {} : { roleArn: row.roleArn }),
        ...(row.cmkArn === null ? {} : { cmkArn: row.cmkArn }),
        ...(row.externalId === null ? {} : { externalId: row.externalId }),
      },
    };
  }

  /** After a commit that moved the tenant's keys: this instance and every other forget the old ones. */
  async #moved(tenantId: string, change: StateChange): Promise<void> {
    await this.#forget(tenantId);
    this.deps.onStateChange(change);
  }

  /**
   * A job that failed for good: a switch or revert returns the tenant to the state it was held
   * from (every key is still under the CMK it started with), and the failure is audited.
   */
  async #failed(
    job: Job,
    operation: string,
    error: JobError,
    holding: { state: ByokState; event: ByokEvent } | undefined,
  ): Promise<void> {
    const tenantId = job.tenantId!;
    let back: string | undefined;
    if (holding !== undefined) {
      const moved = await this.deps.byokConfigs.transition(tenantId, {
        expect: { state: holding.state },
        event: holding.event,
        at: this.deps.now(),
      });
      back = moved?.to;
    }
    await this.deps.audit.append({
      tenantId,
      actor: job.actor,
      operation,
      outcome: 'failure',
      details: {
        jobId: job.id,
        code: error.code,
        ...arnsOf(job.payload),
        ...(back === undefined ? {} : { from: holding!.state, to: back }),
      },
    });
    if (back !== undefined) this.deps.onStateChange({ tenantId, from: holding!.state, to: back, operation });
  }
}
