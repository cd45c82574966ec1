import { ERROR_CATALOGUE, KeywardError, type ErrorCode } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { Job, JobError, JobQueue } from '../store/job-queue.js';
import { JobRunner } from './job-runner.js';

type Ending = { kind: 'retried' | 'failed'; error: JobError | undefined };

/** A queue holding one running job, on its first attempt, that says how the runner ended it. */
function oneJobQueue(): { queue: JobQueue; ending: Promise<Ending> } {
  const now = new Date();
  const job: Job = {
    id: 'job-1',
    parentId: null,
    tenantId: 't1',
    kind: 'test.work',
    state: 'running',
    done: 0,
    total: 0,
    payload: {},
    result: null,
    error: null,
    actor: 'operator',
    attempts: 1,
    lockedBy: 'main',
    createdAt: now,
    updatedAt: now,
    finishedAt: null,
  };
  let end!: (ending: Ending) => void;
  const ending = new Promise<Ending>((resolve) => (end = resolve));
  let claimed = false;
  const queue = {
    options: { instanceId: 'main', leaseMs: 60_000 },
    claim: async () => (claimed ? [] : ((claimed = true), [job])),
    renew: async () => new Set<string>(),
    progress: async () => undefined,
    get: async () => job,
    later: async (_id: string, _ms: number, options: { error?: JobError }) =>
      end({ kind: 'retried', error: options.error }),
    finish: async (_id: string, _state: string, options: { error?: JobError }) => {
      end({ kind: 'failed', error: options.error });
      return true;
    },
  };
  return { queue: queue as unknown as JobQueue, ending };
}

/** How the runner ends a job whose handler throws `error` on its first attempt (of three). */
async function endingOf(error: unknown): Promise<Ending> {
  const { queue, ending } = oneJobQueue();
  const runner = new JobRunner(
    queue,
    {
      'test.work': {
        run: async () => {
          throw error;
        },
      },
    },
    { concurrency: 1, pollMs: 60_000, maxAttempts: 3, retryBaseMs: 5, onError: () => undefined },
  );
  runner.start();
  try {
    return await ending;
  } finally {
    await runner.stop(0);
  }
}

describe('JobRunner reads the error catalogue', () => {
  it("retries exactly the catalogue's retryable codes, and fails every other code at once", async () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const { kind } = await endingOf(new KeywardError(code as ErrorCode));
      expect(kind, code).toBe(entry.retryable ? 'retried' : 'failed');
    }
  });

  it("records a redacted error with the catalogue's message, and any other error with its own", async () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const own = `The ${code} of job-1, with words of its own.`;
      const { error } = await endingOf(new KeywardError(code as ErrorCode, { message: own }));
      expect(error, code).toEqual({ code, message: entry.redacted ? entry.message : own });
    }
  });

  it('retries an error of no catalogue (a lost database connection), recorded as KW_INTERNAL', async () => {
    expect(await endingOf(new Error('Connection terminated unexpectedly'))).toEqual({
      kind: 'retried',
      error: { code: 'KW_INTERNAL', message: ERROR_CATALOGUE.KW_INTERNAL.message },
    });
  });
});
