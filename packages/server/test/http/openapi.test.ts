import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/http/api-routes.js';
import { BACKENDS } from '../store/backends.js';
import { startHarness, type Harness } from './harness.js';

/**
 * The API describes itself: /openapi.json (OpenAPI 3.1, every route of the server's table), the
 * self-contained reference page at /docs, and the operational endpoints (health, readiness,
 * Prometheus metrics).
 */

const backend = BACKENDS[0]!;

/** Fastify's `/:name` segments in OpenAPI's `/{name}` form. */
const openApiPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');

type Json = Record<string, unknown>;
interface Operation {
  summary?: unknown;
  tags?: unknown;
  operationId?: unknown;
  'x-keyward-access'?: unknown;
  parameters?: Array<{ name: string; in: string; required?: boolean }>;
  requestBody?: { required?: boolean; content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  components: { schemas: Record<string, Json>; securitySchemes?: Json };
  paths: Record<string, Record<string, Operation>>;
}

/** The value a local `$ref` points at: a JSON pointer from the root of the OpenAPI document (3.1 resolves `#` against it). */
function resolveRef(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let at: unknown = root;
  for (const token of ref
    .slice(2)
    .split('/')
    .map((part) => decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~'))) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, token)) return undefined;
    at = (at as Json)[token];
  }
  return at;
}

/** Every `$ref` in the document, with the JSON pointer of the object holding it. */
function refsIn(value: unknown, at = '#'): Array<{ at: string; ref: string }> {
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) =>
    key === '$ref' && typeof child === 'string'
      ? [{ at, ref: child }]
      : refsIn(child, `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`),
  );
}

