import { isErrorCode, KeywardError } from '@keyward/core';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Job, JobQueue } from '../store/job-queue.js';

export const jobView = z
  .object({
    id: z.string(),
    kind: z
      .enum([
        'byok.enable',
        'byok.switch-cmk',
        'byok.revert',
        'platform.rotate-root',
        'platform.rewrap-tenant',
      ])
      .or(z.string()),
    tenantId: z.string().nullable(),
    parentId: z.string().nullable(),
    state: z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']),
    done: z
      .number()
      .meta({ description: 'Items done: key versions re-wrapped, or tenants for a platform key rotation' }),
    total: z.number(),
    attempts: z.number(),
    actor: z.string(),
    result: z.unknown().nullable(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    children: z
      .object({
        queued: z.number(),
        running: z.number(),
        succeeded: z.number(),
        failed: z.number(),
        cancelled: z.number(),
      })
      .optional()
      .meta({ description: "A platform key rotation's per-tenant jobs by state" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ title: 'Job' });

export type JobView = z.output<typeof jobView>;

export async function viewOf(job: Job, queue: JobQueue): Promise<JobView> {
  const children = job.kind === 'platform.rotate-root' ? await queue.childCounts(job.id) : undefined;
  return {
    id: job.id,
    kind: job.kind,
    tenantId: job.tenantId,
    parentId: job.parentId,
    state: job.state,
    attempts: job.attempts,
    actor: job.actor,
    // A parent's progress is its children's, live (its own row is updated only when it looks).
    done: children === undefined ? job.done : children.succeeded,
    total:
      children === undefined ? job.total : Object.values(children).reduce((sum, count) => sum + count, 0),
    result: job.result ?? null,
    error: job.error,
    ...(children === undefined ? {} : { children }),
    createdAt: job.createdAt.toISOString(),
    updatedAt: job.updatedAt.toISOString(),
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}

export const waitQuery = z
  .object({
    wait: z.coerce.number().int().min(0).max(60).default(10).meta({
      description:
        'Seconds to wait for the job to finish before answering 202 with the job to follow (0: answer at once)',
    }),
  })
  .strict();

/**
 * Waits up to `seconds` for the job: finished, the answer is its result (200), or its error with
 * that error's status; still running, 202 with the job to follow at `GET …/jobs/{id}`.
 */
export async function answerWithJob(
  job: Job,
  queue: JobQueue,
  seconds: number,
  reply: FastifyReply,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + seconds * 1000;
  let current = job;
  // Quick jobs answer quickly; a long wait looks at most twice a second.
  for (
    let pause = 25;
    current.state === 'queued' || current.state === 'running';
    pause = Math.min(pause * 2, 500)
  ) {
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, Math.max(0, deadline - Date.now()))));
    current = (await queue.get(job.id)) ?? current;
  }
  const view = await viewOf(current, queue);
  if (current.state === 'succeeded') return { ...(current.result as Record<string, unknown>), job: view };
  if (current.state === 'failed' || current.state === 'cancelled') {
    const error = current.error ?? { code: 'KW_INTERNAL', message: 'The job failed.' };
    const code = isErrorCode(error.code) ? error.code : 'KW_INTERNAL';
    throw new KeywardError(code, { message: error.message, details: { job: view } });
  }
  reply
    .code(202)
    .header(
      'location',
      current.tenantId === null
        ? `/v1/jobs/${current.id}`
        : `/v1/tenants/${current.tenantId}/jobs/${current.id}`,
    );
  return { job: view };
}
