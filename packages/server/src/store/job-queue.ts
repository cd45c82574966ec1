import { randomUUID } from 'node:crypto';
import { KeywardError } from '@keyward/core';
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { sqlState, UNIQUE_VIOLATION } from './pg-errors.js';
import type { Database, JobsTable } from './schema.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const OPEN_JOB_STATES: JobState[] = ['queued', 'running'];

export interface JobError {
  code: string;
  message: string;
}

export interface Job {
  id: string;
  parentId: string | null;
  tenantId: string | null;
  kind: string;
  state: JobState;
  done: number;
  total: number;
  payload: unknown;
  result: unknown;
  error: JobError | null;
  actor: string;
  attempts: number;
  /** The instance holding it while it runs. */
  lockedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface NewJob {
  kind: string;
  tenantId: string | null;
  payload: unknown;
  actor: string;
  total?: number;
  parentId?: string;
}

export interface JobQueueOptions {
  /** This instance's name in `locked_by`. */
  instanceId: string;
  /** How long a claim holds without renewal: a dead worker's job is taken over after this. */
  leaseMs: number;
}

/**
 * The job queue on the store's own PostgreSQL (PGlite or a server): jobs are rows, claimed under a
 * renewable lease. Times come from the database, so instances with skewed clocks agree on leases.
 * Claims are serialized by an advisory lock, which makes "one running job per tenant" exact: a
 * job is never claimed while another of its tenant's runs under a live lease.
 */
export class JobQueue {
  constructor(
    private readonly db: Kysely<Database>,
    readonly options: JobQueueOptions,
  ) {}

