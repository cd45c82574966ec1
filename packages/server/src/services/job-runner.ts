import { ERROR_CATALOGUE, isKeywardError, isRetryable, publicMessageOf } from '@keyward/core';
import type { Job, JobError, JobQueue } from '../store/job-queue.js';

/** What a handler asks for when it returns: done (with a result), or "run me again in a while" (a parent waiting on its children). */
export type JobOutcome = { result: unknown; done?: number } | { waitMs: number };

export interface JobContext {
  /** Records items done out of total, visible through the API. */
  progress(done: number, total: number): Promise<void>;
}

export interface JobHandler {
  run(job: Job, context: JobContext): Promise<JobOutcome>;
  /** Called once when the job fails for good (not on a retry): undo holding states, audit. */
  failed?(job: Job, error: JobError): Promise<void>;
}

export interface JobRunnerOptions {
  /** Jobs this instance runs at once. */
  concurrency: number;
  /** How often to look for due jobs when nobody wakes the runner. */
  pollMs: number;
  /** Retries of a transient failure (AWS unreachable or throttled, a concurrent change) before the job fails. */
  maxAttempts: number;
  /** The first retry's delay, doubling each attempt. */
  retryBaseMs: number;
  onFinished?: (job: Job, state: 'succeeded' | 'failed', error?: JobError) => void;
  onError?: (error: unknown, job?: Job) => void;
}

/**
 * Errors worth retrying: the same job may well succeed later (the catalogue's `retryable`). Anything
 * the customer or the operator must change first (access denied, a disabled key, a state conflict)
 * fails the job at once.
 */
export function isTransient(error: unknown): boolean {
  // Not a KeywardError: a lost database connection, a bug; retried, bounded by maxAttempts.
  return !isKeywardError(error) || isRetryable(error);
}

export function jobErrorOf(error: unknown): JobError {
  // Jobs are shown to tenant admins: a redacted error's own message (which may name platform keys
  // or quote AWS) is not, as the API's error bodies hide AWS's words too.
  if (isKeywardError(error)) return { code: error.code, message: publicMessageOf(error) };
  return { code: 'KW_INTERNAL', message: ERROR_CATALOGUE.KW_INTERNAL.message };
}

/**
 * Runs this instance's share of the queue: claims due jobs up to its concurrency, renews their
 * leases while they run, and records how each ended. Every instance runs one, on PGlite too (there
 * it is the only one). A job interrupted by a crash is taken over by whichever instance claims it
 * after its lease runs out; handlers are written to be run again from the start.
 */
export class JobRunner {
  readonly #running = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #renewal: NodeJS.Timeout | undefined;
  #stopped = true;
  #claiming: Promise<void> | undefined;
  #wakeAgain = false;

  constructor(
    private readonly queue: JobQueue,
    private readonly handlers: Record<string, JobHandler>,
    private readonly options: JobRunnerOptions,
  ) {}

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const renewEvery = Math.max(50, Math.floor(this.queue.options.leaseMs / 3));
    this.#renewal = setInterval(
      () =>
        void this.queue
          .renew([...this.#running.keys()])
          .catch((error: unknown) => this.options.onError?.(error)),
      renewEvery,
    );
    this.#renewal.unref();
    this.wake();
  }

  /** Looks for due jobs now (a job was queued, or one finished and a slot is free). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#claiming !== undefined) {
      this.#wakeAgain = true;
      return;
    }
    this.#claiming = this.#claimAndRun()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.#claiming = undefined;
        if (this.#wakeAgain) {
          this.#wakeAgain = false;
          this.wake();
        } else this.#schedule();
      });
  }

  /** Stops claiming and waits for the jobs in hand; a job still running after `graceMs` is left to its lease (another instance resumes it). */
  async stop(graceMs = 10_000): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#claiming;
    // Leases are still renewed while the jobs in hand finish: none is taken over during the grace.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(this.#running.values()),
      new Promise((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
    clearInterval(this.#renewal);
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.wake(), this.options.pollMs);
    this.#timer.unref();
  }

  async #claimAndRun(): Promise<void> {
    const free = this.options.concurrency - this.#running.size;
    if (free <= 0) return;
    const jobs = await this.queue.claim(free);
    for (const job of jobs) {
      const run = this.#run(job)
        .catch((error: unknown) => this.options.onError?.(error, job))
        .finally(() => {
          this.#running.delete(job.id);
          this.wake();
        });
      this.#running.set(job.id, run);
    }
  }

  async #run(job: Job): Promise<void> {
    const handler = this.handlers[job.kind];
    // Taken over again and again (its worker keeps dying or stalling on it): stop, rather than loop.
    if (job.attempts > this.options.maxAttempts) {
      await this.#fail(job, handler, {
        code: 'KW_INTERNAL',
        message: `The job was interrupted ${job.attempts - 1} times; it is not tried again.`,
      });
      return;
    }
    if (handler === undefined) {
      await this.#fail(job, undefined, {
        code: 'KW_INTERNAL',
        message: `No handler for job kind ${job.kind} in this version of Keyward.`,
      });
      return;
    }
    let outcome: JobOutcome;
    try {
      outcome = await handler.run(job, {
        progress: (done, total) => this.queue.progress(job.id, done, total),
      });
    } catch (error) {
      const jobError = jobErrorOf(error);
      if (isTransient(error) && job.attempts < this.options.maxAttempts) {
        await this.queue.later(job.id, this.options.retryBaseMs * 2 ** (job.attempts - 1), {
          error: jobError,
          countAttempt: true,
        });
        return;
      }
      if (!isKeywardError(error)) this.options.onError?.(error, job);
      await this.#fail(job, handler, jobError);
      return;
    }
    if ('waitMs' in outcome) {
      await this.queue.later(job.id, outcome.waitMs, { countAttempt: false });
      return;
    }
    if (
      await this.queue.finish(job.id, 'succeeded', {
        result: outcome.result,
        ...(outcome.done === undefined ? {} : { done: outcome.done }),
      })
    ) {
      this.options.onFinished?.(job, 'succeeded');
    }
  }

  async #fail(job: Job, handler: JobHandler | undefined, error: JobError): Promise<void> {
    const current = await this.queue.get(job.id);
    // Cancelled meanwhile, or taken over by another instance: not this worker's to end.
    if (current?.state !== 'running' || current.lockedBy !== job.lockedBy) return;
    // The clean-up runs while the job is still open, so no newer job of the tenant can exist for it
    // to undo; if it fails, or the process dies before the job is marked failed, the job runs again.
    await handler?.failed?.(job, error);
    if (await this.queue.finish(job.id, 'failed', { error })) this.options.onFinished?.(job, 'failed', error);
  }
}
