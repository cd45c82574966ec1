import { setTimeout as sleep } from 'node:timers/promises';
import { KeywardError } from '@keyward/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { JobQueue, type Job, type JobState } from '../store/job-queue.js';
import { openStore, type Store } from '../store/open-store.js';
import {
  JobRunner,
  type JobContext,
  type JobHandler,
  type JobOutcome,
  type JobRunnerOptions,
} from './job-runner.js';

/** The kind every handler here is registered under. */
const KIND = 'test.work';
const TENANTS = ['t1', 't2', 't3', 't4', 't5'];

/** A real handler whose methods are spies, so tests can count runs and see what each run was given. */
function handlerOf(run: (job: Job, context: JobContext) => Promise<JobOutcome>) {
  return {
    run: vi.fn(run),
    failed: vi.fn(async (_job: Job, _error: { code: string; message: string }) => undefined),
  } satisfies JobHandler;
}

/** The attempts count each run saw, as claimed. */
function attemptsSeen(handler: ReturnType<typeof handlerOf>): number[] {
  return handler.run.mock.calls.map(([job]) => job.attempts);
}

/** A handler outcome that never comes: the job hangs until its runner dies. */
function never(): Promise<JobOutcome> {
  return new Promise(() => undefined);
}

describe('JobRunner on a real queue (PGlite)', () => {
  let store: Store;
  let queue: JobQueue;
  let runners: JobRunner[];
  /** Errors the runners report through onError; none is expected unless a test says so. */
  let reported: unknown[];

  beforeAll(async () => {
    store = await openStore({ kind: 'pglite' });
    await store.db
      .insertInto('tenants')
      .values(TENANTS.map((id) => ({ id, name: id.toUpperCase() })))
      .execute();
  });
  afterAll(async () => {
    await store.close();
  });
  beforeEach(async () => {
    await store.db.deleteFrom('jobs').execute();
    queue = new JobQueue(store.db, { instanceId: 'main', leaseMs: 60_000 });
    runners = [];
    reported = [];
  });
  afterEach(async () => {
    // Zero grace: a handler a test left hanging is abandoned to its lease, not waited for.
    await Promise.all(runners.map((runner) => runner.stop(0)));
    expect(reported).toEqual([]);
  });

  /** Starts a runner with tiny poll and retry delays; afterEach stops it. */
  function startRunner(
    handlers: Record<string, JobHandler>,
    options: Partial<JobRunnerOptions> = {},
    on: JobQueue = queue,
  ): JobRunner {
    const runner = new JobRunner(on, handlers, {
      concurrency: 2,
      pollMs: 10,
      maxAttempts: 3,
      retryBaseMs: 5,
      onError: (error) => reported.push(error),
      ...options,
    });
    runners.push(runner);
    runner.start();
    return runner;
  }

  function enqueue(tenantId: string, kind = KIND): Promise<Job> {
    return store.db
      .transaction()
      .execute((trx) => queue.enqueueIn(trx, { kind, tenantId, payload: { tenantId }, actor: 'operator' }));
  }

  async function stateOf(id: string): Promise<JobState | undefined> {
    return (await queue.get(id))?.state;
  }

  it('runs a job to success: its result, progress and done are recorded, and onFinished says succeeded once', async () => {
    const handler = handlerOf(async (_job, context) => {
      await context.progress(2, 7);
      return { result: { rewrapped: 3 }, done: 3 };
    });
    const onFinished = vi.fn();
    startRunner({ [KIND]: handler }, { onFinished });
    const job = await enqueue('t1');

    await expect.poll(() => onFinished.mock.calls.length).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'succeeded',
      result: { rewrapped: 3 },
      done: 3,
      total: 7,
      attempts: 1,
      error: null,
      finishedAt: expect.any(Date),
    });
    expect(onFinished).toHaveBeenCalledWith(
      expect.objectContaining({ id: job.id, payload: { tenantId: 't1' } }),
      'succeeded',
    );
    expect(handler.run).toHaveBeenCalledTimes(1);
    expect(handler.failed).not.toHaveBeenCalled();
  });

  it('retries a transient error (KW_AWS_UNAVAILABLE) and succeeds on the third attempt', async () => {
    const handler = handlerOf(async () => {
      if (handler.run.mock.calls.length <= 2) throw new KeywardError('KW_AWS_UNAVAILABLE');
      return { result: 'ok' };
    });
    const onFinished = vi.fn();
    startRunner({ [KIND]: handler }, { onFinished });
    const job = await enqueue('t1');

    await expect.poll(() => stateOf(job.id)).toBe('succeeded');
    expect(await queue.get(job.id)).toMatchObject({ result: 'ok', attempts: 3 });
    expect(attemptsSeen(handler)).toEqual([1, 2, 3]);
    expect(handler.failed).not.toHaveBeenCalled();
    await expect.poll(() => onFinished.mock.calls.map(([, state]) => state as string)).toEqual(['succeeded']);
  });

  it('fails a permanent error (KW_KMS_ACCESS_DENIED) at once: error stored, failed() and onFinished(failed) called once', async () => {
    const denied = new KeywardError('KW_KMS_ACCESS_DENIED', {
      message: 'The key policy denies kms:Decrypt.',
    });
    const handler = handlerOf(async () => {
      throw denied;
    });
    const onFinished = vi.fn();
    startRunner({ [KIND]: handler }, { onFinished });
    const job = await enqueue('t1');
    const error = { code: 'KW_KMS_ACCESS_DENIED', message: 'The key policy denies kms:Decrypt.' };

    // onFinished comes last, after the job is failed and failed() has run.
    await expect.poll(() => onFinished.mock.calls.length).toBe(1);
    expect(onFinished).toHaveBeenCalledWith(expect.objectContaining({ id: job.id }), 'failed', error);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      error,
      finishedAt: expect.any(Date),
    });
    expect(handler.run).toHaveBeenCalledTimes(1);
    expect(handler.failed).toHaveBeenCalledTimes(1);
    expect(handler.failed).toHaveBeenCalledWith(expect.objectContaining({ id: job.id }), error);
  });

  it('fails a job whose transient error (KW_AWS_THROTTLED) persists after maxAttempts attempts, calling failed() once', async () => {
    const handler = handlerOf(async () => {
      throw new KeywardError('KW_AWS_THROTTLED');
    });
    const onFinished = vi.fn();
    startRunner({ [KIND]: handler }, { onFinished, maxAttempts: 3 });
    const job = await enqueue('t1');

    await expect.poll(() => onFinished.mock.calls.length).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'failed',
      attempts: 3,
      error: { code: 'KW_AWS_THROTTLED' },
    });
    expect(attemptsSeen(handler)).toEqual([1, 2, 3]);
    expect(handler.failed).toHaveBeenCalledTimes(1);
    expect(onFinished).toHaveBeenCalledWith(
      expect.objectContaining({ id: job.id }),
      'failed',
      expect.objectContaining({ code: 'KW_AWS_THROTTLED' }),
    );
  });

  it('retries an error that is not a KeywardError (a bug, a lost connection) and fails it as KW_INTERNAL, reporting the cause through onError', async () => {
    const bug = new TypeError('cannot read properties of undefined');
    const handler = handlerOf(async () => {
      throw bug;
    });
    const onError = vi.fn();
    startRunner({ [KIND]: handler }, { onError, maxAttempts: 2 });
    const job = await enqueue('t1');

    await expect.poll(() => handler.failed.mock.calls.length).toBe(1);
    // The stored error is the catalogue's generic one: an internal message does not reach the API.
    expect(await queue.get(job.id)).toMatchObject({
      state: 'failed',
      attempts: 2,
      error: { code: 'KW_INTERNAL', message: 'An internal error occurred.' },
    });
    expect(attemptsSeen(handler)).toEqual([1, 2]);
    expect(onError).toHaveBeenCalledWith(bug, expect.objectContaining({ id: job.id }));
  });

  it('re-queues a job whose handler asks to wait ({ waitMs }) without counting an attempt', async () => {
    const handler = handlerOf(async () =>
      handler.run.mock.calls.length <= 2 ? { waitMs: 5 } : { result: 'children done' },
    );
    startRunner({ [KIND]: handler });
    const job = await enqueue('t1');

    await expect.poll(() => stateOf(job.id)).toBe('succeeded');
    expect(await queue.get(job.id)).toMatchObject({ result: 'children done', attempts: 1, error: null });
    expect(attemptsSeen(handler)).toEqual([1, 1, 1]);
  });

  it('fails a job of a kind no handler knows with KW_INTERNAL', async () => {
    const onFinished = vi.fn();
    startRunner({ [KIND]: handlerOf(async () => ({ result: null })) }, { onFinished });
    const job = await enqueue('t1', 'test.from-a-newer-version');

    await expect.poll(() => onFinished.mock.calls.length).toBe(1);
    expect(await queue.get(job.id)).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { code: 'KW_INTERNAL', message: expect.stringContaining('test.from-a-newer-version') },
    });
    expect(onFinished).toHaveBeenCalledWith(
      expect.objectContaining({ id: job.id }),
      'failed',
      expect.objectContaining({ code: 'KW_INTERNAL' }),
    );
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const started: string[] = [];
    const releases = new Map<string, () => void>();
    let running = 0;
    let mostAtOnce = 0;
    const handler = handlerOf(async (job) => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      started.push(job.id);
      await new Promise<void>((resolve) => releases.set(job.id, resolve));
      running -= 1;
      return { result: null };
    });
    for (const tenantId of TENANTS) await enqueue(tenantId);
    startRunner({ [KIND]: handler }, { concurrency: 2 });

    await expect.poll(() => running).toBe(2);
    // Some ten polls' time with both slots taken: long enough for a runner that over-claims to do so.
    await sleep(100);
    expect(started).toHaveLength(2);
    expect((await queue.list({ state: 'queued', limit: 10 })).length).toBe(3);

    // Each release frees one slot, which the next job takes.
    for (let released = 0; released < TENANTS.length; released += 1) {
      await expect.poll(() => started.length).toBeGreaterThan(released);
      releases.get(started[released]!)!();
    }
    await expect
      .poll(async () => (await queue.list({ state: 'succeeded', limit: 10 })).length)
      .toBe(TENANTS.length);
    expect(mostAtOnce).toBe(2);
  });

  it('resumes a job whose runner died: another instance claims it after the lease and completes it (attempts 2)', async () => {
    const leaseMs = 300;
    const onA = handlerOf(() => never());
    const onB = handlerOf(async () => ({ result: { by: 'b' } }));
    const runnerA = startRunner({ [KIND]: onA }, {}, new JobQueue(store.db, { instanceId: 'a', leaseMs }));
    const job = await enqueue('t1');
    await expect.poll(() => onA.run.mock.calls.length).toBe(1);
    // Stopping with no grace ends A's renewals but leaves its handler hanging: as if A's process died.
    await runnerA.stop(0);

    startRunner({ [KIND]: onB }, {}, new JobQueue(store.db, { instanceId: 'b', leaseMs }));
    await expect.poll(() => stateOf(job.id), { timeout: 10_000 }).toBe('succeeded');
    expect(await queue.get(job.id)).toMatchObject({ result: { by: 'b' }, attempts: 2 });
    expect(attemptsSeen(onA)).toEqual([1]);
    expect(attemptsSeen(onB)).toEqual([2]);
    expect(
      await store.db
        .selectFrom('jobs')
        .select(['locked_by', 'locked_until'])
        .where('id', '=', job.id)
        .executeTakeFirst(),
    ).toEqual({ locked_by: null, locked_until: null });
  });

  it('keeps renewing its leases while a graceful stop waits: no other instance takes a job over during the grace', async () => {
    // Renewed every third of it: a busy machine's pause between two renewals must not lose it.
    const leaseMs = 1500;
    let release!: () => void;
    const onA = handlerOf(
      () =>
        new Promise<JobOutcome>((resolve) => {
          release = () => resolve({ result: { by: 'a' } });
        }),
    );
    const onB = handlerOf(async () => ({ result: { by: 'b' } }));
    const runnerA = startRunner({ [KIND]: onA }, {}, new JobQueue(store.db, { instanceId: 'a', leaseMs }));
    const job = await enqueue('t1');
    await expect.poll(() => onA.run.mock.calls.length).toBe(1);
    const stopping = runnerA.stop(10_000);
    startRunner({ [KIND]: onB }, {}, new JobQueue(store.db, { instanceId: 'b', leaseMs }));
    // Several leases long: without renewals B would have claimed the job by now.
    await new Promise((resolve) => setTimeout(resolve, leaseMs * 4));
    expect(onB.run).not.toHaveBeenCalled();
    release();
    await stopping;
    expect(await queue.get(job.id)).toMatchObject({ state: 'succeeded', result: { by: 'a' }, attempts: 1 });
    expect(onB.run).not.toHaveBeenCalled();
  });
});
