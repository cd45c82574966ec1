import { buildSetupKit, KeywardError } from '@keyward/core';
import { z } from 'zod';
import { route } from '../route-spec.js';
import { answerWithJob, jobView, viewOf, waitQuery } from '../job-view.js';
import { byokState, cmkArn, roleArn, tenantParams, tenantView } from '../schemas.js';

const JOB_ANSWER =
  'Runs as a job, resumed by another instance if this one dies. The request waits up to `wait` seconds (default 10): ' +
  "finished, it answers 200 with the result, or the job's error with its status; still running, 202 with the job (`Location` names it) to follow at `GET /v1/tenants/{tenantId}/jobs/{jobId}`.";

const checkResult = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'warn', 'skipped']),
  durationMs: z.number(),
  code: z.string(),
  message: z.string(),
  remediation: z.string().nullable(),
  artifact: z.string().nullable(),
  step: z.number().nullable(),
  retryable: z.boolean(),
  aws: z.object({ errorName: z.string(), requestId: z.string().optional() }).optional(),
});
const checkReport = z
  .object({
    ok: z.boolean(),
    tenantId: z.string(),
    roleArn: z.string(),
    keyArn: z.string(),
    startedAt: z.string(),
    durationMs: z.number(),
    results: z.array(checkResult),
  })
  .meta({ title: 'CheckReport' });

const byokStatus = z.object({
  tenantId: z.string(),
  state: byokState,
  keyMode: z.enum(['platform', 'customer']),
  externalId: z.string().nullable(),
  roleArn: z.string().nullable(),
  cmkArn: z.string().nullable(),
  region: z.string().nullable(),
  stateSince: z.string(),
  stateReason: z.string().nullable(),
  lastTestedAt: z.string().nullable(),
  lastTest: checkReport.nullable(),
  allowed: z.array(z.string()),
  job: jobView.nullable().meta({ description: 'The enable, switch or revert in progress, if any' }),
});

