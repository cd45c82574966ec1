import type { Clock } from '@keyward/core';
import { startSandbox, type RunningSandbox } from '@keyward/sandbox';
import {
  loadConfig,
  startServer,
  type RunningServer,
  type ServerConfigInput,
  type Store,
} from '../../src/index.js';
import type { Backend } from '../store/backends.js';

export const OPERATOR_TOKEN = 'test-operator-token-0123456789abcdef0123456789';

export interface Harness {
  box: RunningSandbox;
  server: RunningServer;
  store: Store;
  url: string;
  /** A JSON request to the server: the status and the parsed body (any: tests assert its shape). */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; headers: Headers }>;
  /** Creates a tenant and its tenant-admin and service tokens, as the operator. */
  tenant(id: string): Promise<{ id: string; adminToken: string; serviceToken: string }>;
  close(): Promise<void>;
}

/**
 * A sandbox and a Keyward server over real HTTP on the given store, as `npm start` runs it but
 * on free ports, with a fixed operator token and no demo tenant.
 */
export async function startHarness(
  backend: Backend,
  overrides: ServerConfigInput = {},
  options: { clock?: Clock } = {},
): Promise<Harness> {
  const box = await startSandbox({ port: 0, env: {} });
  const store = await backend.open();
  const config = loadConfig(
    {},
    {
      aws: { endpoint: box.endpoint },
      listen: { port: 0 },
      operatorToken: OPERATOR_TOKEN,
      demoTenant: '',
      logLevel: 'silent',
      // Tests run health checks themselves (POST …/byok/check), never on a timer.
      health: { intervalSeconds: 0 },
      // Jobs: found at once and retried quickly, so that a request's wait sees them finish.
      jobs: { pollMs: 50, retryBaseMs: 20 },
      ...overrides,
    },
  );
  const server = await startServer({
    config,
    store,
    env: {},
    logger: false,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const url = server.url;
  const call: Harness['call'] = async (method, path, options = {}) => {
    const token = options.token === undefined ? OPERATOR_TOKEN : options.token;
    const headers: Record<string, string> = {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...options.headers,
    };
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    } else if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // Not JSON (metrics, the reference page): keep the text.
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };
  return {
    box,
    server,
    store,
    url,
    call,
    async tenant(id) {
      const created = await call('POST', '/v1/tenants', { body: { id, name: `Tenant ${id}` } });
      if (created.status !== 201)
        throw new Error(`create tenant ${id}: ${created.status} ${JSON.stringify(created.body)}`);
      const admin = await call('POST', `/v1/tenants/${id}/tokens`, { body: { kind: 'tenant-admin' } });
      const service = await call('POST', `/v1/tenants/${id}/tokens`, { body: { kind: 'service' } });
      return { id, adminToken: admin.body.token, serviceToken: service.body.token };
    },
    async close() {
      await server.close();
      await store.close();
      await box.close();
    },
  };
}

// The customer's side of the guide, shared with the end-to-end tests and the benchmarks.
export { applyKit, createCustomerKey } from '@keyward/test-kit/customer-account';
