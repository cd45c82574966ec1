import { KeywardError } from '@keyward/core';
import { z } from 'zod';
import { route } from '../route-spec.js';
import { safeText, tenantId, tenantParams, tenantView } from '../schemas.js';

const tokenKind = z.enum(['tenant-admin', 'service']);
const tokenInfo = z.object({
  id: z.string(),
  kind: z.string(),
  tenantId: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const tenantRoutes = [
  route({
    method: 'POST',
    url: '/v1/tenants',
    access: 'operator',
    tag: 'Tenants',
    successStatus: 201,
    summary: 'Create a tenant (platform-managed key until BYOK is enabled)',
    description: "Creates the tenant and its first tenant key version, wrapped by the platform's root key.",
    body: z
      .object({ id: tenantId, name: safeText(200).pipe(z.string().trim().min(1, 'must not be empty')) })
      .strict(),
    response: tenantView,
    handler: ({ body, actor, services }) => services.tenants.create(body, actor),
  }),
  route({
    method: 'GET',
    url: '/v1/tenants',
    access: 'operator',
    tag: 'Tenants',
    summary: 'List tenants with their BYOK state',
    query: z.object({ state: z.string().optional() }).strict(),
    response: z.object({ tenants: z.array(tenantView) }),
    handler: async ({ query, services }) => ({ tenants: await services.views.tenants(query.state) }),
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId',
    access: 'tenant-admin',
    tag: 'Tenants',
    summary: 'One tenant',
    params: tenantParams,
    response: tenantView,
    handler: ({ params, services }) => services.tenants.get(params.tenantId),
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/tokens',
    access: 'operator',
    tag: 'Tokens',
    successStatus: 201,
    summary: 'Issue a tenant-admin token (BYOK setup) or a service token (data plane) for one tenant',
    description: 'The token is in this response only; Keyward stores its SHA-256.',
    params: tenantParams,
    body: z.object({ kind: tokenKind }).strict(),
    response: z.object({ id: z.string(), kind: tokenKind, tenantId: z.string(), token: z.string() }),
    handler: async ({ params, body, actor, services }) => {
      await services.tenants.get(params.tenantId);
      const issued = await services.tokenAdmin.issue(body.kind, params.tenantId, actor);
      return { id: issued.id, kind: body.kind, tenantId: params.tenantId, token: issued.token };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/tokens',
    access: 'operator',
    tag: 'Tokens',
    summary: "A tenant's tokens (never the tokens themselves)",
    params: tenantParams,
    response: z.object({ tokens: z.array(tokenInfo) }),
    handler: async ({ params, services }) => {
      await services.tenants.get(params.tenantId);
      return { tokens: await services.tokens.list(params.tenantId) };
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/tokens/:tokenId',
    access: 'operator',
    tag: 'Tokens',
    summary: 'Revoke a token',
    params: z.object({ tokenId: z.uuid() }).strict(),
    response: z.object({ revoked: z.literal(true) }),
    handler: async ({ params, actor, services }) => {
      const token = await services.tokens.find(params.tokenId);
      const notFound = () =>
        new KeywardError('KW_NOT_FOUND', { message: `No active token ${params.tokenId}.` });
      if (token === undefined) throw notFound();
      if (!(await services.tokenAdmin.revoke(token, actor))) throw notFound();
      // Committed: a request that read the token as valid before the commit may have cached it.
      services.tokens.forget(params.tokenId);
      await services.events.publish({ kind: 'token-revoked', tokenId: params.tokenId });
      return { revoked: true };
    },
  }),
];
