import {
  AssumedRoleCredentialCache,
  CustomerKmsRootKey,
  isKeywardError,
  KeywardError,
  type Clock,
  type Keyward,
} from '@keyward/core';
import type { Kysely } from 'kysely';
import type { ByokConfigs } from '../store/byok-configs.js';
import type { Database } from '../store/schema.js';
import type { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import type { AuditLog } from './audit-log.js';
import { transition, type ByokState } from './byok-states.js';
import type { RootKeys } from './root-keys.js';
import type { TenantEvent } from './tenant-events.js';

/** What a check of the customer's key found. */
export type HealthFinding = 'ok' | 'denied' | 'disabled' | 'pending_deletion' | 'not_found' | 'unreachable';

export interface HealthOutcome {
  tenantId: string;
  finding: HealthFinding;
  /** The state after the check. */
  state: ByokState;
  reason: string | null;
  /** When the customer scheduled the key's deletion, if it did. */
  deletionDate?: string;
}

/** The customer withdrew access (stop serving now) versus AWS could not answer (keep serving a while). */
const REVOKING: Record<string, HealthFinding> = {
  KW_KMS_ACCESS_DENIED: 'denied',
  KW_STS_ACCESS_DENIED: 'denied',
  KW_STS_REGION_DISABLED: 'denied',
  KW_KMS_KEY_DISABLED: 'disabled',
  KW_KMS_KEY_PENDING_DELETION: 'pending_deletion',
  KW_KMS_KEY_NOT_FOUND: 'not_found',
  // Key material deleted, a custom key store disconnected: the customer's doing, and the key unusable.
  KW_KMS_KEY_INVALID_STATE: 'disabled',
};

/** How an AWS failure reads as a finding; undefined when it says nothing about the customer's key. */
export function findingOf(error: unknown): HealthFinding | undefined {
  if (!isKeywardError(error)) return undefined;
  const revoking = REVOKING[error.code];
  if (revoking !== undefined) return revoking;
  return error.category === 'unavailable' ? 'unreachable' : undefined;
}

const REASONS: Record<Exclude<HealthFinding, 'ok' | 'unreachable'>, string> = {
  denied:
    "denied: the customer's key policy, the role's permissions or its trust policy no longer let the platform use the CMK",
  disabled: 'disabled: the customer disabled the CMK',
  pending_deletion: 'pending deletion: the customer scheduled the CMK for deletion',
  not_found: "not found: the CMK no longer exists in the customer's account and region",
};

export interface HealthMonitorDeps {
  db: Kysely<Database>;
  byokConfigs: ByokConfigs;
  audit: AuditLog;
  rootKeys: RootKeys;
  keyStore: SqlTenantKeyStore;
  keyward: Keyward;
  clock: Clock;
  /** How long a degraded tenant is served from cached keys before failing closed (capped at the cache TTL). */
  graceMs: number;
  /** Tells the other instances to evict too. */
  publish?: (event: TenantEvent) => Promise<void>;
  /** A change of state, after it committed (metrics, webhooks). */
  onChange?: (change: {
    tenantId: string;
    from: ByokState;
    to: ByokState;
    finding: HealthFinding;
    reason: string | null;
  }) => void;
}

/**
 * Checks BYOK tenants' access to their CMK the way the data plane uses it (a fresh AssumeRole,
 * then Decrypt of the newest wrapped tenant key) and moves their state (ARCHITECTURE §3):
 * - the customer withdrew access (denied, disabled, pending deletion, not found) → `revoked`, and
 *   the tenant's keys are evicted at once: fail closed;
 * - AWS could not answer → `degraded`: cached keys keep serving for the grace period, then are
 *   evicted; an outage never revokes;
 * - access works → `active` again, with nothing lost.
 */
export class HealthMonitor {
  constructor(private readonly deps: HealthMonitorDeps) {}

  async check(tenantId: string): Promise<HealthOutcome> {
    const row = await this.deps.byokConfigs.find(tenantId);
    if (row === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    transition(row.state, 'health_ok');
    const ports = this.deps.rootKeys.auditedPorts(tenantId);
    const root = new CustomerKmsRootKey({
      kms: ports.kms,
      // A fresh session each time: a trust policy changed since the last AssumeRole must show.
      credentials: new AssumedRoleCredentialCache(ports.sts, { clock: this.deps.clock }),
      tenantId,
      roleArn: row.roleArn!,
      keyArn: row.cmkArn!,
      externalId: row.externalId!,
    });
    let finding: HealthFinding = 'ok';
    let deletionDate: string | undefined;
    try {
      const versions = await this.deps.keyStore.listVersions(tenantId);
      const newest = versions.at(-1);
      if (newest === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
      (await root.unwrap(newest.wrappedKey, { tenantId, version: newest.version })).zero();
    } catch (error) {
      const found = findingOf(error);
      if (found === undefined) throw error;
      finding = found;
      if (finding === 'pending_deletion') deletionDate = await this.#deletionDate(root);
    }
    return this.apply(tenantId, finding, deletionDate);
  }

  /**
   * Applies a finding, from a check or from the data plane (a KMS error on a cache miss), as one
   * compare-and-set on the state, audited; evicts the tenant's keys when access was withdrawn.
   */
  async apply(tenantId: string, finding: HealthFinding, deletionDate?: string): Promise<HealthOutcome> {
    const row = await this.deps.byokConfigs.find(tenantId);
    if (row === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    const from = row.state;
    const event =
      finding === 'ok' ? 'health_ok' : finding === 'unreachable' ? 'health_unreachable' : 'health_denied';
    const to = transition(from, event);
    const reason =
      finding === 'ok'
        ? null
        : finding === 'unreachable'
          ? from === 'revoked'
            ? row.stateReason
            : 'unreachable: AWS did not answer (timeouts, errors or throttling)'
          : `${REASONS[finding]}${deletionDate === undefined ? '' : ` (deletion on ${deletionDate})`}`;
    if (to === 'revoked' || (finding !== 'ok' && finding !== 'unreachable'))
      this.deps.keyward.evict(tenantId);
    let changed = false;
    if (to !== from || reason !== row.stateReason) {
      const at = new Date(this.deps.clock.now());
      await this.deps.db.transaction().execute(async (trx) => {
        const moved = await this.deps.byokConfigs.transitionIn(trx, tenantId, {
          expect: { state: from },
          event,
          set: { stateReason: reason },
          at,
        });
        // Another check or a lifecycle operation moved the tenant first: its outcome stands.
        if (moved === undefined) return;
        if (to !== from) changed = true;
        await this.deps.audit.appendIn(trx, {
          tenantId,
          actor: 'keyward:health',
          operation: 'byok.health',
          outcome: finding === 'ok' ? 'success' : finding === 'unreachable' ? 'failure' : 'denied',
          details: { finding, from, to, reason, ...(deletionDate === undefined ? {} : { deletionDate }) },
        });
      });
    }
    if (changed) this.deps.onChange?.({ tenantId, from, to, finding, reason });
    if (to === 'revoked') {
      // Again after the write: a request between the first eviction and the write reloaded the key.
      this.deps.keyward.evict(tenantId);
      // AWS does not end sessions when a trust policy changes: drop ours, so that nothing (a
      // revert, a cache miss) can keep using a session assumed before the revocation.
      this.deps.rootKeys.forget(tenantId);
      await this.deps.publish?.({ kind: 'evict', tenantId, reason: 'revoked' });
    }
    if (to === 'degraded')
      await this.#failClosedAfterGrace(
        tenantId,
        to === from ? row.stateSince : new Date(this.deps.clock.now()),
      );
    return { tenantId, finding, state: to, reason, ...(deletionDate === undefined ? {} : { deletionDate }) };
  }

  /** Past the grace period of an outage, cached keys are dropped: the tenant fails closed until AWS answers. */
  async #failClosedAfterGrace(tenantId: string, degradedSince: Date): Promise<void> {
    if (this.deps.clock.now() - degradedSince.getTime() < this.deps.graceMs) return;
    this.deps.keyward.evict(tenantId);
    await this.deps.publish?.({ kind: 'evict', tenantId, reason: 'outage-past-grace' });
  }

  /** The scheduled deletion date, for the warning; a key that cannot be described has none to give. */
  async #deletionDate(root: CustomerKmsRootKey): Promise<string | undefined> {
    try {
      return (await root.describe()).deletionDate?.toISOString();
    } catch {
      return undefined;
    }
  }
}

/**
 * Runs the checks periodically: every tenant with BYOK on is checked once per interval, at a
 * random point within it, so that checks spread over time and instances do not all call AWS at
 * once. Timers are unref'd; a failed check is logged and tried again next interval.
 */
export class HealthSchedule {
  readonly #timers = new Set<NodeJS.Timeout>();
  /** When this instance last checked each tenant, and when it will next (shown by the console). */
  readonly #last = new Map<string, Date>();
  readonly #next = new Map<string, Date>();
  #interval: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(
    private readonly monitor: HealthMonitor,
    private readonly byokConfigs: Pick<ByokConfigs, 'tenantIdsIn'>,
    private readonly intervalMs: number,
    private readonly onError: (tenantId: string, error: unknown) => void = () => undefined,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    if (this.#interval !== undefined || this.intervalMs <= 0) return;
    this.#interval = setInterval(() => void this.#round(), this.intervalMs);
    this.#interval.unref();
    void this.#round();
  }

  /** This instance's last and next periodic check of a tenant (other instances check it too). */
  timesOf(tenantId: string): { last: Date | undefined; next: Date | undefined } {
    return { last: this.#last.get(tenantId), next: this.#next.get(tenantId) };
  }

  stop(): void {
    this.#stopped = true;
    if (this.#interval !== undefined) clearInterval(this.#interval);
    this.#interval = undefined;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  async #round(): Promise<void> {
    let tenants: string[];
    try {
      tenants = await this.byokConfigs.tenantIdsIn(['active', 'degraded', 'revoked']);
    } catch (error) {
      this.onError('*', error);
      return;
    }
    if (this.#stopped) return;
    for (const tenantId of tenants) {
      const delay = Math.floor(this.random() * this.intervalMs * 0.9);
      this.#next.set(tenantId, new Date(Date.now() + delay));
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        this.monitor.check(tenantId).then(
          () => this.#last.set(tenantId, new Date()),
          (error: unknown) => this.onError(tenantId, error),
        );
      }, delay);
      timer.unref();
      this.#timers.add(timer);
    }
  }
}
