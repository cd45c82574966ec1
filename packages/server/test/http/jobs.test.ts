import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { BACKENDS } from '../store/backends.js';
import { applyKit, createCustomerKey, startHarness, type Harness } from './harness.js';

type Tenant = Awaited<ReturnType<Harness['tenant']>>;

const FINISHED = ['succeeded', 'failed', 'cancelled'];
const JOB_ID = /^job_[0-9a-f-]{36}$/;

const kit = (h: Harness, id: string, roleArn: string, cmkArn: string) =>
  h.call(
    'GET',
    `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
  );

async function encryptOne(h: Harness, tenant: Tenant, text: string): Promise<string> {
  const written = await h.call('POST', `/v1/tenants/${tenant.id}/encrypt`, {
    token: tenant.serviceToken,
    body: { items: [{ text }] },
  });
  expect(written.status).toBe(200);
  return written.body.results[0].ciphertext;
}

/** Decrypts with every cached tenant key evicted first, so that the unwrap really goes to the root key. */
async function decryptFresh(h: Harness, tenant: Tenant, ciphertext: string): Promise<unknown> {
  h.server.services.keyward.evictAll();
  return (
    await h.call('POST', `/v1/tenants/${tenant.id}/decrypt`, {
      token: tenant.serviceToken,
      body: { items: [{ ciphertext }], encoding: 'utf8' },
    })
  ).body;
}

/** A tenant with one record written under the platform key, taken to validated (the kit applied, the test passed), or to active. */
async function onboard(
  h: Harness,
  id: string,
  enable: boolean,
): Promise<{ tenant: Tenant; roleArn: string; cmkArn: string; ciphertext: string }> {
  const tenant = await h.tenant(id);
  const ciphertext = await encryptOne(h, tenant, `${id} data`);
  await h.call('POST', `/v1/tenants/${id}/byok/external-id`);
  const cmkArn = await createCustomerKey(h.box);
  const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-${id}`;
  await applyKit(h.box, (await kit(h, id, roleArn, cmkArn)).body);
  await h.call('PUT', `/v1/tenants/${id}/byok/config`, { body: { roleArn, cmkArn } });
  expect((await h.call('POST', `/v1/tenants/${id}/byok/test`)).body.ok).toBe(true);
  if (enable) expect((await h.call('POST', `/v1/tenants/${id}/byok/enable`)).status).toBe(200);
  return { tenant, roleArn, cmkArn, ciphertext };
}

/** A second CMK the tenant's role may use (the customer applied its kit). */
async function secondCmk(h: Harness, id: string, roleArn: string): Promise<string> {
  const next = await createCustomerKey(h.box, `next CMK for ${id}`);
  await applyKit(h.box, (await kit(h, id, roleArn, next)).body, { createRole: false });
  return next;
}

/**
 * Holds the next KMS Encrypt under `key` for `latencyMs` (a job's re-wrap); the returned function
 * resolves once that call has started, i.e. the job is running and stuck in it.
 */
async function holdEncrypt(h: Harness, key: string, latencyMs: number): Promise<() => Promise<void>> {
  const rule = await h.box.admin.addFault({
    mode: 'latency',
    service: 'kms',
    operation: 'Encrypt',
    key,
    latencyMs,
    times: 1,
  });
  // A rule that may fire once leaves the list when it fires.
  return () =>
    expect
      .poll(async () => (await h.box.admin.faults()).some((r) => r.id === rule.id), { timeout: 20_000 })
      .toBe(false);
}

/** Polls a job (as the operator, or with `token`) until it has finished; returns its view. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function finished(h: Harness, path: string, token?: string): Promise<any> {
  await expect
    .poll(async () => (await h.call('GET', path, { token })).body.state, { timeout: 45_000 })
    .toBeOneOf(FINISHED);
  return (await h.call('GET', path, { token })).body;
}

/** Waits until the job runner holds no job (one stuck in a held KMS call ends first), then lets it claim jobs again. */
async function runnerIdle(h: Harness): Promise<void> {
  await h.server.services.runner.stop(30_000);
  h.server.services.runner.start();
}

const rootsOf = async (h: Harness, id: string) =>
  new Set(
    (await h.call('GET', `/v1/tenants/${id}/keys`)).body.versions.map(
      (v: { rootKeyId: string }) => v.rootKeyId,
    ),
  );

const lifecycleBackend = BACKENDS[0]!;

