import {
  checkTenantId,
  issueExternalId,
  KeywardError,
  parseKmsKeyArn,
  parseRoleArn,
  REGENERATED_NOTICE,
  isKeywardError,
  type KeyChange,
  type Keyward,
  type RootKey,
} from '@keyward/core';
import type { Kysely, Transaction } from 'kysely';
import { ByokConfigs, type TenantView } from '../store/byok-configs.js';
import { sqlState, UNIQUE_VIOLATION } from '../store/pg-errors.js';
import type { Database } from '../store/schema.js';
import { requireCurrentPlatformKey, retryAcrossRotation } from './current-root-guard.js';
import type { AuditLog } from './audit-log.js';
import { transition } from '../store/byok-states.js';

export type { TenantView } from '../store/byok-configs.js';

/** What a new tenant's first key needs: the platform key that wraps it, and core's keyring. */
export interface TenantKeys {
  platformRoots: { current(): Promise<RootKey> };
  keyward: Keyward<Transaction<Database>>;
}

/**
 * Tenants and the first BYOK step. Every change is one transaction that re-checks the state it
 * started from, and is audited; the database's unique constraints keep External IDs unique.
 */
export class Tenants {
  /**
   * With `keys`, a new tenant gets its first tenant key (version 1, wrapped by the platform key)
   * from core's keyring, in the same transaction that creates it: a tenant never exists without keys.
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly audit: AuditLog,
    private readonly now: () => Date = () => new Date(),
    private readonly keys?: TenantKeys,
    private readonly byokConfigs: ByokConfigs = new ByokConfigs(db),
  ) {}

  async create(input: { id: string; name: string }, actor: string): Promise<TenantView> {
    checkTenantId(input.id);
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (name.length === 0 || name.length > 200)
      throw new KeywardError('KW_INVALID_ARGUMENT', { message: 'A tenant name is 1 to 200 characters.' });
    // A platform key rotation between choosing the key and the commit refuses the commit: try again with the new key.
    await retryAcrossRotation(() => this.#insert(input.id, name, actor));
    return this.get(input.id);
  }

  async #insert(id: string, name: string, actor: string): Promise<void> {
    const at = this.now();
    const rows = (trx: Transaction<Database>, change?: KeyChange) =>
      this.#rows(trx, id, name, at, actor, change);
    try {
      if (this.keys === undefined) {
        await this.db.transaction().execute((trx) => rows(trx));
        return;
      }
      // Refuse a duplicate before asking KMS for a key that would be thrown away.
      await this.#notTaken(id);
      await this.keys.keyward.createTenantKey(id, {
        root: await this.keys.platformRoots.current(),
        guard: rows,
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION || isKeywardError(error, 'KW_TENANT_EXISTS'))
        throw new KeywardError('KW_TENANT_EXISTS', {
          message: `Tenant ${id} already exists.`,
          details: { tenantId: id },
        });
      throw error;
    }
  }

  /** The tenant's own rows and audit event, in the transaction that creates its first key (if any). */
  async #rows(
    trx: Transaction<Database>,
    id: string,
    name: string,
    at: Date,
    actor: string,
    change?: KeyChange,
  ): Promise<void> {
    await trx.insertInto('tenants').values({ id, name, created_at: at }).execute();
    await this.byokConfigs.createIn(trx, id, at);
    const first = change?.kind === 'create' ? change.record : undefined;
    if (first !== undefined) await requireCurrentPlatformKey(trx, first.rootKeyId);
    await this.audit.appendIn(trx, {
      tenantId: id,
      actor,
      operation: 'tenant.create',
      outcome: 'success',
      details: { name, ...(first === undefined ? {} : { keyVersion: 1, rootKeyId: first.rootKeyId }) },
    });
  }

  async #notTaken(tenantId: string): Promise<void> {
    const exists = await this.db
      .selectFrom('tenants')
      .select('id')
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (exists !== undefined)
      throw new KeywardError('KW_TENANT_EXISTS', {
        message: `Tenant ${tenantId} already exists.`,
        details: { tenantId },
      });
  }

  async get(id: string): Promise<TenantView> {
    checkTenantId(id);
    const [tenant] = await this.byokConfigs.tenantViews(id);
    if (tenant === undefined)
      throw new KeywardError('KW_TENANT_NOT_FOUND', {
        message: `Tenant ${id} does not exist.`,
        details: { tenantId: id },
      });
    return tenant;
  }

  async list(): Promise<TenantView[]> {
    return this.byokConfigs.tenantViews();
  }

  /** Issues (or re-issues) the tenant's External ID: not_configured/pending/validated → pending. */
  async issueExternalId(id: string, actor: string): Promise<{ externalId: string; notice: string | null }> {
    const tenant = await this.get(id);
    const next = transition(tenant.byok.state, 'issue_external_id');
    const externalId = await issueExternalId((candidate) => this.byokConfigs.externalIdTaken(candidate));
    const at = this.now();
    await this.db.transaction().execute(async (trx) => {
      const moved = await this.byokConfigs.transitionIn(trx, id, {
        expect: { state: tenant.byok.state },
        event: 'issue_external_id',
        set: { externalId, stateReason: null },
        at,
        restamp: true,
      });
      if (moved === undefined)
        throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
          message: "The tenant's BYOK state changed meanwhile; retry.",
        });
      await this.audit.appendIn(trx, {
        tenantId: id,
        actor,
        operation: tenant.byok.externalId === null ? 'byok.external-id.issue' : 'byok.external-id.regenerate',
        outcome: 'success',
        details: { from: tenant.byok.state, to: next },
      });
    });
    const notice = tenant.byok.externalId === null ? null : REGENERATED_NOTICE;
    return { externalId, notice };
  }

  /**
   * Saves the customer's Role ARN and CMK ARN (pending or validated → pending: a new configuration
   * needs a new test). One role serves one tenant, which the database enforces on its identity.
   */
  async configure(
    id: string,
    input: { roleArn: string; keyArn: string },
    actor: string,
  ): Promise<TenantView> {
    parseRoleArn(input.roleArn);
    parseKmsKeyArn(input.keyArn);
    const tenant = await this.get(id);
    transition(tenant.byok.state, 'configure');
    const at = this.now();
    try {
      await this.db.transaction().execute(async (trx) => {
        const moved = await this.byokConfigs.transitionIn(trx, id, {
          expect: { state: tenant.byok.state },
          event: 'configure',
          set: {
            customerKey: { roleArn: input.roleArn, cmkArn: input.keyArn },
            stateReason: null,
            lastTest: null,
          },
          at,
          restamp: true,
        });
        if (moved === undefined)
          throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
            message: "The tenant's BYOK state changed meanwhile; retry.",
          });
        await this.audit.appendIn(trx, {
          tenantId: id,
          actor,
          operation: 'byok.configure',
          outcome: 'success',
          details: { roleArn: input.roleArn, cmkArn: input.keyArn },
        });
      });
    } catch (error) {
      if (sqlState(error) === UNIQUE_VIOLATION)
        throw new KeywardError('KW_ROLE_ALREADY_REGISTERED', { details: { roleArn: input.roleArn } });
      throw error;
    }
    return this.get(id);
  }

  /** The tenant that registered a role (by `roleIdentity`), for the onboarding test's "one role, one tenant" check. */
  async roleOwner(identity: string): Promise<string | undefined> {
    return this.byokConfigs.roleOwner(identity);
  }
}
