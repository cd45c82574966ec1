import { timingSafeEqual } from 'node:crypto';
import { KeywardError, type Keyward, type RootKey } from '@keyward/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { ByokConfigs } from '../store/byok-configs.js';
import type { Job, JobQueue } from '../store/job-queue.js';
import type { Database } from '../store/schema.js';
import type { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import type { AuditLog } from './audit-log.js';
import type { ByokState } from '../store/byok-states.js';
import type { JobHandler } from './job-runner.js';
import { byokGuard } from './key-transition.js';
import type { PlatformRoots } from './platform-roots.js';
import type { TenantEvent } from './tenant-events.js';
import type { Webhooks } from './webhooks.js';

/** States whose tenant keys the platform key wraps. */
const PLATFORM_STATES: ByokState[] = ['not_configured', 'pending', 'validated', 'platform_managed'];

export interface RootRotationDeps {
  db: Kysely<Database>;
  audit: AuditLog;
  jobs: JobQueue;
  platform: PlatformRoots;
  keyStore: SqlTenantKeyStore;
  keyward: Keyward<Transaction<Database>>;
  byokConfigs: ByokConfigs;
  webhooks: Webhooks;
  now: () => Date;
  publish: (event: TenantEvent) => Promise<void>;
  /** How often the parent job looks at its children. */
  pollMs: number;
}

/**
 * The operator's rotation of the platform root key: the new key becomes current at once (new
 * tenant keys are wrapped by it), and a parent job re-wraps every platform-managed tenant's keys
 * from the old key, one child job per tenant. Re-wrapping changes no tenant key, so nothing
 * cached is evicted and no ciphertext changes. The old key is retired when nothing uses it.
 */
export class RootRotation {
  constructor(private readonly deps: RootRotationDeps) {}

  async request(keyArn: string, actor: string): Promise<Job> {
    const target = await this.deps.platform.resolve(keyArn);
    await probe(target);
    const job = await this.deps.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('keyward.root-rotation:' || current_schema()))`.execute(
        trx,
      );
      const open = await trx
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', 'platform.rotate-root')
        .where('state', 'in', ['queued', 'running'])
        .executeTakeFirst();
      if (open !== undefined)
        throw new KeywardError('KW_STATE_CONFLICT', {
          message: `A platform root key rotation is in progress (${open.id}); wait for it to finish.`,
          details: { jobId: open.id },
        });
      const current = await this.deps.platform.current(trx);
      if (current.id === target.id && (await this.deps.platform.retiringIds(trx)).length === 0) {
        throw new KeywardError('KW_INVALID_ARGUMENT', {
          message: 'This key is already the platform root key and nothing is left to re-wrap.',
        });
      }
      await trx
        .updateTable('platform_root_keys')
        .set({ state: 'retiring' })
        .where('state', '=', 'current')
        .where('id', '!=', target.id)
        .execute();
      await trx
        .insertInto('platform_root_keys')
        .values({ id: target.id, state: 'current' })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ state: 'current', retired_at: null }))
        .execute();
      const from = await this.deps.platform.retiringIds(trx);
      const tenants = await this.deps.keyStore.tenantsUnder(from, trx);
      const parent = await this.deps.jobs.enqueueIn(trx, {
        kind: 'platform.rotate-root',
        tenantId: null,
        payload: { from, to: target.id },
        actor,
        total: tenants.length,
      });
      await this.deps.jobs.enqueueChildrenIn(
        trx,
        parent.id,
        'platform.rewrap-tenant',
        tenants,
        { to: target.id },
        actor,
      );
      await this.deps.audit.appendIn(trx, {
        tenantId: null,
        actor,
        operation: 'platform.root-key.rotate.request',
        outcome: 'success',
        details: { jobId: parent.id, from, to: target.id, tenants: tenants.length },
      });
      return parent;
    });
    await this.deps.publish({ kind: 'jobs-queued' });
    return job;
  }

  /** One tenant: every version under a platform key that is not current, re-wrapped under the current one. */
  readonly rewrapTenant: JobHandler = {
    run: async (job) => {
      const tenantId = job.tenantId!;
      const { platform } = this.deps;
      const current = await platform.current();
      const records = await this.deps.keyStore.listVersions(tenantId);
      const old = [];
      for (const record of records)
        if (record.rootKeyId !== current.id && (await platform.isPlatformRoot(record.rootKeyId)))
          old.push(record);
      // Enabled BYOK meanwhile (its keys are under the CMK now), or done before a crash: nothing to do.
      if (old.length === 0) return { result: { rewrapped: 0 }, done: 1 };
      const { rewrapped } = await this.deps.keyward.moveTenantKeys(tenantId, {
        to: current,
        from: platform.sourceFor(tenantId),
        // The tenant key itself does not change, nor which root the tenant's state names: what is cached stays good.
        keepCached: true,
        guard: byokGuard(this.deps.byokConfigs, this.deps.audit, {
          tenantId,
          expect: { state: PLATFORM_STATES, job },
          event: 'platform_rewrap',
          audit: (change) => ({
            tenantId,
            actor: job.actor,
            operation: 'platform.root-key.rewrap',
            outcome: 'success',
            details: {
              jobId: job.parentId,
              rewrapped: change.kind === 'root' ? change.change.replaced.length : 0,
              to: current.id,
            },
          }),
          now: this.deps.now,
        }),
      });
      return { result: { rewrapped }, done: 1 };
    },
  };

  /**
   * The parent: waits for its children; then catches tenants created under the old key by an
   * instance that had not yet seen the rotation, re-wraps the webhook secrets, and retires every
   * old key nothing uses any more.
   */
  readonly rotate: JobHandler = {
    run: async (job, context) => {
      const counts = await this.deps.jobs.childCounts(job.id);
      const finished = counts.succeeded + counts.failed + counts.cancelled;
      const total = finished + counts.queued + counts.running;
      await context.progress(counts.succeeded, total);
      if (counts.queued + counts.running > 0) return { waitMs: this.deps.pollMs };
      const retiring = await this.deps.platform.retiringIds();
      if (counts.failed === 0) {
        const stragglers = await this.deps.db.transaction().execute(async (trx) => {
          const tenants = await this.deps.keyStore.tenantsUnder(retiring, trx);
          await this.deps.jobs.enqueueChildrenIn(
            trx,
            job.id,
            'platform.rewrap-tenant',
            tenants,
            { to: (job.payload as { to: string }).to },
            job.actor,
          );
          return tenants.length;
        });
        if (stragglers > 0) return { waitMs: 0 };
      }
      const webhooks = await this.deps.webhooks.rewrapFrom(retiring, await this.deps.platform.current());
      const retired = await this.#retireUnused(retiring);
      const outcome = counts.failed === 0 ? 'success' : 'failure';
      await this.deps.audit.append({
        tenantId: null,
        actor: job.actor,
        operation: 'platform.root-key.rotate',
        outcome,
        details: { jobId: job.id, tenants: counts.succeeded, failed: counts.failed, webhooks, retired },
      });
      if (counts.failed > 0) {
        throw new KeywardError('KW_ROTATION_INCOMPLETE', {
          message: `${counts.failed} tenant(s) could not be re-wrapped (see this job's failed children); the old key stays in use for them. Request the rotation again to retry them.`,
          details: { failed: counts.failed },
        });
      }
      return { result: { tenants: counts.succeeded, webhooks, retired }, done: counts.succeeded };
    },
  };

  async #retireUnused(ids: string[]): Promise<string[]> {
    const retired: string[] = [];
    for (const id of ids) {
      const used =
        (await this.deps.keyStore.rootInUse(id)) ||
        (await this.deps.db
          .selectFrom('webhooks')
          .select('scope')
          .where('root_key_id', '=', id)
          .limit(1)
          .executeTakeFirst()) !== undefined;
      if (used) continue;
      await this.deps.db
        .updateTable('platform_root_keys')
        .set({ state: 'retired', retired_at: this.deps.now() })
        .where('id', '=', id)
        .where('state', '=', 'retiring')
        .execute();
      retired.push(id);
    }
    return retired;
  }
}

/** The new key must work before anything depends on it: a data key generated and unwrapped again. */
async function probe(root: RootKey): Promise<void> {
  const context = { tenantId: 'keyward-root-key-check', version: 0 };
  const { key, wrappedKey } = await root.generateTenantKey(context);
  const again = await root.unwrap(wrappedKey, context);
  try {
    if (!timingSafeEqual(key.bytes(), again.bytes()))
      throw new KeywardError('KW_ROOT_KEY_CONFIG', {
        message: 'The new platform key did not unwrap what it wrapped.',
      });
  } finally {
    key.zero();
    again.zero();
  }
}