/** One sample of a Prometheus text exposition: `name{labels} value`, or undefined. */
function sample(metrics: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of metrics.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe.skipIf(!backend.available)(`the API reference and operational endpoints, on ${backend.name}`, () => {
  let h: Harness;
  let document: Document;

  beforeAll(async () => {
    h = await startHarness(backend);
    const response = await h.call('GET', '/openapi.json', { token: null });
    expect(response.status).toBe(200);
    document = response.body as Document;
  }, 60_000);
  afterAll(async () => h?.close());

  describe('GET /openapi.json', () => {
    it('is public JSON, an OpenAPI 3.1 document with the Error schema', async () => {
      const response = await h.call('GET', '/openapi.json', { token: null });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(typeof document.openapi).toBe('string');
      expect(document.openapi.startsWith('3.1')).toBe(true);
      expect(document.info.title).toBeTruthy();
      expect(document.info.version).toBeTruthy();
      let error = document.components.schemas.Error as
        { $ref?: string; type?: string; properties?: Json; required?: string[] } | undefined;
      expect(error).toBeDefined();
      // A reference is followed the way an OpenAPI 3.1 tool does: from the document's root.
      for (let hops = 0; error?.$ref !== undefined && hops < 5; hops++)
        error = resolveRef(document, error.$ref) as typeof error;
      expect(
        error,
        `#/components/schemas/Error resolves to a schema: ${JSON.stringify(document.components.schemas.Error).slice(0, 200)}`,
      ).toBeDefined();
      expect(error!.type).toBe('object');
      expect(Object.keys(error!.properties ?? {})).toEqual(
        expect.arrayContaining(['code', 'message', 'details']),
      );
      expect(error!.required).toEqual(expect.arrayContaining(['code', 'message']));
    });

    it('lists every route of the server under its path and method, and nothing else', () => {
      const expected = ROUTES.map((spec) => `${spec.method.toLowerCase()} ${openApiPath(spec.url)}`).sort();
      const listed = Object.entries(document.paths)
        .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`))
        .sort();
      expect(listed).toEqual(expected);
      for (const spec of ROUTES) {
        const path = openApiPath(spec.url);
        expect(path, spec.url).not.toContain(':');
        expect(document.paths[path]?.[spec.method.toLowerCase()], `${spec.method} ${path}`).toBeDefined();
      }
      expect(document.paths['/v1/tenants/{tenantId}']).toBeDefined();
    });

    it('gives each operation a summary, tags, x-keyward-access, a 2xx response and Error responses', () => {
      for (const spec of ROUTES) {
        const what = `${spec.method} ${spec.url}`;
        const operation = document.paths[openApiPath(spec.url)]![spec.method.toLowerCase()]!;
        expect(typeof operation.summary, what).toBe('string');
        expect((operation.summary as string).length, what).toBeGreaterThan(0);
        expect(
          Array.isArray(operation.tags) &&
            operation.tags.length > 0 &&
            operation.tags.every((t) => typeof t === 'string'),
          what,
        ).toBe(true);
        expect(operation['x-keyward-access'], what).toBe(spec.access);
        const responses = operation.responses ?? {};
        const statuses = Object.keys(responses);
        expect(
          statuses.some((status) => /^2\d\d$/.test(status)),
          `${what}: ${statuses.join(',')}`,
        ).toBe(true);
        expect(statuses, what).toContain(String(spec.successStatus ?? 200));
        const errors = statuses.filter((status) => /^[45]\d\d$/.test(status));
        expect(errors, what).toEqual(expect.arrayContaining(['400', '500']));
        if (spec.access !== 'public') expect(errors, what).toContain('401');
        if (spec.url.includes(':tenantId'))
          expect(errors, what).toEqual(expect.arrayContaining(['404', '409']));
        if (spec.body !== undefined) expect(errors, what).toContain('413');
        for (const status of errors) {
          expect(responses[status]!.content?.['application/json']?.schema, `${what} ${status}`).toEqual({
            $ref: '#/components/schemas/Error',
          });
          expect(typeof responses[status]!.description, `${what} ${status}`).toBe('string');
        }
      }
    });

    it('every $ref resolves within the document', () => {
      const refs = refsIn(document);
      expect(refs.length).toBeGreaterThan(0);
      const dangling = refs
        .filter(({ ref }) => resolveRef(document, ref) === undefined)
        .map(({ at, ref }) => `${ref} at ${at}`);
      expect(dangling, 'references that point nowhere in the document').toEqual([]);
    });

    it('has unique operationIds', () => {
      const ids = Object.values(document.paths).flatMap((operations) =>
        Object.values(operations).map((operation) => operation.operationId),
      );
      expect(ids).toHaveLength(ROUTES.length);
      for (const id of ids) expect(typeof id).toBe('string');
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('describes path parameters in the {name} syntax', () => {
      for (const spec of ROUTES) {
        const names = [...spec.url.matchAll(/:(\w+)/g)].map((m) => m[1]);
        const operation = document.paths[openApiPath(spec.url)]![spec.method.toLowerCase()]!;
        const inPath = (operation.parameters ?? []).filter((p) => p.in === 'path');
        expect(inPath.map((p) => p.name).sort(), `${spec.method} ${spec.url}`).toEqual(names.sort());
        for (const parameter of inPath)
          expect(parameter.required, `${spec.method} ${spec.url} ${parameter.name}`).toBe(true);
      }
    });

    it('gives operations with a body a JSON requestBody schema that refuses unknown fields', () => {
      const withBody = ROUTES.filter((spec) => spec.body !== undefined);
      expect(withBody.length).toBeGreaterThan(0);
      for (const spec of ROUTES) {
        const what = `${spec.method} ${spec.url}`;
        const operation = document.paths[openApiPath(spec.url)]![spec.method.toLowerCase()]!;
        if (spec.body === undefined) {
          expect(operation.requestBody, what).toBeUndefined();
          continue;
        }
        const schema = operation.requestBody?.content?.['application/json']?.schema as
          { type?: string; additionalProperties?: unknown; properties?: Record<string, Json> } | undefined;
        expect(schema, what).toBeDefined();
        expect(schema!.type, what).toBe('object');
        expect(schema!.additionalProperties, what).toBe(false);
        // Nested objects (batch items) are strict too.
        const items = schema!.properties?.items as
          { type?: string; items?: { type?: string; additionalProperties?: unknown } } | undefined;
        if (items !== undefined) {
          expect(items.type, what).toBe('array');
          expect(items.items?.additionalProperties, what).toBe(false);
        }
      }
    });
  });

  describe('GET /docs', () => {
    it('is a public HTML page that loads /openapi.json from this server and nothing from elsewhere', async () => {
      const response = await fetch(`${h.url}/docs`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toMatch(/<!doctype html>/i);
      expect(html).toContain('/openapi.json');
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?\s*\/\//i);
      for (const [, url] of html.matchAll(
        /<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']?([^"'\s>]+)/gi,
      )) {
        expect(url, 'only same-origin resources').toMatch(/^\/(?!\/)/);
      }
      expect(html).not.toMatch(/@import/i);
    });
  });

  describe('health, readiness and metrics', () => {
    it('GET /healthz is 200 { status: "ok" } without a token', async () => {
      const response = await h.call('GET', '/healthz', { token: null });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    });

    it('GET /readyz is 200 { status: "ready", store: true } without a token', async () => {
      const response = await h.call('GET', '/readyz', { token: null });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ready', store: true });
    });

    it('GET /metrics needs the operator token', async () => {
      const anonymous = await h.call('GET', '/metrics', { token: null });
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.code).toBe('KW_UNAUTHENTICATED');
      expect(typeof anonymous.body.message).toBe('string');
      const wrong = await h.call('GET', '/metrics', { token: 'not-a-token' });
      expect(wrong.status).toBe(401);
    });

    it('GET /metrics with the operator token is Prometheus text: requests, AWS calls, key cache, tenants by state', async () => {
      // Creating a tenant makes a KMS call (its first tenant key); two encrypts miss then hit the key cache.
      const acme = await h.tenant('acme');
      for (let i = 0; i < 2; i++) {
        const encrypted = await h.call('POST', '/v1/tenants/acme/encrypt', {
          token: acme.serviceToken,
          body: { items: [{ text: `metrics ${i}` }] },
        });
        expect(encrypted.status).toBe(200);
      }
      expect((await h.call('GET', '/healthz', { token: null })).status).toBe(200);

      const response = await h.call('GET', '/metrics');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      const metrics = response.body as string;
      expect(typeof metrics).toBe('string');

      expect(metrics).toContain('# TYPE keyward_http_requests_total counter');
      expect(
        sample(metrics, 'keyward_http_requests_total', { method: 'GET', route: '/healthz', status: '200' }),
      ).toBeGreaterThanOrEqual(1);
      expect(
        sample(metrics, 'keyward_http_requests_total', {
          method: 'POST',
          route: '/v1/tenants/:tenantId/encrypt',
          status: '200',
        }),
      ).toBeGreaterThanOrEqual(2);

      expect(metrics).toContain('keyward_aws_calls_total');
      const awsCalls = metrics.split('\n').filter((line) => line.startsWith('keyward_aws_calls_total{'));
      expect(awsCalls.length, metrics).toBeGreaterThan(0);
      expect(awsCalls.reduce((sum, line) => sum + Number(line.split(/\s+/).pop()), 0)).toBeGreaterThanOrEqual(
        1,
      );

      expect(metrics).toContain('keyward_key_cache_events');
      expect(sample(metrics, 'keyward_key_cache_events', { event: 'hits' })).toBeGreaterThanOrEqual(1);
      expect(sample(metrics, 'keyward_key_cache_events', { event: 'misses' })).toBeGreaterThanOrEqual(1);

      expect(sample(metrics, 'keyward_tenants', { state: 'not_configured' })).toBeGreaterThanOrEqual(1);
    });
  });
});
