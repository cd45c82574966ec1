import { z } from 'zod';
import { answerWithJob, jobView, waitQuery } from '../job-view.js';
import { route } from '../route-spec.js';

const kmsKeyOrAlias = z.string().max(2048).meta({
  description: 'The new platform KMS key: a key ARN, or an alias ARN (resolved to its key once)',
  example: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
});

export const platformRoutes = [
  route({
    method: 'GET',
    url: '/v1/platform',
    access: 'authenticated',
    tag: 'Platform',
    summary: "The platform's identity: the Service Role ARN and account a customer's role must trust",
    response: z.object({
      serviceRoleArn: z.string(),
      accountId: z.string(),
      partition: z.string(),
      region: z.string(),
      awsMode: z.enum(['sandbox', 'aws']),
    }),
    handler: async ({ services }) => ({
      serviceRoleArn: services.platform.serviceRoleArn,
      accountId: services.platform.accountId,
      partition: services.platform.partition,
      region: services.config.aws.region,
      awsMode: services.config.aws.mode,
    }),
  }),
  route({
    method: 'GET',
    url: '/v1/platform/service-role-policy',
    access: 'operator',
    tag: 'Platform',
    summary:
      'Setup step 5, self-service: the IAM policy documents that let the Service Role assume every registered customer role',
    description:
      "Attach every document to the Service Role (each fits IAM's 10,240-character inline policy limit). The list of registered roles comes from the tenants' saved configurations.",
    response: z.object({
      serviceRoleArn: z.string(),
      registeredRoles: z.array(z.object({ tenantId: z.string(), roleArn: z.string() })),
      policies: z.array(z.unknown()),
    }),
    handler: ({ services }) => services.views.serviceRolePolicy(),
  }),
  route({
    method: 'GET',
    url: '/v1/platform/root-keys',
    access: 'operator',
    tag: 'Platform',
    summary:
      'Operator: the platform root keys: the current one, and older ones retiring (still wrapping some tenant keys) or retired',
    response: z.object({
      keys: z.array(
        z.object({
          id: z.string(),
          state: z.enum(['current', 'retiring', 'retired']),
          createdAt: z.string(),
          retiredAt: z.string().nullable(),
          tenants: z.number(),
        }),
      ),
    }),
    handler: async ({ services }) => ({
      keys: (await services.views.rootKeys()).map((key) => ({
        id: key.id,
        state: key.state,
        createdAt: key.createdAt.toISOString(),
        retiredAt: key.retiredAt === null ? null : key.retiredAt.toISOString(),
        tenants: key.tenants,
      })),
    }),
  }),
  route({
    method: 'POST',
    url: '/v1/platform/root-key/rotate',
    access: 'operator',
    tag: 'Platform',
    summary:
      "Operator: rotate the platform root key: the new key wraps new tenant keys at once, and a job re-wraps every platform-managed tenant's keys under it",
    description:
      'The key must be usable by the platform (a data key is generated and unwrapped first). One child job per tenant; progress at `GET /v1/jobs/{id}`. ' +
      'Requested again with the same key, it retries the tenants a previous rotation could not re-wrap. The old key is retired when nothing uses it. Waits `wait` seconds (default 10) like the BYOK operations.',
    query: waitQuery,
    body: z.object({ keyArn: kmsKeyOrAlias }).strict(),
    response: z.object({
      tenants: z.number().optional(),
      webhooks: z.number().optional(),
      retired: z.array(z.string()).optional(),
      job: jobView,
    }),
    handler: async ({ query, body, actor, services, reply }) =>
      answerWithJob(
        await services.rootRotation.request(body.keyArn, actor),
        services.jobs,
        query.wait,
        reply,
      ),
  }),
];
