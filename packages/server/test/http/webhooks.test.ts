import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { BACKENDS } from '../store/backends.js';
import { applyKit, createCustomerKey, startHarness, type Harness } from './harness.js';

interface Received {
  path: string;
  body: string;
  signature: string;
}

/** A receiver that records every POST and answers 500 to the first `failFirst` ones. */
async function receiver(
  failFirst: number,
): Promise<{ url: string; received: Received[]; attempts: () => number; close(): Promise<void> }> {
  const received: Received[] = [];
  let attempts = 0;
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      attempts++;
      if (attempts <= failFirst) {
        response.writeHead(500).end();
        return;
      }
      received.push({
        path: request.url ?? '',
        body,
        signature: String(request.headers['keyward-signature'] ?? ''),
      });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    attempts: () => attempts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: recompute the HMAC with the secret's bytes and compare in constant time. */
function verifies(secret: string, signature: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (match === null) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64url'))
    .update(`${match[1]}.${body}`)
    .digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

const backend = BACKENDS[0]!;

describe.skipIf(!backend.available)(`webhooks for state changes, on ${backend.name}`, () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(backend, {
      health: { intervalSeconds: 0, graceSeconds: 120 },
      webhooks: { retryBaseMs: 20 },
    });
  }, 60_000);
  afterAll(async () => h?.close());

  it(
    "sends the tenant's and the operator's webhooks a signed event on revocation and on recovery, retrying a failing receiver",
    { timeout: 60_000 },
    async () => {
      const tenantHook = await receiver(2);
      const operatorHook = await receiver(0);
      try {
        const tenant = await h.tenant('hooked');
        const admin = { token: tenant.adminToken };
        const set = await h.call('PUT', '/v1/tenants/hooked/webhook', {
          ...admin,
          body: { url: `${tenantHook.url}/tenant` },
        });
        expect(set.body).toMatchObject({
          url: `${tenantHook.url}/tenant`,
          secret: expect.stringMatching(/^whsec_[\w-]{43}$/),
        });
        const operatorSet = await h.call('PUT', '/v1/platform/webhook', {
          body: { url: `${operatorHook.url}/operator` },
        });
        expect((await h.call('GET', '/v1/tenants/hooked/webhook', admin)).body).toEqual({
          url: `${tenantHook.url}/tenant`,
          createdAt: expect.any(String),
        });
        expect(
          (await h.call('PUT', '/v1/platform/webhook', { ...admin, body: { url: 'http://x' } })).status,
        ).toBe(403);

        await h.call('POST', '/v1/tenants/hooked/byok/external-id', admin);
        const cmkArn = await createCustomerKey(h.box);
        const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-hooked`;
        await applyKit(
          h.box,
          (
            await h.call(
              'GET',
              `/v1/tenants/hooked/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
            )
          ).body,
        );
        await h.call('PUT', '/v1/tenants/hooked/byok/config', { ...admin, body: { roleArn, cmkArn } });
        await h.call('POST', '/v1/tenants/hooked/byok/test', admin);
        await h.call('POST', '/v1/tenants/hooked/byok/enable', admin);

        const kms = clients(h.box, h.box.credentials(CUSTOMER_ACCOUNT_ID)).kms;
        await kms.send(new DisableKeyCommand({ KeyId: cmkArn }));
        await h.call('POST', '/v1/tenants/hooked/byok/check', admin);
        await kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
        await h.call('POST', '/v1/tenants/hooked/byok/check', admin);

        // The passing test, enable's state change and its job's end, the revocation, the recovery.
        await expect.poll(() => tenantHook.received.length, { timeout: 20_000 }).toBe(5);
        await expect.poll(() => operatorHook.received.length, { timeout: 20_000 }).toBe(5);
        expect(tenantHook.attempts()).toBe(7); // two refused, then all five delivered
        const events = tenantHook.received.map((r) => JSON.parse(r.body));
        // Retries can reorder deliveries: each event carries its from and to.
        expect(events).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              type: 'byok.state_changed',
              tenantId: 'hooked',
              from: 'pending',
              to: 'validated',
              operation: 'byok.test',
              reason: null,
            }),
            expect.objectContaining({
              type: 'byok.state_changed',
              tenantId: 'hooked',
              from: 'validated',
              to: 'active',
              operation: 'byok.enable',
              reason: null,
            }),
            expect.objectContaining({
              type: 'job.finished',
              tenantId: 'hooked',
              kind: 'byok.enable',
              state: 'succeeded',
              jobId: expect.stringMatching(/^job_/),
              error: null,
            }),
            expect.objectContaining({
              type: 'byok.state_changed',
              tenantId: 'hooked',
              from: 'active',
              to: 'revoked',
              finding: 'disabled',
              reason: expect.stringContaining('disabled'),
            }),
            expect.objectContaining({
              type: 'byok.state_changed',
              tenantId: 'hooked',
              from: 'revoked',
              to: 'active',
              finding: 'ok',
              reason: null,
            }),
          ]),
        );
        for (const r of tenantHook.received)
          expect(verifies(set.body.secret, r.signature, r.body)).toBe(true);
        for (const r of operatorHook.received)
          expect(verifies(operatorSet.body.secret, r.signature, r.body)).toBe(true);
        // Signed for one receiver, not the other; and a changed body does not verify.
        const first = tenantHook.received[0]!;
        expect(verifies(operatorSet.body.secret, first.signature, first.body)).toBe(false);
        expect(
          verifies(
            set.body.secret,
            first.signature,
            first.body.replace('"tenantId":"hooked"', '"tenantId":"other"'),
          ),
        ).toBe(false);

        // The secret is stored only wrapped: not in the database dump.
        const rows = await h.store.db.selectFrom('webhooks').selectAll().execute();
        expect(
          JSON.stringify(rows.map((row) => Buffer.from(row.wrapped_secret).toString('base64url'))),
        ).not.toContain(set.body.secret.slice(6));
        const metrics = (await h.call('GET', '/metrics')).body as string;
        expect(metrics).toMatch(/keyward_webhook_deliveries_total\{outcome="delivered"\} 10/);

        expect((await h.call('DELETE', '/v1/tenants/hooked/webhook', admin)).body).toEqual({ removed: true });
        expect((await h.call('GET', '/v1/tenants/hooked/webhook', admin)).status).toBe(404);
      } finally {
        await tenantHook.close();
        await operatorHook.close();
      }
    },
  );

  it(
    'a webhook replaced while a delivery is being retried gets it at its new URL, signed with its new secret',
    { timeout: 30_000 },
    async () => {
      const old = await receiver(1000); // refuses everything
      const fresh = await receiver(0);
      try {
        await h.tenant('rotating-hook');
        await h.call('PUT', '/v1/tenants/rotating-hook/webhook', { body: { url: old.url } });
        await h.server.services.webhooks.notify({
          type: 'byok.state_changed',
          tenantId: 'rotating-hook',
          from: 'active',
          to: 'revoked',
          finding: 'disabled',
          reason: 'test',
        });
        await expect.poll(() => old.attempts(), { timeout: 10_000 }).toBeGreaterThan(0);
        const replaced = await h.call('PUT', '/v1/tenants/rotating-hook/webhook', {
          body: { url: fresh.url },
        });
        await expect.poll(() => fresh.received.length, { timeout: 20_000 }).toBe(1);
        expect(verifies(replaced.body.secret, fresh.received[0]!.signature, fresh.received[0]!.body)).toBe(
          true,
        );
      } finally {
        await old.close();
        await fresh.close();
      }
    },
  );

  it('refuses a URL that is not http(s)', async () => {
    await h.tenant('badurl');
    for (const url of ['ftp://example.com/x', 'not a url', 'javascript:alert(1)']) {
      const response = await h.call('PUT', '/v1/tenants/badurl/webhook', { body: { url } });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('KW_INVALID_ARGUMENT');
    }
  });

  it('refuses URLs with credentials, even in development', async () => {
    await h.tenant('credurl');
    const response = await h.call('PUT', '/v1/tenants/credurl/webhook', {
      body: { url: 'https://user:secret@hooks.example.com/x' },
    });
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/credentials/);
  });
});

