import { KeywardError } from '@keyward/core';
import { z } from 'zod';
import { OPERATOR_SCOPE } from '../../services/webhooks.js';
import type { Services } from '../../services/services.js';
import { route } from '../route-spec.js';
import { tenantParams } from '../schemas.js';

const url = z.string().max(2048).meta({
  description: 'Where to POST state changes: an http(s) URL',
  example: 'https://hooks.example.com/keyward',
});
const DESCRIPTION =
  'Keyward POSTs a JSON body `{ id, at, type: "byok.state_changed", tenantId, from, to, finding, reason }` on every BYOK state change found by a health check or the data plane. ' +
  'The `keyward-signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the 32 bytes the secret encodes (base64url after `whsec_`). ' +
  'A delivery that does not get a 2xx is retried with exponential backoff, five attempts in all. Setting the webhook again replaces it and its secret.';

// Operator routes have no path parameters (undefined); tenant routes have the tenant's ID.
type Params = { tenantId?: string } | undefined;

const set =
  (
    scope: (params: { tenantId?: string }) => string,
    audited: (params: { tenantId?: string }) => string | null,
  ) =>
  async ({
    params: given,
    body,
    actor,
    services,
  }: {
    params: Params;
    body: { url: string };
    actor: string;
    services: Services;
  }) => {
    const params = given ?? {};
    if (params.tenantId !== undefined) await services.tenants.get(params.tenantId);
    const result = await services.webhooks.set(scope(params), body.url);
    await services.audit.append({
      tenantId: audited(params),
      actor,
      operation: 'webhook.set',
      outcome: 'success',
      details: { url: body.url },
    });
    return result;
  };

const get =
  (scope: (params: { tenantId?: string }) => string) =>
  async ({ params: given, services }: { params: Params; services: Services }) => {
    const params = given ?? {};
    if (params.tenantId !== undefined) await services.tenants.get(params.tenantId);
    const webhook = await services.webhooks.get(scope(params));
    if (webhook === undefined) throw new KeywardError('KW_NOT_FOUND', { message: 'No webhook is set.' });
    return webhook;
  };

const remove =
  (
    scope: (params: { tenantId?: string }) => string,
    audited: (params: { tenantId?: string }) => string | null,
  ) =>
  async ({ params: given, actor, services }: { params: Params; actor: string; services: Services }) => {
    const params = given ?? {};
    if (params.tenantId !== undefined) await services.tenants.get(params.tenantId);
    if (!(await services.webhooks.remove(scope(params))))
      throw new KeywardError('KW_NOT_FOUND', { message: 'No webhook is set.' });
    await services.audit.append({
      tenantId: audited(params),
      actor,
      operation: 'webhook.remove',
      outcome: 'success',
      details: {},
    });
    return { removed: true as const };
  };

const tenantScope = (params: { tenantId?: string }) => params.tenantId!;
const tenantAudit = (params: { tenantId?: string }) => params.tenantId!;
const operatorScope = () => OPERATOR_SCOPE;
const operatorAudit = () => null;
const setResponse = z.object({
  url: z.string(),
  secret: z.string().meta({ description: 'Shown once: keep it to verify signatures' }),
});
const getResponse = z.object({ url: z.string(), createdAt: z.string() });

export const webhookRoutes = [
  route({
    method: 'PUT',
    url: '/v1/tenants/:tenantId/webhook',
    access: 'tenant-admin',
    tag: 'Webhooks',
    summary: "Set the tenant's webhook for BYOK state changes; returns its signing secret once",
    description: DESCRIPTION,
    params: tenantParams,
    body: z.object({ url }).strict(),
    response: setResponse,
    handler: set(tenantScope, tenantAudit),
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/webhook',
    access: 'tenant-admin',
    tag: 'Webhooks',
    summary: "The tenant's webhook (never its secret)",
    params: tenantParams,
    response: getResponse,
    handler: get(tenantScope),
  }),
  route({
    method: 'DELETE',
    url: '/v1/tenants/:tenantId/webhook',
    access: 'tenant-admin',
    tag: 'Webhooks',
    summary: "Remove the tenant's webhook",
    params: tenantParams,
    response: z.object({ removed: z.literal(true) }),
    handler: remove(tenantScope, tenantAudit),
  }),
  route({
    method: 'PUT',
    url: '/v1/platform/webhook',
    access: 'operator',
    tag: 'Webhooks',
    summary: "Set the operator's webhook: every tenant's BYOK state changes; returns its signing secret once",
    description: DESCRIPTION,
    body: z.object({ url }).strict(),
    response: setResponse,
    handler: set(operatorScope, operatorAudit),
  }),
  route({
    method: 'GET',
    url: '/v1/platform/webhook',
    access: 'operator',
    tag: 'Webhooks',
    summary: "The operator's webhook (never its secret)",
    response: getResponse,
    handler: get(operatorScope),
  }),
  route({
    method: 'DELETE',
    url: '/v1/platform/webhook',
    access: 'operator',
    tag: 'Webhooks',
    summary: "Remove the operator's webhook",
    response: z.object({ removed: z.literal(true) }),
    handler: remove(operatorScope, operatorAudit),
  }),
];
