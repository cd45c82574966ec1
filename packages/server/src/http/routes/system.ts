import { z } from 'zod';
import { route } from '../route-spec.js';

export const systemRoutes = [
  route({
    method: 'GET',
    url: '/healthz',
    access: 'public',
    tag: 'System',
    summary: 'Liveness: the process answers',
    response: z.object({ status: z.literal('ok') }),
    handler: async () => ({ status: 'ok' }),
  }),
  route({
    method: 'GET',
    url: '/readyz',
    access: 'public',
    tag: 'System',
    summary: 'Readiness: the store answers (503 when it does not)',
    response: z.object({ status: z.enum(['ready', 'unavailable']), store: z.boolean() }),
    handler: async ({ services, reply }) => {
      const store = await services.ready();
      if (!store) reply.code(503);
      return { status: store ? 'ready' : 'unavailable', store };
    },
  }),
  route({
    method: 'GET',
    url: '/metrics',
    access: 'operator',
    tag: 'System',
    produces: 'text/plain',
    summary:
      'Prometheus metrics: requests and latency, KMS/STS calls by operation and outcome, key cache hits and misses, tenants by BYOK state',
    description: 'Scrape with the operator token as a bearer token (Prometheus `authorization` setting).',
    handler: async ({ services, reply }) => {
      reply.type(services.metrics.registry.contentType);
      return services.metrics.registry.metrics();
    },
  }),
];