describe.skipIf(!backend.available)(
  `webhooks with private addresses refused (the real-AWS default), on ${backend.name}`,
  () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend, { webhooks: { allowPrivateAddresses: false } });
    }, 60_000);
    afterAll(async () => h?.close());

    it('refuses loopback, private, link-local and local-name URLs with 400, storing nothing; a public name is accepted', async () => {
      await h.tenant('ssrf');
      for (const url of [
        'http://127.0.0.1:8080/hook',
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.7/hook',
        'http://[::1]:9000/',
        'http://[::ffff:127.0.0.1]/',
        'http://localhost:3000/hook',
      ]) {
        const response = await h.call('PUT', '/v1/tenants/ssrf/webhook', { body: { url } });
        expect(response.status, url).toBe(400);
        expect(response.body).toMatchObject({
          code: 'KW_INVALID_ARGUMENT',
          message: expect.stringContaining('public address'),
        });
      }
      expect((await h.call('GET', '/v1/tenants/ssrf/webhook')).status).toBe(404);
      expect(
        (await h.call('PUT', '/v1/platform/webhook', { body: { url: 'http://192.168.1.10/hook' } })).status,
      ).toBe(400);
      expect(
        (
          await h.call('PUT', '/v1/tenants/ssrf/webhook', {
            body: { url: 'https://hooks.example.com/keyward' },
          })
        ).status,
      ).toBe(200);
    });
  },
);