  /** Adds a job in the caller's transaction; a second open lifecycle job for a tenant is refused. */
  async enqueueIn(trx: Transaction<Database>, job: NewJob): Promise<Job> {
    // Looked up first: after a unique violation the transaction is aborted and can say nothing more.
    if (job.tenantId !== null && job.parentId === undefined) {
      const open = await this.openJobOf(job.tenantId, trx);
      if (open !== undefined) throw busy(job.tenantId, open);
    }
    const id = `job_${randomUUID()}`;
    try {
      const row = await trx
        .insertInto('jobs')
        .values({
          id,
          parent_id: job.parentId ?? null,
          tenant_id: job.tenantId,
          kind: job.kind,
          state: 'queued',
          done: 0,
          total: job.total ?? 0,
          payload: JSON.stringify(job.payload),
          actor: job.actor,
          created_at: sql<Date>`now()` as never,
          updated_at: sql<Date>`now()` as never,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return jobOf(row);
    } catch (error) {
      // Another request queued one between the look-up and the insert.
      if (sqlState(error) === UNIQUE_VIOLATION && job.tenantId !== null) throw busy(job.tenantId, undefined);
      throw error;
    }
  }

  /** Children of a parent job, one per tenant, inserted in chunks within the caller's transaction. */
  async enqueueChildrenIn(
    trx: Transaction<Database>,
    parentId: string,
    kind: string,
    tenantIds: string[],
    payload: unknown,
    actor: string,
  ): Promise<void> {
    const text = JSON.stringify(payload);
    for (let start = 0; start < tenantIds.length; start += 1000) {
      const values = tenantIds.slice(start, start + 1000).map((tenantId) => ({
        id: `job_${randomUUID()}`,
        parent_id: parentId,
        tenant_id: tenantId,
        kind,
        state: 'queued',
        done: 0,
        total: 1,
        payload: text,
        actor,
        created_at: sql<Date>`now()` as never,
        updated_at: sql<Date>`now()` as never,
      }));
      await trx.insertInto('jobs').values(values).execute();
    }
  }

  async openJobOf(
    tenantId: string,
    db: Kysely<Database> | Transaction<Database> = this.db,
  ): Promise<Job | undefined> {
    const row = await db
      .selectFrom('jobs')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('parent_id', 'is', null)
      .where('state', 'in', OPEN_JOB_STATES)
      .executeTakeFirst();
    return row === undefined ? undefined : jobOf(row);
  }

  /**
   * Claims up to `limit` jobs that are due: queued ones, and running ones whose lease expired (their
   * worker died). At most one per tenant, and none for a tenant whose job runs elsewhere.
   */
  async claim(limit: number): Promise<Job[]> {
    const me = this.options.instanceId;
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('keyward.jobs.claim:' || current_schema()))`.execute(
        trx,
      );
      const rows = await sql<Selectable<JobsTable>>`
        with busy as (
          select tenant_id from jobs where state = 'running' and locked_until >= now() and tenant_id is not null
        ), due as (
          select j.id, j.tenant_id, j.created_at from jobs j
          where j.state in ('queued', 'running')
            and j.run_after <= now()
            and (j.state = 'queued' or j.locked_until < now())
            and (j.tenant_id is null or j.tenant_id not in (select tenant_id from busy))
          order by j.created_at, j.id
          limit ${limit * 4}
        )
        update jobs set state = 'running', locked_by = ${me}, locked_until = now() + ${this.options.leaseMs} * interval '1 millisecond',
          attempts = attempts + 1, updated_at = now()
        where id in (
          select distinct on (coalesce(due.tenant_id, due.id)) due.id from due order by coalesce(due.tenant_id, due.id), due.created_at
          limit ${limit}
        )
          -- Re-tested on the locked row: a job cancelled, finished or renewed since the snapshot stays as it is.
          and (state = 'queued' or (state = 'running' and locked_until < now()))
        returning *`.execute(trx);
      return rows.rows.map(jobOf);
    });
  }

  /** Extends this instance's leases; returns the ids it still holds (a lost lease means another instance took over). */
  async renew(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db
      .updateTable('jobs')
      .set({ locked_until: sql<Date>`now() + ${this.options.leaseMs} * interval '1 millisecond'` as never })
      .where('id', 'in', ids)
      .where('locked_by', '=', this.options.instanceId)
      .where('state', '=', 'running')
      .returning('id')
      .execute();
    return new Set(rows.map((row) => row.id));
  }

  async progress(id: string, done: number, total: number): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ done, total, updated_at: sql<Date>`now()` as never })
      .where('id', '=', id)
      .where('locked_by', '=', this.options.instanceId)
      .where('state', '=', 'running')
      .execute();
  }

  /** Ends a job this instance holds; false when it no longer held it (cancelled, or taken over). */
  async finish(
    id: string,
    state: 'succeeded' | 'failed',
    outcome: { result?: unknown; error?: JobError; done?: number },
  ): Promise<boolean> {
    const updated = await this.db
      .updateTable('jobs')
      .set({
        state,
        locked_by: null,
        locked_until: null,
        updated_at: sql<Date>`now()` as never,
        finished_at: sql<Date>`now()` as never,
        ...(outcome.result === undefined ? {} : { result: JSON.stringify(outcome.result) }),
        ...(outcome.error === undefined ? {} : { error: JSON.stringify(outcome.error) }),
        ...(outcome.done === undefined ? {} : { done: outcome.done }),
      })
      .where('id', '=', id)
      .where('locked_by', '=', this.options.instanceId)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  }

  /** Back to the queue after `delayMs`; `countAttempt: false` for a parent that only waits on its children. */
  async later(
    id: string,
    delayMs: number,
    options: { error?: JobError; countAttempt: boolean },
  ): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({
        state: 'queued',
        locked_by: null,
        locked_until: null,
        updated_at: sql<Date>`now()` as never,
        run_after: sql<Date>`now() + ${Math.max(0, Math.round(delayMs))} * interval '1 millisecond'` as never,
        ...(options.error === undefined ? {} : { error: JSON.stringify(options.error) }),
        ...(options.countAttempt ? {} : { attempts: sql<number>`attempts - 1` as never }),
      })
      .where('id', '=', id)
      .where('locked_by', '=', this.options.instanceId)
      .where('state', '=', 'running')
      .execute();
  }

  /** Cancels a tenant's open lifecycle job (an operator's abort) in the caller's transaction. */
  async cancelOpenIn(
    trx: Transaction<Database>,
    tenantId: string,
    reason: string,
  ): Promise<string | undefined> {
    const row = await trx
      .updateTable('jobs')
      .set({
        state: 'cancelled',
        locked_by: null,
        locked_until: null,
        updated_at: sql<Date>`now()` as never,
        finished_at: sql<Date>`now()` as never,
        error: JSON.stringify({ code: 'KW_JOB_CANCELLED', message: reason }),
      })
      .where('tenant_id', '=', tenantId)
      .where('parent_id', 'is', null)
      .where('state', 'in', OPEN_JOB_STATES)
      .returning('id')
      .executeTakeFirst();
    return row?.id;
  }

  async get(id: string): Promise<Job | undefined> {
    const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
    return row === undefined ? undefined : jobOf(row);
  }

  /** Children of a parent by state. */
  async childCounts(parentId: string): Promise<Record<JobState, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['state', sql<string>`count(*)`.as('count')])
      .where('parent_id', '=', parentId)
      .groupBy('state')
      .execute();
    const counts: Record<JobState, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, cancelled: 0 };
    for (const row of rows) counts[row.state as JobState] = Number(row.count);
    return counts;
  }

  /** A parent's children, oldest first. */
  async children(parentId: string, filter: { state?: JobState; limit: number }): Promise<Job[]> {
    let query = this.db.selectFrom('jobs').selectAll().where('parent_id', '=', parentId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    const rows = await query.orderBy('created_at').orderBy('id').limit(filter.limit).execute();
    return rows.map(jobOf);
  }

  /** Top-level jobs, newest first. */
  async list(filter: {
    tenantId?: string;
    state?: JobState;
    kind?: string;
    limit: number;
    before?: Date;
  }): Promise<Job[]> {
    let query = this.db.selectFrom('jobs').selectAll().where('parent_id', 'is', null);
    if (filter.tenantId !== undefined) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.state !== undefined) query = query.where('state', '=', filter.state);
    if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
    if (filter.before !== undefined) query = query.where('created_at', '<', filter.before);
    const rows = await query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit)
      .execute();
    return rows.map(jobOf);
  }
}

function busy(tenantId: string, open: Job | undefined): KeywardError {
  return new KeywardError('KW_STATE_CONFLICT', {
    message: `Tenant ${tenantId} already has a ${open?.kind ?? 'lifecycle'} job in progress${open === undefined ? '' : ` (${open.id})`}; wait for it to finish.`,
    details: { jobId: open?.id ?? null, kind: open?.kind ?? null },
  });
}

export function jobOf(row: Selectable<JobsTable>): Job {
  return {
    id: row.id,
    parentId: row.parent_id,
    tenantId: row.tenant_id,
    kind: row.kind,
    state: row.state as JobState,
    done: row.done,
    total: row.total,
    payload: parseJson(row.payload),
    result: parseJson(row.result),
    error: row.error === null ? null : (parseJson(row.error) as JobError),
    actor: row.actor,
    attempts: row.attempts,
    lockedBy: row.locked_by,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    finishedAt: row.finished_at === null ? null : new Date(row.finished_at),
  };
}

/** jsonb comes back parsed from pg and PGlite; a text column (error) comes back as text. */
function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? null;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
