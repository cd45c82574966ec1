import { KeywardError } from '@keyward/core';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { withActor } from '../aws/request-actor.js';
import { registerConsole } from '../console/console-routes.js';
import type { Services } from '../services/services.js';
import { authenticate } from './authenticate.js';
import { actorOf, authorize } from './authorize.js';
import { errorResponse, invalidArgument } from './error-response.js';
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
 * The HTTP API on Fastify. Each request: authenticate (401), authorize for the route's tenant (403),
 * rate-limit per token (429), validate params, query and body (400), then run the handler with the
 * caller as the actor of every audit event it causes.
 */
export function buildApp(services: Services, options: { logger?: boolean } = {}): FastifyInstance {
  const { config } = services;
  const app = Fastify({
    bodyLimit: config.limits.bodyBytes,
    logger: options.logger === false || config.logLevel === 'silent' ? false : { level: config.logLevel },
    // Requests are counted in the metrics; one log line each would cost more than the request.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    // Above the longest valid parameter (a 128-character tenant ID), so that the schema, not the
    // router, says what is wrong with a long one.
    routerOptions: { maxParamLength: 512 },
    // Errors the router raises before any route runs (bad percent-encoding, an overlong parameter).
    frameworkErrors: (error, _request, reply) => {
      const response = errorResponse(error);
      // The reply's types are generic over route schemas this handler has none of.
      void (reply as unknown as { code(status: number): { send(body: unknown): void } })
        .code(response.status)
        .send(response.body);
    },
  });
  const limiter = new RateLimiter(config.rateLimit.requestsPerSecond, config.rateLimit.burst);

  // An empty JSON body is no body (POST …/enable with a JSON content type and nothing in it).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new KeywardError('KW_INVALID_ARGUMENT', { message: 'The body is not valid JSON.' }), undefined);
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const response = errorResponse(error);
    if (response.unexpected)
      request.log.error({ err: error, route: request.routeOptions.url }, 'unexpected error');
    void reply.code(response.status).header('cache-control', 'no-store').send(response.body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(
      new KeywardError('KW_NOT_FOUND', {
        message: `No route ${request.method} ${request.url.split('?')[0]}; see /docs.`,
      }).toJSON(),
    );
  });
  app.addHook('onResponse', async (request, reply) => {
    services.metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });

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
  // The console's sign-in and sign-out forms.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
  registerConsole(app, services);
  app.get('/', async (_request, reply) => reply.redirect('/console', 303));
  app.get('/docs', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      )
      .send(REFERENCE_PAGE),
  );
  return app;
}
