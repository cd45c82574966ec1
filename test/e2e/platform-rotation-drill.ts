import { CreateKeyCommand, DisableKeyCommand } from '@aws-sdk/client-kms';
import { PLATFORM_ACCOUNT_ID } from '@keyward/sandbox';
import { expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { POSTGRES_URL } from '@keyward/test-kit/postgres';
import { call, inParallel, query, seedPlatformTenants } from './instances.js';
import { opened, type ThreeInstances } from './three-instances.js';

/**
 * The platform root key rotation drill: `tenants` platform-managed tenants, the rotation requested,
 * one process running its children killed with SIGKILL; the rotation completes elsewhere and a fresh
 * process decrypts every tenant's record under the new key. `npm test` runs it with a few hundred
 * tenants; `npm run test:drills` with 10,000 (test/drills/).
 */
export function platformRotationDrill(fx: ThreeInstances, tenants: number): void {
  it(
    `a platform root key rotation for ${tenants} tenants, its process killed mid-way, resumes elsewhere; every ciphertext decrypts under the new key`,
    { timeout: 600_000 },
    async () => {
      const ids = Array.from({ length: tenants }, (_, index) => `t${String(index).padStart(5, '0')}`);
      // A few through the API, as tenants are made; the rest as a bulk fixture (see seedPlatformTenants).
      const viaApi = ids.slice(0, 50);
      const ciphertexts = await inParallel(viaApi, 8, async (id, index) => {
        const via = fx.live()[index % fx.live().length]!;
        const created = await call(via, 'POST', '/v1/tenants', { id, name: `Tenant ${id}` });
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        return fx.encrypt(via, id, `${id} record`);
      });
      ciphertexts.push(
        ...(await seedPlatformTenants(
          { databaseUrl: POSTGRES_URL, schema: fx.schema, awsEndpoint: fx.box.endpoint },
          ids.slice(viaApi.length),
        )),
      );
      const platform = clients(fx.box, fx.box.credentials(PLATFORM_ACCOUNT_ID)).kms;
      const oldKey = (await call(fx.live()[0]!, 'GET', '/v1/platform/root-keys')).body.keys.find(
        (key: { state: string }) => key.state === 'current',
      ).id as string;
      const newKey = (
        await platform.send(new CreateKeyCommand({ Description: 'Keyward platform key, rotated' }))
      ).KeyMetadata!.Arn!;

      const startedAt = Date.now();
      const requested = await call(fx.live()[0]!, 'POST', '/v1/platform/root-key/rotate?wait=0', {
        keyArn: newKey,
      });
      expect(requested.status, JSON.stringify(requested.body)).toBe(202);
      const jobId = requested.body.job.id as string;
      // acme's and switcher's keys are under their CMKs: only the platform-managed tenants are in it.
      expect(requested.body.job.total).toBe(tenants);
      await expect
        .poll(async () => (await call(fx.live()[0]!, 'GET', `/v1/jobs/${jobId}`)).body.done, {
          timeout: 120_000,
          interval: 100,
        })
        .toBeGreaterThanOrEqual(Math.min(500, tenants / 10));
      const killed = await fx.killHolder(
        "select locked_by from jobs where parent_id = $1 and state = 'running'",
        [jobId],
      );

      const job = await fx.finished(jobId, 480_000);
      const seconds = (Date.now() - startedAt) / 1000;
      // A measurement for docs/benchmarks.md, not an assertion.
      console.log(
        `platform key rotation: ${tenants} tenants in ${seconds.toFixed(1)} s (${Math.round(tenants / seconds)} tenants/s), three processes, one killed mid-way`,
      );
      expect(job).toMatchObject({
        state: 'succeeded',
        error: null,
        children: { succeeded: tenants, failed: 0, queued: 0, running: 0, cancelled: 0 },
      });
      // Some of the killed process's tenants were taken over after its lease ran out.
      const [resumed] = await query<{ count: string }>(
        POSTGRES_URL,
        fx.schema,
        'select count(*) from jobs where parent_id = $1 and attempts > 1',
        [jobId],
      );
      expect(Number(resumed!.count)).toBeGreaterThan(0);
      const roots = (await call(fx.live()[0]!, 'GET', '/v1/platform/root-keys')).body.keys;
      expect(roots).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: newKey, state: 'current', tenants: tenants }),
          expect.objectContaining({ id: oldKey, state: 'retired', tenants: 0 }),
        ]),
      );

      // The old key is gone for good; a fresh instance (nothing cached) reads every record through the new one.
      await platform.send(new DisableKeyCommand({ KeyId: oldKey }));
      const fresh = await fx.start('E');
      expect(fx.live().map((instance) => instance.pid)).not.toContain(killed.pid);
      const failures = (
        await inParallel(ids, 24, async (id, index) => {
          const response = await fx.decrypt(fresh, id, ciphertexts[index]!);
          return response.body?.results?.[0]?.plaintext === opened(`${id} record`).plaintext
            ? undefined
            : `${id}: ${response.status} ${JSON.stringify(response.body)}`;
        })
      ).filter((failure) => failure !== undefined);
      expect(failures).toEqual([]);
    },
  );
}