export const byokRoutes = [
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/byok',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary: 'BYOK status: state, configuration, last test, allowed operations',
    params: tenantParams,
    response: byokStatus,
    handler: async ({ params, services }) => {
      const status = await services.views.byokStatus(params.tenantId);
      const open = await services.jobs.openJobOf(params.tenantId);
      return {
        ...status,
        stateSince: status.stateSince.toISOString(),
        lastTestedAt: status.lastTestedAt === null ? null : status.lastTestedAt.toISOString(),
        job: open === undefined ? null : await viewOf(open, services.jobs),
      };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/external-id',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary: "Issue the tenant's External ID, or regenerate it (the trust policy must then change)",
    params: tenantParams,
    response: z.object({ externalId: z.string(), notice: z.string().nullable() }),
    handler: ({ params, actor, services }) => services.tenants.issueExternalId(params.tenantId, actor),
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/byok/kit',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary:
      'The setup kit: Service Role ARN, External ID, trust, permissions and key policies, AWS CLI checks, CloudFormation, Terraform, guide',
    description:
      'Filled in with the saved Role ARN and CMK ARN when there are any, else with clearly marked placeholders (or those given in the query).',
    params: tenantParams,
    query: z.object({ roleArn: roleArn.optional(), cmkArn: cmkArn.optional() }).strict(),
    handler: async ({ params, query, services }) => {
      const tenant = await services.tenants.get(params.tenantId);
      if (tenant.byok.externalId === null) {
        throw new KeywardError('KW_STATE_CONFLICT', {
          message: 'Issue the External ID first (POST /v1/tenants/{tenantId}/byok/external-id).',
          details: { state: tenant.byok.state },
        });
      }
      const role = query.roleArn ?? tenant.byok.roleArn ?? undefined;
      const key = query.cmkArn ?? tenant.byok.cmkArn ?? undefined;
      return buildSetupKit({
        platform: services.platform,
        tenantId: tenant.id,
        externalId: tenant.byok.externalId,
        ...(role === undefined ? {} : { roleArn: role }),
        ...(key === undefined ? {} : { keyArn: key }),
      });
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/tenants/:tenantId/byok/config',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary: "Save the customer's Role ARN and CMK ARN (a new test is then needed)",
    params: tenantParams,
    body: z.object({ roleArn, cmkArn }).strict(),
    response: tenantView,
    handler: ({ params, body, actor, services }) =>
      services.tenants.configure(params.tenantId, { roleArn: body.roleArn, keyArn: body.cmkArn }, actor),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/test',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary: 'Run the onboarding checks against the saved configuration and store the report',
    description:
      'Always 200 with the report; `ok` says whether it passed. In pending or validated, a pass makes the tenant validated and a failure pending.',
    params: tenantParams,
    response: checkReport,
    handler: ({ params, actor, services }) => services.lifecycle.test(params.tenantId, actor),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/enable',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary:
      'Enable BYOK after a passing test: a job re-wraps every tenant key version under the CMK, adds a new version, deletes the platform-wrapped copies',
    description: JOB_ANSWER,
    params: tenantParams,
    query: waitQuery,
    response: z.object({
      state: byokState.optional(),
      keyVersion: z.number().optional(),
      rewrapped: z.number().optional(),
      job: jobView,
    }),
    handler: async ({ params, query, actor, services, reply }) =>
      answerWithJob(
        await services.lifecycle.requestEnable(params.tenantId, actor),
        services.jobs,
        query.wait,
        reply,
      ),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/switch-cmk',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary:
      'Switch to another CMK (and optionally role): test it now, then a job re-wraps every version and drops the old copies',
    description: `A failed test answers 409 KW_TEST_FAILED with the report in \`details.report\`; nothing changes. ${JOB_ANSWER}`,
    params: tenantParams,
    query: waitQuery,
    body: z.object({ cmkArn, roleArn: roleArn.optional() }).strict(),
    response: z.object({
      report: checkReport,
      state: byokState.optional(),
      rewrapped: z.number().optional(),
      job: jobView,
    }),
    handler: async ({ params, query, body, actor, services, reply }) => {
      const { report, job } = await services.lifecycle.requestSwitchCmk(
        params.tenantId,
        body.roleArn === undefined ? { cmkArn: body.cmkArn } : { cmkArn: body.cmkArn, roleArn: body.roleArn },
        actor,
      );
      return { report, ...(await answerWithJob(job, services.jobs, query.wait, reply)) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/revert',
    access: 'operator',
    tag: 'BYOK',
    summary: 'Operator only: revert the tenant to the platform key, as a job (needs the CMK one last time)',
    description: JOB_ANSWER,
    params: tenantParams,
    query: waitQuery,
    response: z.object({ state: byokState.optional(), rewrapped: z.number().optional(), job: jobView }),
    handler: async ({ params, query, actor, services, reply }) =>
      answerWithJob(
        await services.lifecycle.requestRevert(params.tenantId, actor),
        services.jobs,
        query.wait,
        reply,
      ),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/check',
    access: 'tenant-admin',
    tag: 'BYOK',
    summary: 'Check access to the CMK now, as the periodic health check does, and update the state',
    description:
      'A fresh AssumeRole and a Decrypt of the newest wrapped tenant key. Withdrawn access (denied, disabled, pending deletion, not found) makes the tenant revoked and evicts its keys; an unreachable AWS makes it degraded; working access makes it active again. Only with BYOK on (active, degraded, revoked).',
    params: tenantParams,
    response: z.object({
      tenantId: z.string(),
      finding: z.enum(['ok', 'denied', 'disabled', 'pending_deletion', 'not_found', 'unreachable']),
      state: byokState,
      reason: z.string().nullable(),
      deletionDate: z.string().optional(),
    }),
    handler: ({ params, services }) => services.health.check(params.tenantId),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/byok/abort',
    access: 'operator',
    tag: 'BYOK',
    summary:
      'Operator only: abort a CMK switch or revert that was interrupted, back to the state it started from',
    description:
      'Only in rotating_cmk or reverting. Until such an operation commits, every tenant key is still wrapped by the current CMK, so aborting loses nothing; an operation still running then fails its commit.',
    params: tenantParams,
    response: z.object({ state: byokState }),
    handler: ({ params, actor, services }) => services.lifecycle.abort(params.tenantId, actor),
  }),
];