describe.skipIf(!lifecycleBackend.available)(
  `BYOK lifecycle jobs over HTTP, on ${lifecycleBackend.name}`,
  () => {
    let h: Harness;

    beforeAll(async () => {
      h = await startHarness(lifecycleBackend);
    }, 60_000);
    afterAll(async () => h?.close());

    it(
      'enable with ?wait=0 answers 202 with the job to follow; the job and the BYOK status show it running, then succeeded',
      { timeout: 60_000 },
      async () => {
        const { tenant, cmkArn, ciphertext } = await onboard(h, 'async', false);
        const admin = { token: tenant.adminToken };
        const started = await holdEncrypt(h, cmkArn, 2000);
        const accepted = await h.call('POST', '/v1/tenants/async/byok/enable?wait=0', admin);
        expect(accepted.status).toBe(202);
        const job = accepted.body.job;
        expect(job).toMatchObject({
          id: expect.stringMatching(JOB_ID),
          kind: 'byok.enable',
          tenantId: 'async',
          parentId: null,
          actor: expect.any(String),
          result: null,
          error: null,
        });
        expect(['queued', 'running']).toContain(job.state);
        const location = accepted.headers.get('location');
        expect(location).toBe(`/v1/tenants/async/jobs/${job.id}`);

        await started();
        const running = await h.call('GET', location!, admin);
        expect(running.status).toBe(200);
        expect(running.body).toMatchObject({
          id: job.id,
          state: 'running',
          done: 0,
          total: 1,
          attempts: 1,
          finishedAt: null,
        });
        const during = await h.call('GET', '/v1/tenants/async/byok', admin);
        expect(during.body).toMatchObject({
          state: 'validated',
          job: { id: job.id, kind: 'byok.enable', state: 'running' },
        });

        const done = await finished(h, location!, tenant.adminToken);
        expect(done).toMatchObject({
          id: job.id,
          state: 'succeeded',
          done: 1,
          total: 1,
          error: null,
          finishedAt: expect.any(String),
          result: { state: 'active', keyVersion: 2, rewrapped: 1 },
        });
        expect(done.done).toBe(done.total);

        const listed = await h.call('GET', '/v1/tenants/async/jobs', admin);
        expect(listed.body.jobs.map((j: { id: string }) => j.id)).toEqual([job.id]);
        expect(listed.body.jobs[0]).toMatchObject({ state: 'succeeded', kind: 'byok.enable' });
        expect((await h.call('GET', '/v1/tenants/async/jobs?state=running', admin)).body.jobs).toEqual([]);
        expect(
          (await h.call('GET', '/v1/tenants/async/jobs?state=succeeded&kind=byok.enable', admin)).body.jobs,
        ).toHaveLength(1);

        const after = await h.call('GET', '/v1/tenants/async/byok', admin);
        expect(after.body).toMatchObject({ state: 'active', keyMode: 'customer', cmkArn, job: null });
        expect(await rootsOf(h, 'async')).toEqual(new Set([cmkArn]));
        expect(await decryptFresh(h, tenant, ciphertext)).toEqual({
          results: [{ ok: true, text: 'async data' }],
        });
      },
    );

    it(
      "jobs are visible to their tenant and the operator only; the operator's job routes refuse tenant tokens; bad job IDs are 400",
      { timeout: 60_000 },
      async () => {
        const { tenant: a } = await onboard(h, 'iso-a', true);
        const b = await h.tenant('iso-b');
        const jobs = (await h.call('GET', '/v1/tenants/iso-a/jobs', { token: a.adminToken })).body.jobs;
        expect(jobs).toHaveLength(1);
        const jobId: string = jobs[0].id;

        expect(
          (await h.call('GET', `/v1/tenants/iso-a/jobs/${jobId}`, { token: a.adminToken })).body,
        ).toMatchObject({ id: jobId, tenantId: 'iso-a' });
        expect((await h.call('GET', `/v1/tenants/iso-a/jobs/${jobId}`)).status).toBe(200);
        for (const [path, token] of [
          [`/v1/tenants/iso-a/jobs/${jobId}`, b.adminToken],
          ['/v1/tenants/iso-a/jobs', b.adminToken],
          [`/v1/tenants/iso-a/jobs/${jobId}`, a.serviceToken],
          ['/v1/tenants/iso-a/jobs', a.serviceToken],
        ] as const) {
          const refused = await h.call('GET', path, { token });
          expect(refused.status, path).toBe(403);
          expect(refused.body.code).toBe('KW_FORBIDDEN');
        }
        // Under another tenant's path, the job is as absent as one that does not exist, for that tenant and for the operator.
        for (const token of [b.adminToken, undefined]) {
          const absent = await h.call('GET', `/v1/tenants/iso-b/jobs/${jobId}`, { token });
          expect(absent.status).toBe(404);
          expect(absent.body).toMatchObject({ code: 'KW_NOT_FOUND', details: { jobId } });
        }
        expect((await h.call('GET', '/v1/tenants/iso-b/jobs', { token: b.adminToken })).body.jobs).toEqual(
          [],
        );

        for (const path of [
          '/v1/jobs',
          `/v1/jobs/${jobId}`,
          `/v1/jobs/${jobId}/children`,
          '/v1/jobs?tenantId=iso-a',
        ]) {
          for (const token of [a.adminToken, a.serviceToken, b.adminToken]) {
            const refused = await h.call('GET', path, { token });
            expect(refused.status, path).toBe(403);
            expect(refused.body.code).toBe('KW_FORBIDDEN');
          }
          expect((await h.call('GET', path, { token: null })).status, path).toBe(401);
        }
        expect((await h.call('GET', `/v1/jobs/${jobId}`)).body).toMatchObject({
          id: jobId,
          tenantId: 'iso-a',
          kind: 'byok.enable',
          state: 'succeeded',
        });

        for (const path of [
          '/v1/jobs/nope',
          '/v1/jobs/job_123',
          `/v1/tenants/iso-a/jobs/${jobId.toUpperCase()}`,
          `/v1/jobs/${jobId}x`,
        ]) {
          const bad = await h.call('GET', path);
          expect(bad.status, path).toBe(400);
          expect(bad.body.code).toBe('KW_INVALID_ARGUMENT');
        }
        const unknown = await h.call('GET', '/v1/jobs/job_00000000-0000-4000-8000-000000000000');
        expect(unknown.status).toBe(404);
        expect(unknown.body.code).toBe('KW_NOT_FOUND');
      },
    );

    it(
      'abort during a held CMK switch cancels its job (KW_JOB_CANCELLED); the tenant is back on the old CMK and stays there once the held call returns',
      { timeout: 60_000 },
      async () => {
        const { tenant, roleArn, cmkArn, ciphertext } = await onboard(h, 'aborted', true);
        const admin = { token: tenant.adminToken };
        const afterEnable = await encryptOne(h, tenant, 'written under the CMK');
        const next = await secondCmk(h, 'aborted', roleArn);
        const keysBefore = (await h.call('GET', '/v1/tenants/aborted/keys', admin)).body;

        const started = await holdEncrypt(h, next, 3000);
        const accepted = await h.call('POST', '/v1/tenants/aborted/byok/switch-cmk?wait=0', {
          ...admin,
          body: { cmkArn: next },
        });
        expect(accepted.status).toBe(202);
        expect(accepted.body).toMatchObject({
          report: { ok: true },
          job: { kind: 'byok.switch-cmk', tenantId: 'aborted' },
        });
        const location = accepted.headers.get('location')!;
        await started();
        expect((await h.call('GET', '/v1/tenants/aborted/byok', admin)).body).toMatchObject({
          state: 'rotating_cmk',
          job: { id: accepted.body.job.id, state: 'running' },
        });

        expect((await h.call('POST', '/v1/tenants/aborted/byok/abort', admin)).status).toBe(403);
        expect((await h.call('POST', '/v1/tenants/aborted/byok/abort')).body).toEqual({ state: 'active' });
        const cancelled = await h.call('GET', location, admin);
        expect(cancelled.body).toMatchObject({
          state: 'cancelled',
          error: { code: 'KW_JOB_CANCELLED' },
          finishedAt: expect.any(String),
        });
        expect((await h.call('GET', '/v1/tenants/aborted/byok', admin)).body).toMatchObject({
          state: 'active',
          cmkArn,
          job: null,
        });

        // The held Encrypt returns; the worker's commit finds the switch aborted and changes nothing.
        await runnerIdle(h);
        expect((await h.call('GET', location, admin)).body).toMatchObject({
          state: 'cancelled',
          error: { code: 'KW_JOB_CANCELLED' },
          attempts: 1,
        });
        expect((await h.call('GET', '/v1/tenants/aborted/byok', admin)).body).toMatchObject({
          state: 'active',
          cmkArn,
          job: null,
        });
        expect((await h.call('GET', '/v1/tenants/aborted/keys', admin)).body).toEqual(keysBefore);
        expect(await rootsOf(h, 'aborted')).toEqual(new Set([cmkArn]));
        expect(await decryptFresh(h, tenant, ciphertext)).toEqual({
          results: [{ ok: true, text: 'aborted data' }],
        });
        expect(await decryptFresh(h, tenant, afterEnable)).toEqual({
          results: [{ ok: true, text: 'written under the CMK' }],
        });

        const audit = (await h.call('GET', '/v1/tenants/aborted/audit?operation=byok.*', admin)).body.events;
        expect(audit[0]).toMatchObject({
          operation: 'byok.abort',
          actor: 'operator',
          outcome: 'success',
          details: { from: 'rotating_cmk', to: 'active', cancelledJob: accepted.body.job.id },
        });
        expect(
          audit.some(
            (e: { operation: string; outcome: string }) =>
              e.operation === 'byok.switch-cmk' && e.outcome === 'success',
          ),
        ).toBe(false);
      },
    );

    it(
      'a second enable while one is open is refused with 409 naming the open job; the first still completes',
      { timeout: 60_000 },
      async () => {
        const { tenant, cmkArn } = await onboard(h, 'twice', false);
        const admin = { token: tenant.adminToken };
        const started = await holdEncrypt(h, cmkArn, 2000);
        const first = await h.call('POST', '/v1/tenants/twice/byok/enable?wait=0', admin);
        expect(first.status).toBe(202);
        await started();
        const second = await h.call('POST', '/v1/tenants/twice/byok/enable', admin);
        expect(second.status).toBe(409);
        expect(second.body).toMatchObject({
          code: 'KW_STATE_CONFLICT',
          details: { jobId: first.body.job.id, kind: 'byok.enable' },
        });
        expect(await finished(h, first.headers.get('location')!, tenant.adminToken)).toMatchObject({
          state: 'succeeded',
        });
        expect((await h.call('GET', '/v1/tenants/twice/jobs', admin)).body.jobs).toHaveLength(1);
        expect(await rootsOf(h, 'twice')).toEqual(new Set([cmkArn]));
      },
    );

    it("the operator's job list filters by tenant", { timeout: 60_000 }, async () => {
      await onboard(h, 'filter-a', true);
      await onboard(h, 'filter-b', true);
      const jobs = (await h.call('GET', '/v1/jobs?tenantId=filter-a')).body.jobs;
      expect(jobs.map((job: { tenantId: string }) => job.tenantId)).toEqual(['filter-a']);
      expect((await h.call('GET', '/v1/jobs?tenantId=nobody')).body.jobs).toEqual([]);
    });

    it(
      'an aborted switch never commits, even after a new switch put the tenant on hold again before its worker returned',
      { timeout: 60_000 },
      async () => {
        const { tenant, roleArn, cmkArn, ciphertext } = await onboard(h, 'reheld', true);
        const admin = { token: tenant.adminToken };
        const second = await secondCmk(h, 'reheld', roleArn);
        const third = await secondCmk(h, 'reheld', roleArn);
        const firstStarted = await holdEncrypt(h, second, 3000);
        const aborted = await h.call('POST', '/v1/tenants/reheld/byok/switch-cmk?wait=0', {
          ...admin,
          body: { cmkArn: second },
        });
        await firstStarted();
        expect((await h.call('POST', '/v1/tenants/reheld/byok/abort')).body).toEqual({ state: 'active' });
        // The new switch is held longer than the aborted one: the aborted worker reaches its commit first.
        const nextStarted = await holdEncrypt(h, third, 6000);
        const next = await h.call('POST', '/v1/tenants/reheld/byok/switch-cmk?wait=0', {
          ...admin,
          body: { cmkArn: third },
        });
        expect(next.status).toBe(202);
        await nextStarted();
        expect(await finished(h, next.headers.get('location')!, tenant.adminToken)).toMatchObject({
          state: 'succeeded',
        });
        expect((await h.call('GET', aborted.headers.get('location')!, admin)).body).toMatchObject({
          state: 'cancelled',
          done: 0,
        });
        expect((await h.call('GET', '/v1/tenants/reheld/byok', admin)).body).toMatchObject({
          state: 'active',
          cmkArn: third,
          job: null,
        });
        expect(await rootsOf(h, 'reheld')).toEqual(new Set([third]));
        const successes = (
          await h.call('GET', '/v1/tenants/reheld/audit?operation=byok.switch-cmk', admin)
        ).body.events.filter((event: { outcome: string }) => event.outcome === 'success');
        expect(successes.map((event: { details: { jobId: string } }) => event.details.jobId)).toEqual([
          next.body.job.id,
        ]);
        expect(await decryptFresh(h, tenant, ciphertext)).toEqual({
          results: [{ ok: true, text: 'reheld data' }],
        });
        expect(cmkArn).not.toBe(third);
      },
    );

    it(
      'a switch whose re-wrap keeps failing is retried, then fails with KW_AWS_*; the tenant is back on its old CMK and the failure is audited',
      { timeout: 60_000 },
      async () => {
        const { tenant, roleArn, cmkArn, ciphertext } = await onboard(h, 'broken', true);
        const admin = { token: tenant.adminToken };
        await h.call('POST', '/v1/tenants/broken/keys/rotate', admin);
        const next = await secondCmk(h, 'broken', roleArn);
        const keysBefore = (await h.call('GET', '/v1/tenants/broken/keys', admin)).body;

        await h.box.admin.addFault({
          mode: 'internal-error',
          service: 'kms',
          operation: 'Encrypt',
          key: next,
        });
        try {
          const accepted = await h.call('POST', '/v1/tenants/broken/byok/switch-cmk?wait=0', {
            ...admin,
            body: { cmkArn: next },
          });
          expect(accepted.status).toBe(202);
          const failed = await finished(h, accepted.headers.get('location')!, tenant.adminToken);
          expect(failed).toMatchObject({
            state: 'failed',
            error: { code: expect.stringMatching(/^KW_AWS_/) },
            result: null,
          });
          expect(failed.attempts).toBeGreaterThan(1);
          // The job is marked failed first; the tenant's return to active follows.
          await expect
            .poll(async () => (await h.call('GET', '/v1/tenants/broken/byok', admin)).body.state, {
              timeout: 20_000,
            })
            .toBe('active');
          expect((await h.call('GET', '/v1/tenants/broken/byok', admin)).body).toMatchObject({
            cmkArn,
            job: null,
          });

          const audit = await h.call('GET', '/v1/tenants/broken/audit?operation=byok.switch-cmk', admin);
          expect(audit.body.events[0]).toMatchObject({
            outcome: 'failure',
            details: {
              jobId: accepted.body.job.id,
              code: failed.error.code,
              fromCmkArn: cmkArn,
              toCmkArn: next,
              from: 'rotating_cmk',
              to: 'active',
            },
          });
        } finally {
          await h.box.admin.clearFaults();
        }
        expect((await h.call('GET', '/v1/tenants/broken/keys', admin)).body).toEqual(keysBefore);
        expect(await rootsOf(h, 'broken')).toEqual(new Set([cmkArn]));
        expect(await decryptFresh(h, tenant, ciphertext)).toEqual({
          results: [{ ok: true, text: 'broken data' }],
        });
      },
    );
  },
);

