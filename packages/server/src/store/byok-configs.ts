import { KeywardError, type CheckReport } from '@keyward/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { HOLDING_STATES, transition, type ByokState } from './byok-states.js';
import {
  columnsOf,
  configOf,
  sameConfig,
  type ByokConfig,
  type ByokMove,
  type ByokRoot,
  type ByokTransition,
  type TenantView,
} from './byok-config-rows.js';
import type { Database } from './schema.js';

export type {
  ByokChange,
  ByokConfig,
  ByokMove,
  ByokRoot,
  ByokTransition,
  CustomerKeyConfig,
  TenantView,
} from './byok-config-rows.js';

/**
 * The one owner of `byok_configs` (ARCHITECTURE §5): every read and write of a tenant's BYOK
 * configuration is here, and every change of state goes through the state machine's `transition()`
 * as a compare-and-set on the state it was decided from, inside the caller's transaction when it
 * has one (the `…In(trx, …)` methods).
 */
export class ByokConfigs {
  constructor(private readonly db: Kysely<Database>) {}

  /** A new tenant's row: BYOK not configured (platform-managed keys). */
  async createIn(trx: Transaction<Database>, tenantId: string, at: Date): Promise<void> {
    await trx
      .insertInto('byok_configs')
      .values({
        tenant_id: tenantId,
        state: 'not_configured',
        external_id: null,
        state_since: at,
        updated_at: at,
      })
      .execute();
  }

