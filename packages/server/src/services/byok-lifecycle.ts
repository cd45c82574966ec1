import {
  isKeywardError, KeywardError, platformIdentity, rewrapWrappedKey, roleIdentity, runOnboardingChecks, parseKmsKeyArn, parseRoleArn,
  type CheckReport, type Keyward, type RootKey, type WrappedKeyVersion,
} from '@keyward/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';
import type { AuditLog } from './audit-log.js';
import { transition, type ByokState } from './byok-states.js';
import { commitKeyTransition, readConfig, type ConfigRow } from './key-transition.js';
import type { RootKeys } from './root-keys.js';
import type { TenantEvent } from './tenant-events.js';
import type { Tenants } from './tenants.js';

export interface LifecycleDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  tenants: Tenants;
  rootKeys: RootKeys;
  keyStore: SqlTenantKeyStore;
  keyward: Keyward;
  serviceRoleArn: string;
  now?: () => Date;
  /** Tells the other instances that a tenant's keys moved to another root (evict, forget sessions). */
  publish?: (event: TenantEvent) => Promise<void>;
}

/**
 * The BYOK lifecycle beyond the first steps (ARCHITECTURE §3): test, enable, switch CMK, revert.
 * Every KMS call happens before anything is written; the writes then commit in one transaction
 * that re-checks the state they started from, with the audit event. A failure anywhere leaves the
 * previous state, configuration and wrapped keys exactly as they were.
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
  async test(tenantId: string, actor: string): Promise<CheckReport> {
    const row = await readConfig(this.deps.db, tenantId);
    const next = transition(row.state, 'test');
    const config = requireConfig(row, 'test');
    const report = await this.#check(tenantId, config);
    const state: ByokState = next === 'pending' || next === 'validated' ? transition(row.state, report.ok ? 'test_passed' : 'test_failed') : row.state;
    await this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('byok_configs')
        .set({ last_test_report: JSON.stringify(report), last_tested_at: this.#now(), ...(state === row.state ? {} : { state, state_since: this.#now(), state_reason: null }), updated_at: this.#now() })
        .where('tenant_id', '=', tenantId).where('state', '=', row.state)
        .where('role_arn', '=', config.roleArn).where('cmk_arn', '=', config.cmkArn).where('external_id', '=', config.externalId)
        .executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message: 'The BYOK configuration changed during the test; test again.' });
      await this.deps.audit.appendIn(trx, {
        tenantId, actor, operation: 'byok.test', outcome: report.ok ? 'success' : 'failure',
        details: { roleArn: config.roleArn, cmkArn: config.cmkArn, from: row.state, to: state, failed: report.results.filter((r) => r.status === 'fail').map((r) => r.code) },
      });
    });
    return report;
  }

  /**
   * Turns BYOK on after a passing test: every existing tenant key version is re-wrapped under the
   * CMK (checked by unwrapping it), a new version is created under the CMK, and the platform-wrapped
   * copies are replaced in the same transaction that makes the tenant active.
   */
  async enable(tenantId: string, actor: string): Promise<{ state: ByokState; keyVersion: number; rewrapped: number }> {
    const row = await readConfig(this.deps.db, tenantId);
    transition(row.state, 'enable');
    const config = requireConfig(row, 'enable');
    return this.#audited(tenantId, actor, 'byok.enable', { cmkArn: config.cmkArn }, async () => {
      const to = this.deps.rootKeys.customer(tenantId, config);
      const replaced = await this.#rewrapAll(tenantId, this.deps.rootKeys.platform, to);
      const policy = await this.deps.keyStore.getPolicy(tenantId);
      if (policy === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
      const version = policy.latestVersion + 1;
      const { key, wrappedKey } = await to.generateTenantKey({ tenantId, version });
      key.zero();
      const added: WrappedKeyVersion = { version, wrappedKey, rootKeyId: to.id, createdAt: this.#now() };
      await commitKeyTransition(this.deps.db, this.deps.audit, {
        tenantId, expect: { state: 'validated', config }, set: { state: 'active' }, replaced, fromRootId: this.deps.rootKeys.platform.id, toRootId: to.id, added, expectedLatest: policy.latestVersion,
        audit: { tenantId, actor, operation: 'byok.enable', outcome: 'success', details: { cmkArn: config.cmkArn, rewrapped: replaced.length, newVersion: version, from: 'validated', to: 'active' } },
        now: this.#now(),
      });
      this.deps.keyward.evict(tenantId);
      await this.deps.publish?.({ kind: 'evict', tenantId, reason: 'keys-moved' });
      return { state: 'active' as const, keyVersion: version, rewrapped: replaced.length };
    });
  }

  /**
   * Moves the tenant to another CMK (and optionally another role): tests the new configuration,
   * re-wraps every version under it, and drops the old wrapped copies only in the transaction that
   * switches, after each new one was unwrapped again.
   */
  async switchCmk(tenantId: string, input: { cmkArn: string; roleArn?: string }, actor: string): Promise<{ report: CheckReport; rewrapped: number }> {
    parseKmsKeyArn(input.cmkArn);
    if (input.roleArn !== undefined) parseRoleArn(input.roleArn);
    const row = await readConfig(this.deps.db, tenantId);
    transition(row.state, 'switch_cmk');
    const current = requireConfig(row, 'switch_cmk');
    const next = { roleArn: input.roleArn ?? current.roleArn, cmkArn: input.cmkArn, externalId: current.externalId };
    if (next.roleArn === current.roleArn && next.cmkArn === current.cmkArn) {
      throw new KeywardError('KW_INVALID_ARGUMENT', { message: 'The tenant already uses this CMK and role; give a different CMK ARN.' });
    }
    const report = await this.#check(tenantId, next);
    await this.deps.db.updateTable('byok_configs').set({ last_test_report: JSON.stringify(report), last_tested_at: this.#now() }).where('tenant_id', '=', tenantId).execute();
    if (!report.ok) {
      await this.deps.audit.append({ tenantId, actor, operation: 'byok.switch-cmk', outcome: 'failure', details: { code: 'KW_TEST_FAILED', fromCmkArn: current.cmkArn, toCmkArn: next.cmkArn, failed: report.results.filter((r) => r.status === 'fail').map((r) => r.code) } });
      throw new KeywardError('KW_TEST_FAILED', { message: 'The new CMK did not pass the onboarding test; the tenant still uses its current CMK.', details: { report } });
    }
    const result = await this.#inTransitionalState(tenantId, actor, row.state, 'rotating_cmk', 'byok.switch-cmk', { fromCmkArn: current.cmkArn, toCmkArn: next.cmkArn, roleArn: next.roleArn }, async () => {
      const from = this.deps.rootKeys.customer(tenantId, current);
      const to = this.deps.rootKeys.customer(tenantId, next);
      const replaced = await this.#rewrapAll(tenantId, from, to);
      await commitKeyTransition(this.deps.db, this.deps.audit, {
        tenantId, expect: { state: 'rotating_cmk', config: current },
        set: { state: row.state, role_arn: next.roleArn, role_identity: roleIdentity(next.roleArn), cmk_arn: next.cmkArn, region: parseKmsKeyArn(next.cmkArn).region },
        replaced, fromRootId: from.id, toRootId: to.id,
        audit: { tenantId, actor, operation: 'byok.switch-cmk', outcome: 'success', details: { fromCmkArn: current.cmkArn, toCmkArn: next.cmkArn, roleArn: next.roleArn, rewrapped: replaced.length } },
        now: this.#now(),
      });
      return { rewrapped: replaced.length };
    });
    this.deps.rootKeys.forget(tenantId);
    this.deps.keyward.evict(tenantId);
    await this.deps.publish?.({ kind: 'evict', tenantId, reason: 'keys-moved' });
    return { report, ...result };
  }

  /**
   * Operator only: back to the platform key. It needs the customer's CMK one last time, to unwrap
   * the tenant keys: a customer who revoked access cannot be reverted around.
   */
  async revert(tenantId: string, actor: string): Promise<{ state: ByokState; rewrapped: number }> {
    const row = await readConfig(this.deps.db, tenantId);
    transition(row.state, 'revert');
    const config = requireConfig(row, 'revert');
    const result = await this.#inTransitionalState(tenantId, actor, row.state, 'reverting', 'byok.revert', { cmkArn: config.cmkArn }, async () => {
      const from = this.deps.rootKeys.customer(tenantId, config);
      const to = this.deps.rootKeys.platform;
      const replaced = await this.#rewrapAll(tenantId, from, to);
      await commitKeyTransition(this.deps.db, this.deps.audit, {
        tenantId, expect: { state: 'reverting', config }, set: { state: 'platform_managed' }, replaced, fromRootId: from.id, toRootId: to.id,
        audit: { tenantId, actor, operation: 'byok.revert', outcome: 'success', details: { cmkArn: config.cmkArn, rewrapped: replaced.length, from: row.state, to: 'platform_managed' } },
        now: this.#now(),
      });
      return { rewrapped: replaced.length };
    });
    this.deps.rootKeys.forget(tenantId);
    this.deps.keyward.evict(tenantId);
    await this.deps.publish?.({ kind: 'evict', tenantId, reason: 'keys-moved' });
    return { state: 'platform_managed', ...result };
  }

  async #check(tenantId: string, config: { roleArn: string; cmkArn: string; externalId: string }): Promise<CheckReport> {
    const ports = this.deps.rootKeys.auditedPorts(tenantId);
    return runOnboardingChecks(
      { platform: platformIdentity(this.deps.serviceRoleArn), tenantId, externalId: config.externalId, roleArn: config.roleArn, keyArn: config.cmkArn },
      { ...ports, roleOwner: (identity) => this.deps.tenants.roleOwner(identity) },
    );
  }

  /** Every version under `from`, re-wrapped under `to` and verified; versions already under `to` are left out. */
  async #rewrapAll(tenantId: string, from: RootKey, to: RootKey): Promise<WrappedKeyVersion[]> {
    const records = await this.deps.keyStore.listVersions(tenantId);
    if (records.length === 0) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    const replaced: WrappedKeyVersion[] = [];
    for (const record of records) {
      if (record.rootKeyId === to.id) continue;
      if (record.rootKeyId !== from.id) throw new KeywardError('KW_ROOT_KEY_MISMATCH', { details: { tenantId, version: record.version, wrappedBy: record.rootKeyId, expected: from.id } });
      replaced.push({ ...record, wrappedKey: await rewrapWrappedKey(tenantId, record, from, to), rootKeyId: to.id });
    }
    return replaced;
  }

  /**
   * Holds the tenant in a transitional state (rotating_cmk, reverting) while `work` runs, so that
   * no other lifecycle operation starts meanwhile; on failure the original state comes back.
   */
  async #inTransitionalState<T>(tenantId: string, actor: string, origin: ByokState, holding: ByokState, operation: string, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    await this.#setState(tenantId, origin, holding);
    try {
      return await work();
    } catch (error) {
      await this.#setState(tenantId, holding, origin).catch(() => undefined);
      await this.deps.audit.append({ tenantId, actor, operation, outcome: 'failure', details: { ...details, code: isKeywardError(error) ? error.code : 'KW_INTERNAL' } });
      throw error;
    }
  }

  /**
   * Operator only: ends a CMK switch or a revert that was interrupted (the process died, or its
   * restore failed). Until such an operation commits, every key is still wrapped by the tenant's
   * current CMK, so returning to the state it started from is safe; an operation still running
   * then fails its own commit, and changes nothing.
   */
  async abort(tenantId: string, actor: string): Promise<{ state: ByokState }> {
    const row = await readConfig(this.deps.db, tenantId);
    transition(row.state, 'abort');
    const held = await this.deps.db.selectFrom('byok_configs').select('held_from').where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    // held_from is always set since migration 0002. A switch only starts from active; a revert left
    // from before that migration goes back to active too, and health checks (issue 6) re-derive
    // degraded or revoked from AWS's answers.
    const back = (held.held_from ?? 'active') as ByokState;
    const at = this.#now();
    await this.deps.db.transaction().execute(async (trx) => {
      const updated = await trx.updateTable('byok_configs').set({ state: back, held_from: null, state_since: at, updated_at: at })
        .where('tenant_id', '=', tenantId).where('state', '=', row.state).executeTakeFirst();
      if (updated.numUpdatedRows === 0n) throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message: 'The operation finished or changed meanwhile; nothing was aborted.' });
      await this.deps.audit.appendIn(trx, { tenantId, actor, operation: 'byok.abort', outcome: 'success', details: { from: row.state, to: back } });
    });
    this.deps.keyward.evict(tenantId);
    return { state: back };
  }

  async #setState(tenantId: string, from: ByokState, to: ByokState): Promise<void> {
    const at = this.#now();
    // Entering a holding state remembers where it came from; leaving one forgets it.
    const holding = to === 'rotating_cmk' || to === 'reverting';
    const updated = await this.deps.db.updateTable('byok_configs').set({ state: to, state_since: at, updated_at: at, held_from: holding ? from : null })
      .where('tenant_id', '=', tenantId).where('state', '=', from).executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw new KeywardError('KW_CONCURRENT_MODIFICATION', { message: 'The tenant\'s BYOK state changed meanwhile; retry.' });
  }

  /** Runs `work`; a failure is audited with its code before it propagates. */
  async #audited<T>(tenantId: string, actor: string, operation: string, details: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const code = sqlState(error) === UNIQUE_VIOLATION ? 'KW_CONCURRENT_MODIFICATION' : isKeywardError(error) ? error.code : 'KW_INTERNAL';
      await this.deps.audit.append({ tenantId, actor, operation, outcome: 'failure', details: { ...details, code } });
      throw error;
    }
  }
}

function requireConfig(row: ConfigRow, event: string): { roleArn: string; cmkArn: string; externalId: string } {
  if (row.external_id === null || row.role_arn === null || row.cmk_arn === null) {
    throw new KeywardError('KW_STATE_CONFLICT', {
      message: `Cannot ${event.replaceAll('_', ' ')}: issue the External ID and save the Role ARN and CMK ARN first.`,
      details: { state: row.state, missing: [row.external_id === null && 'externalId', row.role_arn === null && 'roleArn', row.cmk_arn === null && 'cmkArn'].filter(Boolean) },
    });
  }
  return { roleArn: row.role_arn, cmkArn: row.cmk_arn, externalId: row.external_id };
}
