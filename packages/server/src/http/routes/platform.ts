import { serviceRolePolicies } from '@keyward/core';
import { z } from 'zod';
import { route } from '../route-spec.js';

export const platformRoutes = [
  route({
    method: 'GET', url: '/v1/platform', access: 'authenticated', tag: 'Platform',
    summary: 'The platform\'s identity: the Service Role ARN and account a customer\'s role must trust',
    response: z.object({ serviceRoleArn: z.string(), accountId: z.string(), partition: z.string(), region: z.string(), awsMode: z.enum(['sandbox', 'aws']) }),
    handler: async ({ services }) => ({
      serviceRoleArn: services.platform.serviceRoleArn, accountId: services.platform.accountId, partition: services.platform.partition,
      region: services.config.aws.region, awsMode: services.config.aws.mode,
    }),
  }),
  route({
    method: 'GET', url: '/v1/platform/service-role-policy', access: 'operator', tag: 'Platform',
    summary: 'Setup step 5, self-service: the IAM policy documents that let the Service Role assume every registered customer role',
    description: 'Attach every document to the Service Role (each fits IAM\'s 10,240-character inline policy limit). The list of registered roles comes from the tenants\' saved configurations.',
    response: z.object({ serviceRoleArn: z.string(), registeredRoles: z.array(z.object({ tenantId: z.string(), roleArn: z.string() })), policies: z.array(z.unknown()) }),
    handler: async ({ services }) => {
      const rows = await services.db.selectFrom('byok_configs').select(['tenant_id', 'role_arn']).where('role_arn', 'is not', null).orderBy('tenant_id').execute();
      const registeredRoles = rows.map((row) => ({ tenantId: row.tenant_id, roleArn: row.role_arn! }));
      return { serviceRoleArn: services.platform.serviceRoleArn, registeredRoles, policies: serviceRolePolicies(registeredRoles.map((r) => r.roleArn)) };
    },
  }),
];
