import { setTimeout as sleep } from 'node:timers/promises';
import { KeywardError } from '@keyward/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../src/index.js';
import { JobQueue, type Job, type NewJob } from '../../src/store/job-queue.js';
import { CHECK_VIOLATION, FOREIGN_KEY_VIOLATION, sqlState } from '../../src/store/pg-errors.js';
import { BACKENDS, refuses } from './backends.js';

/** Long enough that a lease never runs out by accident while a test runs. */
const LONG_LEASE_MS = 60_000;
/** Short enough that tests can watch a lease run out without waiting long. */
// Long enough that a busy machine's pause between two renewals (every sixth of it) never loses it.
const SHORT_LEASE_MS = 1500;

describe.each(BACKENDS)('JobQueue on $name', (backend) => {
  let store: Store;
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    // Jobs go with their tenants (on delete cascade), but tenant-less ones (a root rotation) would stay: delete them first.
    await store.db.deleteFrom('jobs').execute();
    await store.db.deleteFrom('tenants').execute();
    await addTenants(['t1', 't2', 't3', 't4']);
  });

  /** A queue as one instance sees it; several on the same store stand for several processes. */
  function queueOf(instanceId: string, leaseMs = LONG_LEASE_MS): JobQueue {
    return new JobQueue(store.db, { instanceId, leaseMs });
  }

  /** Tenant rows, since jobs reference tenants.id; in chunks to stay under the bind-parameter limit. */
  async function addTenants(ids: string[]): Promise<void> {
    for (let start = 0; start < ids.length; start += 1000) {
      await store.db
        .insertInto('tenants')
        .values(ids.slice(start, start + 1000).map((id) => ({ id, name: id.toUpperCase() })))
        .execute();
    }
  }

  /** Enqueues in a transaction of its own, as the services do. */
  function enqueue(queue: JobQueue, job: NewJob): Promise<Job> {
    return store.db.transaction().execute((trx) => queue.enqueueIn(trx, job));
  }

  function lifecycleJob(tenantId: string, overrides: Partial<NewJob> = {}): NewJob {
    return {
      kind: 'byok.enable',
      tenantId,
      payload: { config: { cmkArn: `arn:${tenantId}` } },
      actor: `admin:${tenantId}`,
      ...overrides,
    };
  }

  /** The lease columns, which Job does not expose. */
  function leaseOf(id: string) {
    return store.db
      .selectFrom('jobs')
      .select(['state', 'locked_by', 'attempts'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  }

  /** PostgreSQL only: inserts into jobs blocked on another transaction's lock (a pending unique-index check). */
  async function insertsWaitingOnLocks(): Promise<number> {
    const { rows } = await sql<{ waiting: number }>`select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query like 'insert into "jobs"%'`.execute(
      store.db,
    );
    return rows[0]?.waiting ?? 0;
  }

  function idsOf(jobs: Job[]): string[] {
    return jobs.map((job) => job.id).sort();
  }

  it('enqueues a job that get, list and openJobOf show queued; a second open lifecycle job for the tenant conflicts until the first finishes', async () => {
    const queue = queueOf('a');
    const first = await enqueue(queue, lifecycleJob('t1', { total: 4 }));
    expect(first).toMatchObject({
      id: expect.stringMatching(/^job_/),
      parentId: null,
      tenantId: 't1',
      kind: 'byok.enable',
      state: 'queued',
      done: 0,
      total: 4,
      payload: { config: { cmkArn: 'arn:t1' } },
      result: null,
      error: null,
      actor: 'admin:t1',
      attempts: 0,
      finishedAt: null,
    });
    expect(await queue.get(first.id)).toEqual(first);
    expect(await queue.list({ tenantId: 't1', limit: 10 })).toEqual([first]);
    expect(await queue.list({ state: 'running', limit: 10 })).toEqual([]);
    expect(await queue.openJobOf('t1')).toEqual(first);
    expect(await queue.openJobOf('t2')).toBeUndefined();

    const conflict = await enqueue(queue, lifecycleJob('t1', { kind: 'byok.revert' })).catch(
      (error: unknown) => error,
    );
    expect(conflict).toBeInstanceOf(KeywardError);
    expect(conflict).toMatchObject({
      code: 'KW_STATE_CONFLICT',
      details: { jobId: first.id, kind: 'byok.enable' },
    });
    expect(await queue.list({ tenantId: 't1', limit: 10 })).toEqual([first]);

    // Another tenant is not held up by t1's job.
    await enqueue(queue, lifecycleJob('t2'));
    expect(await queue.claim(10)).toHaveLength(2);
    expect(await queue.finish(first.id, 'succeeded', { result: { ok: true } })).toBe(true);
    expect(await queue.get(first.id)).toMatchObject({
      state: 'succeeded',
      result: { ok: true },
      finishedAt: expect.any(Date),
    });
    expect(await queue.openJobOf('t1')).toBeUndefined();
    const next = await enqueue(queue, lifecycleJob('t1', { kind: 'byok.revert' }));
    expect(await queue.openJobOf('t1')).toMatchObject({ id: next.id, kind: 'byok.revert', state: 'queued' });
  });

  it('an enqueue that looked before a concurrent one committed is refused by the unique index, still as KW_STATE_CONFLICT', async () => {
    const queue = queueOf('a');
    let second: Promise<unknown> = Promise.resolve();
    const first = await store.db.transaction().execute(async (trx) => {
      const job = await queue.enqueueIn(trx, lifecycleJob('t1'));
      second = enqueue(queue, lifecycleJob('t1', { kind: 'byok.revert' })).catch((error: unknown) => error);
      // On PostgreSQL, commit only once the second has looked (finding nothing committed) and its insert waits on
      // this row. PGlite has one connection: the second transaction starts after this one, and finds the job.
      if (store.kind === 'postgres') await expect.poll(() => insertsWaitingOnLocks()).toBeGreaterThan(0);
      return job;
    });
    const refused = await second;
    expect(refused).toBeInstanceOf(KeywardError);
    expect(refused).toMatchObject({ code: 'KW_STATE_CONFLICT' });
    expect(await queue.list({ tenantId: 't1', limit: 10 })).toEqual([first]);
  });

  it('claims due queued jobs as running under this instance with attempts 1; a concurrent claim by another instance takes nothing of the same tenant, and tenants are spread', async () => {
    const a = queueOf('a');
    const b = queueOf('b');
    const parent = await enqueue(a, {
      kind: 'platform.rotate-root',
      tenantId: null,
      payload: {},
      actor: 'operator',
    });
    await a.claim(1);
    // Two jobs of t1 (a lifecycle job and a rotation child): whichever instance wins, only one of them runs.
    const lifecycle = await enqueue(a, lifecycleJob('t1'));
    await store.db
      .transaction()
      .execute((trx) =>
        a.enqueueChildrenIn(trx, parent.id, 'platform.rewrap-tenant', ['t1'], {}, 'operator'),
      );
    const [child] = await a.children(parent.id, { limit: 1 });
    const [fromA, fromB] = await Promise.all([a.claim(10), b.claim(10)]);
    const claimed = [...fromA, ...fromB];
    expect(claimed).toHaveLength(1);
    expect(claimed[0]).toMatchObject({ tenantId: 't1', state: 'running', attempts: 1 });
    expect([lifecycle.id, child!.id]).toContain(claimed[0]!.id);
    expect(await leaseOf(claimed[0]!.id)).toEqual({
      state: 'running',
      locked_by: fromA.length === 1 ? 'a' : 'b',
      attempts: 1,
    });
    expect(await a.claim(10)).toEqual([]);
    expect(await b.claim(10)).toEqual([]);

    // Three more tenants, two jobs per claim: the instances take different tenants, none twice.
    const others = await Promise.all(
      ['t2', 't3', 't4'].map((tenantId) => enqueue(a, lifecycleJob(tenantId))),
    );
    const [twoForA, twoForB] = await Promise.all([a.claim(2), b.claim(2)]);
    expect(twoForA.length + twoForB.length).toBe(3);
    expect(idsOf([...twoForA, ...twoForB])).toEqual(idsOf(others));
    for (const job of twoForA)
      expect(await leaseOf(job.id)).toEqual({ state: 'running', locked_by: 'a', attempts: 1 });
    for (const job of twoForB)
      expect(await leaseOf(job.id)).toEqual({ state: 'running', locked_by: 'b', attempts: 1 });
  });

  it('runs one job per tenant at a time: of a rotation child and a lifecycle job queued for a tenant, a claim of 10 takes one, the other only after it finishes', async () => {
    const queue = queueOf('a');
    // The rotation itself runs (tenant-less) while its children do; it holds no tenant back.
    const parent = await enqueue(queue, {
      kind: 'platform.rotate-root',
      tenantId: null,
      payload: {},
      actor: 'operator',
    });
    expect(idsOf(await queue.claim(10))).toEqual([parent.id]);
    await store.db
      .transaction()
      .execute((trx) =>
        queue.enqueueChildrenIn(
          trx,
          parent.id,
          'platform.rewrap-tenant',
          ['t1'],
          { to: 'root-2' },
          'operator',
        ),
      );
    const lifecycle = await enqueue(queue, lifecycleJob('t1'));
    const [child] = await queue.children(parent.id, { limit: 10 });

    const first = await queue.claim(10);
    expect(first).toHaveLength(1);
    expect([child!.id, lifecycle.id]).toContain(first[0]!.id);
    expect(await queue.claim(10)).toEqual([]);
    expect(await queue.finish(first[0]!.id, 'succeeded', { result: null })).toBe(true);

    const second = await queue.claim(10);
    expect(idsOf(second)).toEqual(idsOf([child!, lifecycle]).filter((id) => id !== first[0]!.id));
  });

  it('hands a job whose lease ran out to another instance (attempts 2); the first instance can no longer finish it, and renewing keeps it', async () => {
    const a = queueOf('a', SHORT_LEASE_MS);
    const b = queueOf('b', SHORT_LEASE_MS);

    // Renewed by A, the job stays A's well past one lease.
    const renewed = await enqueue(a, lifecycleJob('t2'));
    expect(idsOf(await a.claim(1))).toEqual([renewed.id]);
    const started = Date.now();
    while (Date.now() - started < 3 * SHORT_LEASE_MS) {
      expect(await a.renew([renewed.id])).toEqual(new Set([renewed.id]));
      expect(await b.claim(10)).toEqual([]);
      // Renewal every lease/6, as a runner renews every lease/3: sleeping here is what lets time pass.
      await sleep(SHORT_LEASE_MS / 6);
    }
    expect(await a.finish(renewed.id, 'succeeded', {})).toBe(true);

    // Not renewed, A's job is taken over by B once its lease has passed.
    const job = await enqueue(a, lifecycleJob('t1'));
    expect(idsOf(await a.claim(1))).toEqual([job.id]);
    expect(await b.claim(10)).toEqual([]);
    await expect
      .poll(async () => idsOf(await b.claim(10)), { timeout: 10_000, interval: 50 })
      .toEqual([job.id]);
    expect(await leaseOf(job.id)).toEqual({ state: 'running', locked_by: 'b', attempts: 2 });
    expect(await a.renew([job.id])).toEqual(new Set());
    expect(await a.finish(job.id, 'succeeded', { result: 'from a' })).toBe(false);
    expect(await b.finish(job.id, 'succeeded', { result: 'from b' })).toBe(true);
    expect(await a.get(job.id)).toMatchObject({ state: 'succeeded', result: 'from b', attempts: 2 });
  });

  it('later() re-queues a job: without counting an attempt the count goes back, and a future run_after keeps it unclaimable until due', async () => {
    const queue = queueOf('a');
    const job = await enqueue(queue, lifecycleJob('t1'));
    await queue.claim(1);

    await queue.later(job.id, 0, { countAttempt: false });
    expect(await leaseOf(job.id)).toEqual({ state: 'queued', locked_by: null, attempts: 0 });
    expect(await queue.claim(1)).toMatchObject([{ id: job.id, attempts: 1 }]);

    const error = { code: 'KW_AWS_UNAVAILABLE', message: 'AWS could not be reached.' };
    await queue.later(job.id, 60_000, { error, countAttempt: true });
    expect(await queue.get(job.id)).toMatchObject({ state: 'queued', attempts: 1, error });
    expect(await queue.claim(10)).toEqual([]);
    // Still the tenant's open lifecycle job while it waits: a second one is refused.
    expect(await queue.openJobOf('t1')).toMatchObject({ id: job.id, state: 'queued' });
    await refuses(enqueue(queue, lifecycleJob('t1')), 'KW_STATE_CONFLICT');

    await queue.later(job.id, 0, { countAttempt: true }); // not running any more: nothing changes
    expect(await queue.claim(10)).toEqual([]);
    await store.db
      .updateTable('jobs')
      .set({ run_after: new Date(Date.now() - 1000) })
      .where('id', '=', job.id)
      .execute();
    expect(await queue.claim(10)).toMatchObject([{ id: job.id, attempts: 2 }]);

    // A short delay: unclaimable at first, claimable once due.
    await queue.later(job.id, SHORT_LEASE_MS, { countAttempt: true });
    expect(await queue.claim(10)).toEqual([]);
    await expect
      .poll(async () => idsOf(await queue.claim(10)), { timeout: 10_000, interval: 25 })
      .toEqual([job.id]);
    expect(await leaseOf(job.id)).toEqual({ state: 'running', locked_by: 'a', attempts: 3 });
  });

  it('a claim that waited on a job being cancelled leaves it cancelled (the claim re-tests the state on the locked row)', async (context) => {
    if (store.kind !== 'postgres') return context.skip(); // PGlite has one connection: a claim cannot wait on another transaction there
    const queue = queueOf('a');
    const job = await enqueue(queue, lifecycleJob('t1'));
    let claimed: Promise<Job[]> = Promise.resolve([]);
    await store.db.transaction().execute(async (trx) => {
      await queue.cancelOpenIn(trx, 't1', 'aborted by the test');
      claimed = queueOf('b').claim(5);
      // Commit only once the claim's update waits on this transaction's row lock.
      await expect
        .poll(async () => {
          const { rows } = await sql<{
            waiting: number;
          }>`select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock' and query like '%update jobs set state = ''running''%'`.execute(
            store.db,
          );
          return rows[0]?.waiting ?? 0;
        })
        .toBeGreaterThan(0);
    });
    expect(await claimed).toEqual([]);
    expect(await leaseOf(job.id)).toMatchObject({ state: 'cancelled', locked_by: null });
  });

  it("cancelOpenIn cancels the tenant's open job with KW_JOB_CANCELLED; the worker holding it can then neither renew nor finish it", async () => {
    const worker = queueOf('a');
    const job = await enqueue(worker, lifecycleJob('t1'));
    await worker.claim(1);

    const cancelled = await store.db
      .transaction()
      .execute((trx) => worker.cancelOpenIn(trx, 't1', 'Aborted by operator.'));
    expect(cancelled).toBe(job.id);
    expect(await worker.get(job.id)).toMatchObject({
      state: 'cancelled',
      error: { code: 'KW_JOB_CANCELLED', message: 'Aborted by operator.' },
      finishedAt: expect.any(Date),
    });
    expect(await worker.renew([job.id])).toEqual(new Set());
    expect(await worker.finish(job.id, 'succeeded', { result: 'too late' })).toBe(false);
    expect(await worker.get(job.id)).toMatchObject({ state: 'cancelled', result: null });

    // Nothing open is left to cancel, and the tenant may start a new job.
    expect(
      await store.db.transaction().execute((trx) => worker.cancelOpenIn(trx, 't1', 'again')),
    ).toBeUndefined();
    expect(await worker.openJobOf('t1')).toBeUndefined();
    await enqueue(worker, lifecycleJob('t1'));
  });

  it('enqueues 2,500 children in one transaction; childCounts counts them by state and children() filters by state', async () => {
    const queue = queueOf('a');
    const tenantIds = Array.from({ length: 2500 }, (_, index) => `bulk-${String(index).padStart(4, '0')}`);
    await addTenants(tenantIds);
    const parent = await store.db.transaction().execute(async (trx) => {
      const created = await queue.enqueueIn(trx, {
        kind: 'platform.rotate-root',
        tenantId: null,
        payload: { to: 'root-2' },
        actor: 'operator',
        total: tenantIds.length,
      });
      await queue.enqueueChildrenIn(
        trx,
        created.id,
        'platform.rewrap-tenant',
        tenantIds,
        { to: 'root-2' },
        'operator',
      );
      return created;
    });

    expect(await queue.childCounts(parent.id)).toEqual({
      queued: 2500,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    });
    const all = await queue.children(parent.id, { limit: 3000 });
    expect(all).toHaveLength(2500);
    expect(all.map((child) => child.tenantId).sort()).toEqual(tenantIds);
    expect(all[0]).toMatchObject({
      parentId: parent.id,
      kind: 'platform.rewrap-tenant',
      state: 'queued',
      total: 1,
      payload: { to: 'root-2' },
      actor: 'operator',
    });
    // Children are not top-level jobs, nor any tenant's open lifecycle job.
    expect(await queue.list({ limit: 10 })).toEqual([parent]);
    expect(await queue.openJobOf(tenantIds[0]!)).toBeUndefined();

    // States set directly: what matters here is the counting, not how jobs got there.
    const setState = (jobs: Job[], state: string) =>
      store.db
        .updateTable('jobs')
        .set({ state })
        .where(
          'id',
          'in',
          jobs.map((job) => job.id),
        )
        .execute();
    await setState(all.slice(0, 5), 'running');
    await setState(all.slice(5, 8), 'succeeded');
    await setState(all.slice(8, 10), 'failed');
    await setState(all.slice(10, 11), 'cancelled');
    expect(await queue.childCounts(parent.id)).toEqual({
      queued: 2489,
      running: 5,
      succeeded: 3,
      failed: 2,
      cancelled: 1,
    });
    expect(idsOf(await queue.children(parent.id, { state: 'failed', limit: 10 }))).toEqual(
      idsOf(all.slice(8, 10)),
    );
    expect(idsOf(await queue.children(parent.id, { state: 'running', limit: 10 }))).toEqual(
      idsOf(all.slice(0, 5)),
    );
    expect(await queue.children(parent.id, { state: 'queued', limit: 7 })).toHaveLength(7);
    expect(await queue.childCounts('job_nobody')).toEqual({
      queued: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      cancelled: 0,
    });
  });

  it('the database refuses a job in an unknown state (check constraint) and one for an unknown tenant (foreign key)', async () => {
    const row = (state: string, tenantId: string) => ({
      id: `job_${state}_${tenantId}`,
      tenant_id: tenantId,
      kind: 'byok.enable',
      state,
      done: 0,
      total: 0,
      payload: '{}',
      actor: 'operator',
      created_at: new Date(),
      updated_at: new Date(),
    });
    const failure = (promise: Promise<unknown>) =>
      promise.then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(sqlState(await failure(store.db.insertInto('jobs').values(row('bogus', 't1')).execute()))).toBe(
      CHECK_VIOLATION,
    );
    expect(
      sqlState(await failure(store.db.insertInto('jobs').values(row('queued', 'nobody')).execute())),
    ).toBe(FOREIGN_KEY_VIOLATION);
    const queued = await store.db
      .insertInto('jobs')
      .values(row('queued', 't1'))
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(
      sqlState(
        await failure(
          store.db.updateTable('jobs').set({ state: 'paused' }).where('id', '=', queued.id).execute(),
        ),
      ),
    ).toBe(CHECK_VIOLATION);
    expect(await store.db.selectFrom('jobs').select(['id', 'state']).execute()).toEqual([
      { id: queued.id, state: 'queued' },
    ]);
  });
});
