import { KeywardError } from '@keyward/core';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerConsole } from '../console/console-routes.js';
import { registerApi } from '../http/api-routes.js';
import { errorResponse } from '../http/error-response.js';
import type { Services } from '../services/services.js';

/**
 * The composition root of the HTTP side: one Fastify app with the JSON API (`http/`) and the admin
 * console (`console/`) on one origin, sharing its body parsers, error handling and request metrics.
 * It lives outside both so that the API never depends on the console.
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

  // An empty JSON body is no body (POST …/enable with a JSON content type and nothing in it).
  // A key named __proto__ (escaped or not) is refused, as Fastify's own parser does: a record such
  // as an encryption context would silently drop it, and what is sent must be what is bound. Only
  // a body that could hold one is parsed a second time, by Fastify's parser, which alone says so.
  const refusesProto = app.getDefaultJsonParser('error', 'ignore');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return done(
        new KeywardError('KW_INVALID_ARGUMENT', { message: 'The body is not valid JSON.' }),
        undefined,
      );
    }
    if (!text.includes('proto') && !text.includes('\\u')) return done(null, value);
    void refusesProto(request, text, (error) =>
      error === null
        ? done(null, value)
        : done(
            new KeywardError('KW_INVALID_ARGUMENT', {
              message:
                'The body has a key named "__proto__", which cannot be used (it would not be bound); rename it.',
            }),
            undefined,
          ),
    );
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

  registerApi(app, services);
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
  return app;
}