  async find(tenantId: string): Promise<ByokConfig | undefined> {
    const row = await this.db
      .selectFrom('byok_configs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    return row === undefined ? undefined : configOf(row);
  }

  /** The tenant's configuration, or KW_TENANT_NOT_FOUND naming it. */
  async require(tenantId: string): Promise<ByokConfig> {
    const config = await this.find(tenantId);
    if (config === undefined)
      throw new KeywardError('KW_TENANT_NOT_FOUND', {
        message: `Tenant ${tenantId} does not exist.`,
        details: { tenantId },
      });
    return config;
  }

  /**
   * Moves the tenant by `change.event`, in the caller's transaction. The row is locked first (as the
   * update itself would lock it, so lock order is unchanged), checked against `expect`, and the new
   * state is `transition()`'s answer from that row. Returns undefined when the compare-and-set lost
   * (the state or configuration is not the one expected), with nothing written.
   */
  async transitionIn(
    trx: Transaction<Database>,
    tenantId: string,
    change: ByokTransition,
  ): Promise<ByokMove | undefined> {
    const row = await trx
      .selectFrom('byok_configs')
      .select(['state', 'held_from', 'role_arn', 'cmk_arn', 'external_id'])
      .where('tenant_id', '=', tenantId)
      .forNoKeyUpdate()
      .executeTakeFirst();
    const expected: readonly ByokState[] =
      typeof change.expect.state === 'string' ? [change.expect.state] : change.expect.state;
    const config = change.expect.config;
    if (row === undefined || !expected.includes(row.state as ByokState)) return undefined;
    if (config !== undefined && !sameConfig(row, config)) return undefined;
    const from = row.state as ByokState;
    const to = transition(from, change.event, row.held_from as ByokState | null);
    let update = trx
      .updateTable('byok_configs')
      .set({
        ...columnsOf(change.set ?? {}),
        state: to,
        ...(to !== from || change.restamp === true ? { state_since: change.at } : {}),
        ...heldFromOf(from, to),
        updated_at: change.at,
      })
      .where('tenant_id', '=', tenantId)
      .where('state', '=', from);
    if (config !== undefined)
      update = update
        .where('role_arn', '=', config.roleArn)
        .where('cmk_arn', '=', config.cmkArn)
        .where('external_id', '=', config.externalId);
    const updated = await update.executeTakeFirst();
    /* Precondition: the row is still the one read (it is locked, and the update compares again). */
    if (updated.numUpdatedRows === 0n) return undefined;
    return { from, to };
  }

  /** `transitionIn` in a transaction of its own, for a caller that has none. */
  transition(tenantId: string, change: ByokTransition): Promise<ByokMove | undefined> {
    return this.db.transaction().execute((trx) => this.transitionIn(trx, tenantId, change));
  }

  /** Stores a test report that changes no state (a CMK switch's test of the new key). */
  async recordTest(tenantId: string, report: CheckReport, at: Date): Promise<void> {
    await this.db
      .updateTable('byok_configs')
      .set({ last_test_report: JSON.stringify(report), last_tested_at: at })
      .where('tenant_id', '=', tenantId)
      .execute();
  }

  /**
   * Inside a transaction that adds a tenant key version: the tenant's state, its row held (FOR
   * SHARE) until the commit, so that a switch or revert committing meanwhile waits its turn.
   */
  async stateForShareIn(trx: Transaction<Database>, tenantId: string): Promise<ByokState | undefined> {
    const row = await trx
      .selectFrom('byok_configs')
      .select('state')
      .where('tenant_id', '=', tenantId)
      .forShare()
      .executeTakeFirst();
    return row?.state as ByokState | undefined;
  }

  /**
   * What decides the tenant's root key. Which platform key wraps a platform-managed tenant's
   * versions is the key store's answer, which core's keyring passes to the resolver.
   */
  async rootOf(tenantId: string): Promise<ByokRoot | undefined> {
    const row = await this.db
      .selectFrom('byok_configs')
      .select(['state', 'role_arn', 'cmk_arn', 'external_id', 'state_reason', 'held_from'])
      .where('tenant_id', '=', tenantId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    return {
      state: row.state as ByokState,
      heldFrom: row.held_from as ByokState | null,
      stateReason: row.state_reason,
      roleArn: row.role_arn,
      cmkArn: row.cmk_arn,
      externalId: row.external_id,
    };
  }

  async externalIdTaken(externalId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('byok_configs')
      .select('tenant_id')
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The tenant that registered a role (by `roleIdentity`). */
  async roleOwner(identity: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('byok_configs')
      .select('tenant_id')
      .where('role_identity', '=', identity)
      .executeTakeFirst();
    return row?.tenant_id;
  }

  /** Every saved customer role, by tenant (the platform's Service Role must be allowed to assume them). */
  async registeredRoles(): Promise<Array<{ tenantId: string; roleArn: string }>> {
    const rows = await this.db
      .selectFrom('byok_configs')
      .select(['tenant_id', 'role_arn'])
      .where('role_arn', 'is not', null)
      .orderBy('tenant_id')
      .execute();
    return rows.map((row) => ({ tenantId: row.tenant_id, roleArn: row.role_arn! }));
  }

  async tenantIdsIn(states: readonly ByokState[]): Promise<string[]> {
    const rows = await this.db
      .selectFrom('byok_configs')
      .select('tenant_id')
      .where('state', 'in', [...states])
      .execute();
    return rows.map((row) => row.tenant_id);
  }

  /** Tenants with their BYOK state and configuration (the tenant list's read model), by ID. */
  async tenantViews(id?: string): Promise<TenantView[]> {
    let query = this.db
      .selectFrom('tenants')
      .innerJoin('byok_configs', 'byok_configs.tenant_id', 'tenants.id')
      .select([
        'tenants.id',
        'tenants.name',
        'tenants.created_at',
        'byok_configs.state',
        'byok_configs.external_id',
        'byok_configs.role_arn',
        'byok_configs.cmk_arn',
        'byok_configs.region',
        'byok_configs.state_since',
        'byok_configs.state_reason',
      ]);
    if (id !== undefined) query = query.where('tenants.id', '=', id);
    const rows = await query.orderBy('tenants.id').execute();
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      createdAt: new Date(row.created_at),
      byok: {
        state: row.state as ByokState,
        externalId: row.external_id,
        roleArn: row.role_arn,
        cmkArn: row.cmk_arn,
        region: row.region,
        stateSince: new Date(row.state_since),
        stateReason: row.state_reason,
      },
    }));
  }

  /** How many tenants are in each state (metrics). */
  async countByState(): Promise<Array<{ state: string; count: number }>> {
    const rows = await this.db
      .selectFrom('byok_configs')
      .select(['state', sql<string>`count(*)`.as('count')])
      .groupBy('state')
      .execute();
    return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
  }
}

/** Entering a holding state records where from; leaving it forgets. */
function heldFromOf(from: ByokState, to: ByokState): { held_from?: string | null } {
  const wasHeld = HOLDING_STATES.includes(from);
  const isHeld = HOLDING_STATES.includes(to);
  if (isHeld && !wasHeld) return { held_from: from };
  if (wasHeld && !isHeld) return { held_from: null };
  return {};
}
