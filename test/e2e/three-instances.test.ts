import { randomBytes } from 'node:crypto';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import {
  CUSTOMER_ACCOUNT_ID,
  PLATFORM_ACCOUNT_ID,
  startSandbox,
  type RunningSandbox,
} from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyKit, createCustomerKey } from '../../packages/server/test/http/harness.js';
import { POSTGRES_URL, postgresAvailable } from '../../packages/server/test/store/backends.js';
import { clients } from '../../packages/sandbox/test/helpers.js';
import {
  call,
  inParallel,
  pidOf,
  query,
  seedPlatformTenants,
  startInstance,
  type Instance,
} from './instances.js';

/**
 * Issue 6: three `keyward serve` processes on one PostgreSQL (CI's real server) and one sandbox.
 * What one instance learns, all act on; a job whose process is killed with SIGKILL is taken over
 * by another instance once its lease runs out, and completes with nothing lost.
 */
/** A decrypt result for `text` (results carry the bytes, base64). */
const opened = (text: string) => ({ ok: true, plaintext: Buffer.from(text).toString('base64') });
const TENANTS = Number(process.env.KEYWARD_E2E_TENANTS ?? 10_000);
const LEASE_SECONDS = 2;

describe.skipIf(!postgresAvailable)('three Keyward processes on one PostgreSQL', () => {
  const schema = `kw_e2e_${randomBytes(6).toString('hex')}`;
  let box: RunningSandbox;
  const instances: Instance[] = [];
  const live = () =>
    instances.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null);

  const start = async (name: string) => {
    const instance = await startInstance(name, {
      databaseUrl: POSTGRES_URL,
      schema,
      awsEndpoint: box.endpoint,
      env: {
        KEYWARD_HEALTH_INTERVAL_SECONDS: '0',
        KEYWARD_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
        KEYWARD_JOB_POLL_MS: '100',
        KEYWARD_JOB_RETRY_BASE_MS: '50',
        KEYWARD_JOB_CONCURRENCY: '8',
      },
    });
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    box = await startSandbox({ port: 0, env: {} });
    // One at a time: the first migrates the schema, the others find it done.
    for (const name of ['A', 'B', 'C']) await start(name);
  }, 120_000);

  afterAll(async () => {
    for (const instance of live()) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exited));
    await box?.close();
    await query(POSTGRES_URL, 'public', `drop schema if exists ${schema} cascade`);
  }, 60_000);

  /** Onboards a tenant through `via`, BYOK enabled on a fresh CMK; returns the CMK and role. */
  async function onboard(via: Instance, id: string): Promise<{ cmkArn: string; roleArn: string }> {
    expect((await call(via, 'POST', '/v1/tenants', { id, name: id })).status).toBe(201);
    await call(via, 'POST', `/v1/tenants/${id}/byok/external-id`);
    const cmkArn = await createCustomerKey(box);
    const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-${id}`;
    await applyKit(
      box,
      (
        await call(
          via,
          'GET',
          `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
        )
      ).body,
    );
    await call(via, 'PUT', `/v1/tenants/${id}/byok/config`, { roleArn, cmkArn });
    expect((await call(via, 'POST', `/v1/tenants/${id}/byok/test`)).body.ok).toBe(true);
    expect((await call(via, 'POST', `/v1/tenants/${id}/byok/enable`)).body.state).toBe('active');
    return { cmkArn, roleArn };
  }

  const decrypt = (via: Instance, id: string, ciphertext: string) =>
    call(via, 'POST', `/v1/tenants/${id}/decrypt`, { items: [{ ciphertext }] });
  const encrypt = async (via: Instance, id: string, text: string): Promise<string> => {
    const response = await call(via, 'POST', `/v1/tenants/${id}/encrypt`, { items: [{ text }] });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.results[0].ciphertext as string;
  };

  /** Polls a job through any live instance until it ends. */
  async function finished(jobId: string, timeout: number) {
    let job:
      | {
          state: string;
          attempts: number;
          done: number;
          total: number;
          error: unknown;
          children?: Record<string, number>;
        }
      | undefined;
    await expect
      .poll(
        async () => {
          job = (await call(live()[0]!, 'GET', `/v1/jobs/${jobId}`)).body;
          return job?.state;
        },
        { timeout, interval: 250 },
      )
      .toMatch(/^(succeeded|failed|cancelled)$/);
    return job!;
  }

  /** Kills, with SIGKILL, the live instance holding one of the running jobs `sql` selects. */
  async function killHolder(sql: string, values: unknown[]): Promise<Instance> {
    let holder: Instance | undefined;
    await expect
      .poll(
        async () => {
          const rows = await query<{ locked_by: string }>(POSTGRES_URL, schema, sql, values);
          holder = live().find((instance) => rows.some((row) => pidOf(row.locked_by) === instance.pid));
          return holder?.name;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBeDefined();
    holder!.child.kill('SIGKILL');
    expect((await holder!.exited).signal).toBe('SIGKILL');
    return holder!;
  }

  it(
    'a revocation one instance detects stops all three at once; restored access works on all three again',
    { timeout: 60_000 },
    async () => {
      const [a, b, c] = instances as [Instance, Instance, Instance];
      const { cmkArn } = await onboard(a, 'acme');
      const ciphertext = await encrypt(a, 'acme', 'acme record');
      // Every instance has the tenant key in its cache.
      for (const instance of [a, b, c])
        expect((await decrypt(instance, 'acme', ciphertext)).body.results[0]).toEqual(opened('acme record'));

      const kms = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID)).kms;
      await kms.send(new DisableKeyCommand({ KeyId: cmkArn }));
      const check = await call(b, 'POST', '/v1/tenants/acme/byok/check');
      expect(check.body).toMatchObject({ finding: 'disabled', state: 'revoked' });
      // A and C were told over LISTEN/NOTIFY: their cached keys are gone; none serves the tenant.
      for (const instance of [a, b, c]) {
        await expect
          .poll(async () => (await decrypt(instance, 'acme', ciphertext)).status, {
            timeout: 5000,
            interval: 20,
          })
          .toBe(403);
        expect((await decrypt(instance, 'acme', ciphertext)).body.code).toBe('KW_BYOK_REVOKED');
      }

      await kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
      expect((await call(c, 'POST', '/v1/tenants/acme/byok/check')).body).toMatchObject({
        finding: 'ok',
        state: 'active',
      });
      for (const instance of [a, b, c])
        expect((await decrypt(instance, 'acme', ciphertext)).body.results[0]).toEqual(opened('acme record'));
    },
  );

  it(
    'a CMK switch whose process is killed mid-way resumes on another instance and completes; every ciphertext decrypts',
    { timeout: 120_000 },
    async () => {
      const { roleArn } = await onboard(live()[0]!, 'switcher');
      const ciphertexts: string[] = [];
      for (let version = 0; version < 12; version++) {
        ciphertexts.push(await encrypt(live()[0]!, 'switcher', `record ${version}`));
        await call(live()[0]!, 'POST', '/v1/tenants/switcher/keys/rotate');
      }
      const next = await createCustomerKey(box, 'the next CMK');
      await applyKit(
        box,
        (
          await call(
            live()[0]!,
            'GET',
            `/v1/tenants/switcher/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(next)}`,
          )
        ).body,
        { createRole: false },
      );
      // Each re-wrap under the new CMK is slowed down, so the kill lands in the middle of the job.
      await box.admin.addFault({
        mode: 'latency',
        service: 'kms',
        operation: 'Encrypt',
        key: next,
        latencyMs: 400,
      });
      const requested = await call(live()[0]!, 'POST', '/v1/tenants/switcher/byok/switch-cmk?wait=0', {
        cmkArn: next,
      });
      expect(requested.status, JSON.stringify(requested.body)).toBe(202);
      const jobId = requested.body.job.id as string;

      await expect
        .poll(async () => (await call(live()[0]!, 'GET', `/v1/jobs/${jobId}`)).body.done, {
          timeout: 30_000,
          interval: 50,
        })
        .toBeGreaterThanOrEqual(2);
      const killed = await killHolder("select locked_by from jobs where id = $1 and state = 'running'", [
        jobId,
      ]);
      await box.admin.clearFaults();

      const job = await finished(jobId, 60_000);
      expect(job).toMatchObject({ state: 'succeeded', error: null });
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      const [row] = await query<{ locked_by: string | null }>(
        POSTGRES_URL,
        schema,
        'select locked_by from jobs where id = $1',
        [jobId],
      );
      expect(row!.locked_by).toBeNull();
      const survivor = live()[0]!;
      expect(survivor.pid).not.toBe(killed.pid);
      const status = (await call(survivor, 'GET', '/v1/tenants/switcher/byok')).body;
      expect(status).toMatchObject({ state: 'active', cmkArn: next, job: null });
      const keys = (await call(survivor, 'GET', '/v1/tenants/switcher/keys')).body;
      expect(new Set(keys.versions.map((v: { rootKeyId: string }) => v.rootKeyId))).toEqual(new Set([next]));
      for (const instance of live()) {
        for (const [index, ciphertext] of ciphertexts.entries())
          expect((await decrypt(instance, 'switcher', ciphertext)).body.results[0]).toEqual(
            opened(`record ${index}`),
          );
      }
      await start('D');
    },
  );

  it(
    `a platform root key rotation for ${TENANTS} tenants, its process killed mid-way, resumes elsewhere; every ciphertext decrypts under the new key`,
    { timeout: 600_000 },
    async () => {
      const ids = Array.from({ length: TENANTS }, (_, index) => `t${String(index).padStart(5, '0')}`);
      // A few through the API, as tenants are made; the rest as a bulk fixture (see seedPlatformTenants).
      const viaApi = ids.slice(0, 50);
      const ciphertexts = await inParallel(viaApi, 8, async (id, index) => {
        const via = live()[index % live().length]!;
        const created = await call(via, 'POST', '/v1/tenants', { id, name: `Tenant ${id}` });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        return encrypt(via, id, `${id} record`);
      });
      ciphertexts.push(
        ...(await seedPlatformTenants(
          { databaseUrl: POSTGRES_URL, schema, awsEndpoint: box.endpoint },
          ids.slice(viaApi.length),
        )),
      );
      const platform = clients(box, box.credentials(PLATFORM_ACCOUNT_ID)).kms;
      const oldKey = (await call(live()[0]!, 'GET', '/v1/platform/root-keys')).body.keys.find(
        (key: { state: string }) => key.state === 'current',
      ).id as string;
      const newKey = (
        await platform.send(new CreateKeyCommand({ Description: 'Keyward platform key, rotated' }))
      ).KeyMetadata!.Arn!;

      const startedAt = Date.now();
      const requested = await call(live()[0]!, 'POST', '/v1/platform/root-key/rotate?wait=0', {
        keyArn: newKey,
      });
      expect(requested.status, JSON.stringify(requested.body)).toBe(202);
      const jobId = requested.body.job.id as string;
      // acme's and switcher's keys are under their CMKs: only the platform-managed tenants are in it.
      expect(requested.body.job.total).toBe(TENANTS);
      await expect
        .poll(async () => (await call(live()[0]!, 'GET', `/v1/jobs/${jobId}`)).body.done, {
          timeout: 120_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(Math.min(500, TENANTS / 10));
      const killed = await killHolder(
        "select locked_by from jobs where parent_id = $1 and state = 'running'",
        [jobId],
      );

      const job = await finished(jobId, 480_000);
      const seconds = (Date.now() - startedAt) / 1000;
      // A measurement for docs/benchmarks.md, not an assertion.
      console.log(
        `platform key rotation: ${TENANTS} tenants in ${seconds.toFixed(1)} s (${Math.round(TENANTS / seconds)} tenants/s), three processes, one killed mid-way`,
      );
      expect(job).toMatchObject({
        state: 'succeeded',
        error: null,
        children: { succeeded: TENANTS, failed: 0, queued: 0, running: 0, cancelled: 0 },
      });
      // Some of the killed process's tenants were taken over after its lease ran out.
      const [resumed] = await query<{ count: string }>(
        POSTGRES_URL,
        schema,
        'select count(*) from jobs where parent_id = $1 and attempts > 1',
        [jobId],
      );
      expect(Number(resumed!.count)).toBeGreaterThan(0);
      const roots = (await call(live()[0]!, 'GET', '/v1/platform/root-keys')).body.keys;
      expect(roots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: newKey, state: 'current', tenants: TENANTS }),
          expect.objectContaining({ id: oldKey, state: 'retired', tenants: 0 }),
        ]),
      );

      // The old key is gone for good; a fresh instance (nothing cached) reads every record through the new one.
      await platform.send(new DisableKeyCommand({ KeyId: oldKey }));
      const fresh = await start('E');
      expect(live().map((instance) => instance.pid)).not.toContain(killed.pid);
      const failures = (
        await inParallel(ids, 24, async (id, index) => {
          const response = await decrypt(fresh, id, ciphertexts[index]!);
          return response.body?.results?.[0]?.plaintext === opened(`${id} record`).plaintext
            ? undefined
            : `${id}: ${response.status} ${JSON.stringify(response.body)}`;
        })
      ).filter((failure) => failure !== undefined);
      expect(failures).toEqual([]);
    },
  );
});
