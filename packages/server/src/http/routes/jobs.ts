import { KeywardError } from '@keyward/core';
import { z } from 'zod';
import { route } from '../route-spec.js';
import { jobView, viewOf } from '../job-view.js';
import { isoTime, tenantId, tenantParams } from '../schemas.js';

const jobId = z
  .string()
  .regex(/^job_[0-9a-f-]{36}$/, 'must be a job ID such as job_6f1c…')
  .meta({ description: 'Job ID', example: 'job_0b6c3c52-3a57-4a8e-9d55-3b1f4a0c2f11' });
const jobState = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const listQuery = z
  .object({
    state: jobState.optional(),
    kind: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    before: isoTime.optional().meta({
      description: 'Only jobs created before this time (the last `createdAt` of the previous page)',
    }),
  })
  .strict();

export const jobRoutes = [
  route({
    method: 'GET',
    url: '/v1/jobs',
    access: 'operator',
    tag: 'Jobs',
    summary: 'Operator: background jobs, newest first (enable, switch CMK, revert, platform key rotation)',
    query: listQuery.extend({ tenantId: tenantId.optional() }).strict(),
    response: z.object({ jobs: z.array(jobView) }),
    handler: async ({ query, services }) => {
      const jobs = await services.jobs.list({ limit: query.limit, ...pick(query) });
      return { jobs: await Promise.all(jobs.map((job) => viewOf(job, services.jobs))) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/jobs/:jobId',
    access: 'operator',
    tag: 'Jobs',
    summary: 'Operator: one job with its progress (a rotation counts its tenants by state)',
    params: z.object({ jobId }).strict(),
    response: jobView,
    handler: async ({ params, services }) =>
      viewOf(await found(services.jobs.get(params.jobId), params.jobId), services.jobs),
  }),
  route({
    method: 'GET',
    url: '/v1/jobs/:jobId/children',
    access: 'operator',
    tag: 'Jobs',
    summary: "Operator: a platform key rotation's per-tenant jobs (filter by state, e.g. failed)",
    params: z.object({ jobId }).strict(),
    query: z
      .object({ state: jobState.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) })
      .strict(),
    response: z.object({ jobs: z.array(jobView) }),
    handler: async ({ params, query, services }) => {
      await found(services.jobs.get(params.jobId), params.jobId);
      const jobs = await services.jobs.children(params.jobId, {
        limit: query.limit,
        ...(query.state === undefined ? {} : { state: query.state }),
      });
      return { jobs: await Promise.all(jobs.map((job) => viewOf(job, services.jobs))) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/jobs',
    access: 'tenant-admin',
    tag: 'Jobs',
    summary: "The tenant's jobs (enable, switch CMK, revert), newest first, with progress",
    params: tenantParams,
    query: listQuery,
    response: z.object({ jobs: z.array(jobView) }),
    handler: async ({ params, query, services }) => {
      await services.tenants.get(params.tenantId);
      const jobs = await services.jobs.list({
        tenantId: params.tenantId,
        limit: query.limit,
        ...pick(query),
      });
      return { jobs: await Promise.all(jobs.map((job) => viewOf(job, services.jobs))) };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/jobs/:jobId',
    access: 'tenant-admin',
    tag: 'Jobs',
    summary: "One of the tenant's jobs, with progress (items done of total)",
    params: tenantParams.extend({ jobId }).strict(),
    response: jobView,
    handler: async ({ params, services }) => {
      const job = await services.jobs.get(params.jobId);
      // Another tenant's job is as absent as one that does not exist.
      if (job === undefined || job.tenantId !== params.tenantId || job.parentId !== null)
        return found(Promise.resolve(undefined), params.jobId);
      return viewOf(job, services.jobs);
    },
  }),
];

function pick(query: {
  state?: z.output<typeof jobState>;
  kind?: string;
  before?: string;
  tenantId?: string;
}) {
  return {
    ...(query.tenantId === undefined ? {} : { tenantId: query.tenantId }),
    ...(query.state === undefined ? {} : { state: query.state }),
    ...(query.kind === undefined ? {} : { kind: query.kind }),
    ...(query.before === undefined ? {} : { before: new Date(query.before) }),
  };
}

async function found<T>(promise: Promise<T | undefined>, id: string): Promise<T> {
  const value = await promise;
  if (value === undefined)
    throw new KeywardError('KW_NOT_FOUND', { message: `There is no job ${id}.`, details: { jobId: id } });
  return value;
}
