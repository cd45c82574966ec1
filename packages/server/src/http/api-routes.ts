import { KeywardError } from '@keyward/core';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { withActor } from '../aws/request-actor.js';
import type { Services } from '../services/services.js';
import { authenticate } from './authenticate.js';
import { actorOf, authorize } from './authorize.js';
import { invalidArgument } from './error-response.js';
import { openApiDocument } from './openapi.js';
import { RateLimiter } from './rate-limiter.js';
import { REFERENCE_PAGE } from './reference-page.js';
import type { AnyRoute } from './route-spec.js';
import { auditRoutes } from './routes/audit.js';
import { byokRoutes } from './routes/byok.js';
import { dataPlaneRoutes } from './routes/data-plane.js';
import { jobRoutes } from './routes/jobs.js';
import { keyRoutes } from './routes/keys.js';
import { platformRoutes } from './routes/platform.js';
import { systemRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenants.js';
import { webhookRoutes } from './routes/webhooks.js';

/** Every route of the API, in the order the reference lists them. */
export const ROUTES: readonly AnyRoute[] = [
  ...platformRoutes,
  ...tenantRoutes,
  ...byokRoutes,
  ...keyRoutes,
  ...dataPlaneRoutes,
  ...webhookRoutes,
  ...jobRoutes,
  ...auditRoutes,
  ...systemRoutes,
];

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (schema === undefined) return undefined as T;
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!result.success) throw invalidArgument(result.error, where);
  return result.data;
}

/**
 * The JSON API's routes, its OpenAPI document and its reference page. Each request: authenticate
 * (401), authorize for the route's tenant (403), rate-limit per token (429), validate params, query
 * and body (400), then run the handler with the caller as the actor of every audit event it causes.
 */
export function registerApi(app: FastifyInstance, services: Services): void {
  const { config } = services;
  const limiter = new RateLimiter(config.rateLimit.requestsPerSecond, config.rateLimit.burst);

  for (const spec of ROUTES) {
    app.route({
      method: spec.method,
      url: spec.url,
      handler: async (request, reply) => {
        const rawTenant = (request.params as { tenantId?: string }).tenantId;
        const principal = spec.access === 'public' ? undefined : await authenticate(services, request);
        authorize(spec.access, principal, rawTenant);
        if (principal !== undefined) {
          const wait = limiter.take(principal.tokenId);
          if (wait > 0) {
            void reply.header('retry-after', String(wait));
            throw new KeywardError('KW_RATE_LIMITED', { details: { retryAfterSeconds: wait } });
          }
        }
        const params = parse(spec.params, request.params, 'params');
        const query = parse(spec.query, request.query, 'query');
        const body = parse(spec.body, request.body, 'body');
        const actor = actorOf(principal);
        const result = await withActor(actor, () =>
          spec.handler({ params, query, body, principal, actor, services, reply }),
        );
        void reply.header('cache-control', 'no-store');
        if (reply.statusCode === 200 && spec.successStatus !== undefined) void reply.code(spec.successStatus);
        return result;
      },
    });
  }

  const document = openApiDocument(ROUTES);
  app.get('/openapi.json', async () => document);
  app.get('/docs', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(REFERENCE_PAGE),
  );
}
