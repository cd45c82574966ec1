import { ERROR_CATALOGUE } from '@keyward/core';
import { z } from 'zod';
import type { AnyRoute } from './route-spec.js';
import { errorBody } from './schemas.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', reused: 'inline' }) as Json;
  delete json.$schema;
  return json;
}

/** Fastify's `/:name` segments in OpenAPI's `/{name}` form. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

function parameters(spec: AnyRoute): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', spec.params],
    ['query', spec.query],
  ] as const) {
    if (schema === undefined) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
        ...(typeof property.description === 'string' ? { description: property.description } : {}),
      });
    }
  }
  return out;
}

function errorResponses(spec: AnyRoute): Json {
  const statuses = new Set<number>([400, 500]);
  if (spec.access !== 'public') statuses.add(401).add(429);
  if (spec.access !== 'public' && spec.access !== 'authenticated') statuses.add(403);
  if (spec.url.includes(':tenantId')) statuses.add(404).add(409);
  if (spec.body !== undefined) statuses.add(413);
  const out: Json = {};
  for (const status of [...statuses].sort()) {
    const codes = Object.entries(ERROR_CATALOGUE)
      .filter(([, entry]) => entry.status === status)
      .map(([code]) => code);
    out[String(status)] = {
      description: `Error: ${codes.join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

function operation(spec: AnyRoute): Json {
  const success =
    spec.produces === undefined
      ? {
          description: 'Success',
          content: {
            'application/json': {
              schema: spec.response === undefined ? {} : schemaOf(spec.response, 'output'),
            },
          },
        }
      : { description: 'Success', content: { [spec.produces]: { schema: { type: 'string' } } } };
  return {
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    operationId: `${spec.method.toLowerCase()}${openApiPath(spec.url)
      .replace(/[{}]/g, '')
      .split(/[/-]/)
      .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
      .join('')}`,
    'x-keyward-access': spec.access,
    ...(spec.access === 'public' ? { security: [] } : {}),
    parameters: parameters(spec),
    ...(spec.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaOf(spec.body, 'input') } },
          },
        }),
    responses: { [String(spec.successStatus ?? 200)]: success, ...errorResponses(spec) },
  };
}

/** The OpenAPI 3.1 document of every route, from the same schemas the server validates with. */
export function openApiDocument(routes: readonly AnyRoute[], serverUrl?: string): Json {
  const paths: Record<string, Json> = {};
  for (const spec of routes)
    (paths[openApiPath(spec.url)] ??= {})[spec.method.toLowerCase()] = operation(spec);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Keyward API',
      version: '1.0.0',
      description:
        'Bring-your-own-key (BYOK) on AWS KMS for multi-tenant SaaS platforms: tenants, the BYOK setup and lifecycle, the data plane, and the audit trail. ' +
        'Authenticate with `Authorization: Bearer <token>`: the operator token (configuration), or a tenant-admin or service token the operator issued. ' +
        '`x-keyward-access` on each operation says which tokens may call it. Errors are `{ code, message, details? }` with codes from docs/errors.md.',
    },
    ...(serverUrl === undefined ? {} : { servers: [{ url: serverUrl }] }),
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Operator, tenant-admin (kwa_…) or service (kws_…) token',
        },
      },
      schemas: { Error: schemaOf(errorBody, 'output') },
    },
    paths,
  };
}
