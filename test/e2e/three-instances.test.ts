import { DisableKeyCommand, EnableKeyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { describe, expect, it } from 'vitest';
import { applyKit, createCustomerKey } from '@keyward/test-kit/customer-account';
import { POSTGRES_URL, postgresAvailable } from '@keyward/test-kit/postgres';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { call, query, type Instance } from './instances.js';
import { platformRotationDrill } from './platform-rotation-drill.js';
import { opened, useThreeInstances } from './three-instances.js';

/**
 * Three `keyward serve` processes on one PostgreSQL (CI's real server) and one sandbox. What one
 * instance learns, all act on; a job whose process is killed with SIGKILL is taken over by another
 * instance once its lease runs out, and completes with nothing lost. The rotation runs here with
 * KEYWARD_E2E_TENANTS tenants (500 by default); its 10,000-tenant drill is in test/drills/.
 */
const TENANTS = Number(process.env.KEYWARD_E2E_TENANTS ?? 500);

describe.skipIf(!postgresAvailable)('three Keyward processes on one PostgreSQL', () => {
  const fx = useThreeInstances();
  const { instances, live, start, onboard, encrypt, decrypt, finished, killHolder } = fx;

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

      const kms = clients(fx.box, fx.box.credentials(CUSTOMER_ACCOUNT_ID)).kms;
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
      const next = await createCustomerKey(fx.box, 'the next CMK');
      await applyKit(
        fx.box,
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
      await fx.box.admin.addFault({
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
      await fx.box.admin.clearFaults();

      const job = await finished(jobId, 60_000);
      expect(job).toMatchObject({ state: 'succeeded', error: null });
      expect(job.attempts).toBeGreaterThanOrEqual(2);
      const [row] = await query<{ locked_by: string | null }>(
        POSTGRES_URL,
        fx.schema,
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

  platformRotationDrill(fx, TENANTS);
});