interface Receiver {
  url: string;
  received: Array<{ body: string; signature: string }>;
  close(): Promise<void>;
}

/** A webhook receiver that records every POST and answers 204. */
async function receiver(): Promise<Receiver> {
  const received: Receiver['received'] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      received.push({ body, signature: String(request.headers['keyward-signature'] ?? '') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What a receiver does: the HMAC of "<t>.<body>" under the secret's bytes, compared in constant time. */
function verifies(secret: string, signature: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature);
  if (match === null) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64url'))
    .update(`${match[1]}.${body}`)
    .digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

describe.each(BACKENDS.filter((backend) => backend.available))(
  'platform root key rotation, on $name',
  (backend) => {
    let h: Harness;
    const platformKms = () => clients(h.box, h.box.credentials(PLATFORM_ACCOUNT_ID)).kms;
    const PLAIN = Array.from({ length: 30 }, (_, i) => `plain-${String(i).padStart(2, '0')}`);
    /** Every tenant and the record written for it before the rotation. */
    const tenants = new Map<string, { tenant: Tenant; ciphertext: string }>();
    /** The tenants whose keys the platform key wraps: every one but the BYOK-active one. */
    const platformManaged: string[] = [];
    let byokCmk = '';
    let oldKey = '';
    let newKey = '';
    let tenantHook: Receiver;
    let operatorHook: Receiver;
    const secrets = { tenant: '', operator: '' };

    const rootKeys = async () => (await h.call('GET', '/v1/platform/root-keys')).body.keys;

    beforeAll(async () => {
      h = await startHarness(backend, { webhooks: { retryBaseMs: 20 } });
      tenantHook = await receiver();
      operatorHook = await receiver();
      for (const id of PLAIN) {
        const tenant = await h.tenant(id);
        tenants.set(id, { tenant, ciphertext: await encryptOne(h, tenant, `${id} data`) });
      }
      const pending = await h.tenant('pending');
      tenants.set('pending', { tenant: pending, ciphertext: await encryptOne(h, pending, 'pending data') });
      await h.call('POST', '/v1/tenants/pending/byok/external-id');
      // Enabled after the rotation, with the old key disabled: its webhook then fires.
      const hooked = await onboard(h, 'hooked', false);
      tenants.set('hooked', hooked);
      const reverted = await onboard(h, 'reverted', true);
      expect((await h.call('POST', '/v1/tenants/reverted/byok/revert')).body.state).toBe('platform_managed');
      tenants.set('reverted', reverted);
      platformManaged.push(...tenants.keys());
      const byok = await onboard(h, 'byok-on', true);
      tenants.set('byok-on', byok);
      byokCmk = byok.cmkArn;

      secrets.tenant = (
        await h.call('PUT', '/v1/tenants/hooked/webhook', {
          token: hooked.tenant.adminToken,
          body: { url: tenantHook.url },
        })
      ).body.secret;
      secrets.operator = (
        await h.call('PUT', '/v1/platform/webhook', { body: { url: operatorHook.url } })
      ).body.secret;
      const created = await platformKms().send(
        new CreateKeyCommand({ Description: 'Keyward platform key, second generation' }),
      );
      newKey = created.KeyMetadata!.Arn!;
      const keys = await rootKeys();
      expect(keys).toEqual([expect.objectContaining({ state: 'current', tenants: platformManaged.length })]);
      oldKey = keys[0].id;
    }, 120_000);
    afterAll(async () => {
      await h?.close();
      await tenantHook?.close();
      await operatorHook?.close();
    });

    it(
      'refuses a key it cannot use and the current key, changing nothing; only the operator may rotate',
      { timeout: 60_000 },
      async () => {
        const before = await rootKeys();
        const missing = await h.call('POST', '/v1/platform/root-key/rotate', {
          body: {
            keyArn: `arn:aws:kms:us-east-1:${PLATFORM_ACCOUNT_ID}:key/00000000-0000-4000-8000-000000000000`,
          },
        });
        expect(missing.status).toBeGreaterThanOrEqual(400);
        expect(missing.status).toBeLessThan(500);
        expect(missing.body.code).toMatch(/^KW_KMS_/);
        for (const keyArn of [
          oldKey,
          `arn:aws:kms:us-east-1:${PLATFORM_ACCOUNT_ID}:alias/keyward-platform`,
        ]) {
          const same = await h.call('POST', '/v1/platform/root-key/rotate', { body: { keyArn } });
          expect(same.status).toBe(400);
          expect(same.body.code).toBe('KW_INVALID_ARGUMENT');
        }
        const byAdmin = await h.call('POST', '/v1/platform/root-key/rotate', {
          token: tenants.get('plain-00')!.tenant.adminToken,
          body: { keyArn: newKey },
        });
        expect(byAdmin.status).toBe(403);
        expect(await rootKeys()).toEqual(before);
        expect((await h.call('GET', '/v1/jobs?kind=platform.rotate-root')).body.jobs).toEqual([]);
      },
    );

    it(
      're-wraps every platform-managed tenant in one child job each; a second request meanwhile is refused; the BYOK tenant is untouched; the old key is retired',
      { timeout: 60_000 },
      async () => {
        const byokKeysBefore = (await h.call('GET', '/v1/tenants/byok-on/keys')).body;
        const started = await holdEncrypt(h, newKey, 2000);
        const accepted = await h.call('POST', '/v1/platform/root-key/rotate?wait=0', {
          body: { keyArn: newKey },
        });
        expect(accepted.status).toBe(202);
        const jobId: string = accepted.body.job.id;
        expect(accepted.body.job).toMatchObject({
          kind: 'platform.rotate-root',
          tenantId: null,
          parentId: null,
          total: platformManaged.length,
        });
        expect(accepted.headers.get('location')).toBe(`/v1/jobs/${jobId}`);
        // The new key is current at once; the old one wraps keys until the children are done.
        expect(await rootKeys()).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ id: newKey, state: 'current' }),
            expect.objectContaining({ id: oldKey, state: 'retiring' }),
          ]),
        );

        await started();
        const again = await h.call('POST', '/v1/platform/root-key/rotate', { body: { keyArn: newKey } });
        expect(again.status).toBe(409);
        expect(again.body).toMatchObject({ code: 'KW_STATE_CONFLICT', details: { jobId } });

        const done = await finished(h, `/v1/jobs/${jobId}`);
        const n = platformManaged.length;
        expect(done).toMatchObject({
          state: 'succeeded',
          done: n,
          total: n,
          error: null,
          children: { queued: 0, running: 0, succeeded: n, failed: 0, cancelled: 0 },
        });
        expect(done.result).toEqual({ tenants: n, webhooks: 2, retired: [oldKey] });
        const children = (await h.call('GET', `/v1/jobs/${jobId}/children?limit=1000`)).body.jobs;
        expect(children.map((c: { tenantId: string }) => c.tenantId).sort()).toEqual(
          [...platformManaged].sort(),
        );
        // Each re-wraps its tenant's versions: one, or two for the tenant reverted from BYOK (enable added one).
        for (const child of children) {
          expect(child).toMatchObject({
            kind: 'platform.rewrap-tenant',
            parentId: jobId,
            state: 'succeeded',
            result: { rewrapped: child.tenantId === 'reverted' ? 2 : 1 },
          });
        }
        expect((await h.call('GET', `/v1/jobs/${jobId}/children?state=failed`)).body.jobs).toEqual([]);
        // A child is the rotation's, not a job of its tenant's.
        expect((await h.call('GET', `/v1/tenants/plain-00/jobs/${children[0].id}`)).status).toBe(404);

        for (const id of platformManaged) expect(await rootsOf(h, id), id).toEqual(new Set([newKey]));
        expect((await h.call('GET', '/v1/tenants/byok-on/keys')).body).toEqual(byokKeysBefore);
        expect(await rootsOf(h, 'byok-on')).toEqual(new Set([byokCmk]));
        expect(await rootKeys()).toEqual([
          expect.objectContaining({ id: newKey, state: 'current', tenants: n, retiredAt: null }),
          expect.objectContaining({
            id: oldKey,
            state: 'retired',
            tenants: 0,
            retiredAt: expect.any(String),
          }),
        ]);
        const rows = await h.store.db.selectFrom('webhooks').select(['scope', 'root_key_id']).execute();
        expect(rows.map((row) => row.root_key_id)).toEqual([newKey, newKey]);
      },
    );

    it(
      'every record written before still decrypts, through the new key only: also with the old key disabled',
      { timeout: 60_000 },
      async () => {
        const readAll = async () => {
          for (const [id, { tenant, ciphertext }] of tenants)
            expect(await decryptFresh(h, tenant, ciphertext), id).toEqual({
              results: [{ ok: true, text: `${id} data` }],
            });
        };
        await readAll();
        await platformKms().send(new DisableKeyCommand({ KeyId: oldKey }));
        await readAll();
        // New data and new key versions of a platform-managed tenant go under the new key.
        const plain = tenants.get('plain-07')!.tenant;
        const fresh = await encryptOne(h, plain, 'after the rotation');
        expect(await decryptFresh(h, plain, fresh)).toEqual({
          results: [{ ok: true, text: 'after the rotation' }],
        });
        expect((await h.call('POST', '/v1/tenants/plain-07/keys/rotate')).body.rootKeyId).toBe(newKey);
      },
    );

    it('a tenant created after the rotation is born under the new key', { timeout: 60_000 }, async () => {
      const late = await h.tenant('late');
      expect(await rootsOf(h, 'late')).toEqual(new Set([newKey]));
      const ciphertext = await encryptOne(h, late, 'late data');
      expect(await decryptFresh(h, late, ciphertext)).toEqual({ results: [{ ok: true, text: 'late data' }] });
    });

    it(
      "webhook secrets were re-wrapped: with the old key disabled, a tenant's BYOK enable is delivered signed to both webhooks",
      { timeout: 60_000 },
      async () => {
        const hooked = tenants.get('hooked')!;
        const enabled = await h.call('POST', '/v1/tenants/hooked/byok/enable', {
          token: hooked.tenant.adminToken,
        });
        expect(enabled.status).toBe(200);
        expect(enabled.body).toMatchObject({ state: 'active', rewrapped: 1 });
        const about = (hook: Receiver) =>
          hook.received.filter((r) => JSON.parse(r.body).tenantId === 'hooked');
        await expect.poll(() => about(tenantHook).length, { timeout: 20_000 }).toBe(2);
        await expect.poll(() => about(operatorHook).length, { timeout: 20_000 }).toBe(2);
        expect(about(tenantHook).map((r) => JSON.parse(r.body))).toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              type: 'byok.state_changed',
              from: 'validated',
              to: 'active',
              operation: 'byok.enable',
            }),
            expect.objectContaining({
              type: 'job.finished',
              kind: 'byok.enable',
              state: 'succeeded',
              jobId: enabled.body.job.id,
            }),
          ]),
        );
        for (const r of tenantHook.received) expect(verifies(secrets.tenant, r.signature, r.body)).toBe(true);
        for (const r of operatorHook.received)
          expect(verifies(secrets.operator, r.signature, r.body)).toBe(true);
        // The operator heard of the rotation's end too.
        expect(operatorHook.received.map((r) => JSON.parse(r.body))).toContainEqual(
          expect.objectContaining({
            type: 'job.finished',
            tenantId: null,
            kind: 'platform.rotate-root',
            state: 'succeeded',
          }),
        );
      },
    );

    it(
      'audits the request and the outcome, refuses the same key again, and the audit chain verifies',
      { timeout: 60_000 },
      async () => {
        const [rotation] = (await h.call('GET', '/v1/jobs?kind=platform.rotate-root')).body.jobs;
        const n = platformManaged.length;
        const request = await h.call('GET', '/v1/audit?operation=platform.root-key.rotate.request');
        expect(request.body.events).toEqual([
          expect.objectContaining({
            tenantId: null,
            actor: 'operator',
            outcome: 'success',
            details: { jobId: rotation.id, from: [oldKey], to: newKey, tenants: n },
          }),
        ]);
        const outcome = await h.call('GET', '/v1/audit?operation=platform.root-key.rotate');
        expect(outcome.body.events).toEqual([
          expect.objectContaining({
            tenantId: null,
            outcome: 'success',
            details: { jobId: rotation.id, tenants: n, failed: 0, webhooks: 2, retired: [oldKey] },
          }),
        ]);
        const rewraps = await h.call('GET', '/v1/audit?operation=platform.root-key.rewrap&limit=500');
        expect(rewraps.body.events.map((e: { tenantId: string }) => e.tenantId).sort()).toEqual(
          [...platformManaged].sort(),
        );

        const same = await h.call('POST', '/v1/platform/root-key/rotate', { body: { keyArn: newKey } });
        expect(same.status).toBe(400);
        expect(same.body.code).toBe('KW_INVALID_ARGUMENT');
        expect((await h.call('GET', '/v1/jobs?kind=platform.rotate-root')).body.jobs).toHaveLength(1);
        expect((await h.call('GET', '/v1/audit/verify')).body.ok).toBe(true);
      },
    );
  },
);

