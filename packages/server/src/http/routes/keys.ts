import { z } from 'zod';
import { route } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const versionInfo = z.object({ version: z.number(), rootKeyId: z.string(), createdAt: z.string() });
const policy = z.object({
  latestVersion: z.number(),
  minEncryptionVersion: z.number(),
  minDecryptionVersion: z.number(),
});

export const keyRoutes = [
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/keys',
    access: 'tenant-admin',
    tag: 'Keys',
    summary: 'Tenant key versions (never key material), floors and which root key wraps each',
    params: tenantParams,
    response: policy.extend({ tenantId: z.string(), versions: z.array(versionInfo) }),
    handler: ({ params, services }) => services.keys.list(params.tenantId),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/keys/rotate',
    access: 'tenant-admin',
    tag: 'Keys',
    summary: "Add a new tenant key version under the tenant's root key; new data uses it",
    params: tenantParams,
    response: versionInfo,
    handler: ({ params, actor, services }) => services.keys.rotate(params.tenantId, actor),
  }),
  route({
    method: 'PUT',
    url: '/v1/tenants/:tenantId/keys/floors',
    access: 'tenant-admin',
    tag: 'Keys',
    summary: "Set the lowest versions encryption and decryption accept (Vault transit's rules)",
    params: tenantParams,
    body: z
      .object({
        minEncryptionVersion: z.number().int().min(0).optional(),
        minDecryptionVersion: z.number().int().min(1).optional(),
      })
      .strict(),
    response: policy,
    handler: ({ params, body, actor, services }) => services.keys.setFloors(params.tenantId, body, actor),
  }),
];
