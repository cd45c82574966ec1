import { randomBytes } from 'node:crypto';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID, startSandbox, type RunningSandbox } from '@keyward/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { loadConfig, openStore, startServer, type RunningServer, type Store } from '../../src/index.js';
import { POSTGRES_URL, postgresAvailable } from '../store/backends.js';
import { applyKit, createCustomerKey, OPERATOR_TOKEN } from './harness.js';

/**
 * Issue 6, item 3 (in part): two Keyward instances, each with its own connection pool, on one
 * PostgreSQL schema. What one instance detects or revokes, the other acts on through LISTEN/NOTIFY,
 * without a health check of its own (its periodic checks are off here).
 */
describe.skipIf(!postgresAvailable)('two instances on one PostgreSQL', () => {
  const schema = `kw_test_${randomBytes(6).toString('hex')}`;
  let box: RunningSandbox;
  const stores: Store[] = [];
  const servers: RunningServer[] = [];

  const call = async (
    server: RunningServer,
    method: string,
    path: string,
    body?: unknown,
    token = OPERATOR_TOKEN,
  ) => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of documented routes
  };

  beforeAll(async () => {
    box = await startSandbox({ port: 0, env: {} });
    for (let i = 0; i < 2; i++) {
      const store = await openStore({ kind: 'postgres', url: POSTGRES_URL, schema });
      stores.push(store);
      const config = loadConfig(
        {},
        {
          aws: { endpoint: box.endpoint },
          listen: { port: 0 },
          operatorToken: OPERATOR_TOKEN,
          demoTenant: '',
          logLevel: 'silent',
          health: { intervalSeconds: 0 },
          // Five minutes: only the other instance's message can make this one refuse a token it accepted.
          tokenCacheSeconds: 300,
        },
      );
      servers.push(await startServer({ config, store, env: {}, logger: false }));
    }
  }, 60_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    for (const store of stores) await store.close();
    await box?.close();
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`drop schema if exists ${schema} cascade`);
    await admin.end();
  });

  it(
    'a revocation detected by one instance stops the other, which keeps the key in its cache; restored access works on both',
    { timeout: 60_000 },
    async () => {
      const [a, b] = servers as [RunningServer, RunningServer];
      await call(a, 'POST', '/v1/tenants', { id: 'acme', name: 'Acme' });
      await call(a, 'POST', '/v1/tenants/acme/byok/external-id');
      const cmkArn = await createCustomerKey(box);
      const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-acme`;
      const kit = (
        await call(
          a,
          'GET',
          `/v1/tenants/acme/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
        )
      ).body;
      await applyKit(box, kit);
      await call(a, 'PUT', '/v1/tenants/acme/byok/config', { roleArn, cmkArn });
      expect((await call(a, 'POST', '/v1/tenants/acme/byok/test')).body.ok).toBe(true);
      expect((await call(a, 'POST', '/v1/tenants/acme/byok/enable')).status).toBe(200);

      const sealed = await call(a, 'POST', '/v1/tenants/acme/encrypt', { items: [{ text: 'shared' }] });
      const item = { encoding: 'utf8', items: [{ ciphertext: sealed.body.results[0].ciphertext }] };
      expect((await call(b, 'POST', '/v1/tenants/acme/decrypt', item)).body).toEqual({
        results: [{ ok: true, text: 'shared' }],
      });
      expect(b.services.keyward.stats().entries).toBeGreaterThan(0); // b holds the key

      await clients(box, box.credentials(CUSTOMER_ACCOUNT_ID)).kms.send(
        new DisableKeyCommand({ KeyId: cmkArn }),
      );
      expect((await call(a, 'POST', '/v1/tenants/acme/byok/check')).body).toMatchObject({
        finding: 'disabled',
        state: 'revoked',
      });
      // b never checked: it stops because a told it (its cache would otherwise serve for the TTL).
      await expect
        .poll(async () => (await call(b, 'POST', '/v1/tenants/acme/decrypt', item)).body.code, {
          timeout: 10_000,
          interval: 50,
        })
        .toBe('KW_BYOK_REVOKED');

      await clients(box, box.credentials(CUSTOMER_ACCOUNT_ID)).kms.send(
        new EnableKeyCommand({ KeyId: cmkArn }),
      );
      expect((await call(b, 'POST', '/v1/tenants/acme/byok/check')).body).toMatchObject({
        finding: 'ok',
        state: 'active',
      });
      expect((await call(a, 'POST', '/v1/tenants/acme/decrypt', item)).body).toEqual({
        results: [{ ok: true, text: 'shared' }],
      });
      expect((await call(b, 'POST', '/v1/tenants/acme/decrypt', item)).body).toEqual({
        results: [{ ok: true, text: 'shared' }],
      });
    },
  );

  it('a token revoked on one instance is refused by the other, which had accepted it moments before', async () => {
    const [a, b] = servers as [RunningServer, RunningServer];
    const issued = (await call(a, 'POST', '/v1/tenants/acme/tokens', { kind: 'tenant-admin' })).body;
    expect((await call(b, 'GET', '/v1/tenants/acme', undefined, issued.token)).status).toBe(200);
    expect((await call(a, 'DELETE', `/v1/tokens/${issued.id}`)).body).toEqual({ revoked: true });
    await expect
      .poll(async () => (await call(b, 'GET', '/v1/tenants/acme', undefined, issued.token)).status, {
        timeout: 10_000,
        interval: 50,
      })
      .toBe(401);
  });
});