describe.skipIf(!lifecycleBackend.available)(
  `writes under the platform key racing its rotation, on ${lifecycleBackend.name}`,
  () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(lifecycleBackend);
    }, 60_000);
    afterAll(async () => h?.close());

    it(
      'a tenant whose first key was made under the old key before a rotation that finished meanwhile is committed under the new key; the old key stays retired and unused',
      { timeout: 60_000 },
      async () => {
        const current = (await h.call('GET', '/v1/platform/root-keys')).body.keys.find(
          (key: { state: string }) => key.state === 'current',
        ).id as string;
        const platform = clients(h.box, h.box.credentials(PLATFORM_ACCOUNT_ID)).kms;
        const next = (await platform.send(new CreateKeyCommand({ Description: 'rotated platform key' })))
          .KeyMetadata!.Arn!;
        // The creation chooses the current key, then waits in KMS longer than the whole rotation takes.
        const rule = await h.box.admin.addFault({
          mode: 'latency',
          service: 'kms',
          operation: 'GenerateDataKey',
          key: current,
          latencyMs: 4000,
          times: 1,
        });
        const creating = h.call('POST', '/v1/tenants', { body: { id: 'latecomer', name: 'Latecomer' } });
        await expect
          .poll(async () => (await h.box.admin.faults()).some((r) => r.id === rule.id), { timeout: 20_000 })
          .toBe(false);
        const rotation = await h.call('POST', '/v1/platform/root-key/rotate', { body: { keyArn: next } });
        expect(rotation.body).toMatchObject({ retired: [current], job: { state: 'succeeded' } });

        expect((await creating).status).toBe(201);
        expect(await rootsOf(h, 'latecomer')).toEqual(new Set([next]));
        expect((await h.call('GET', '/v1/platform/root-keys')).body.keys).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ id: current, state: 'retired', tenants: 0 }),
            expect.objectContaining({ id: next, state: 'current', tenants: 1 }),
          ]),
        );
      },
    );
  },
);
