import { DisableKeyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { BACKENDS } from '../store/backends.js';
import { applyKit, createCustomerKey, startHarness, type Harness } from './harness.js';

/** The ciphertext and context of a kept item (its text is what it should decrypt to). */
const only = ({ ciphertext, context }: { ciphertext: string; context?: Record<string, string> }) => ({
  ciphertext,
  ...(context === undefined ? {} : { context }),
});
const versionOf = (ciphertext: string) => Buffer.from(ciphertext.slice(4), 'base64url').readUInt32BE(2);

/** Every row of every table as PostgreSQL prints it: what a dump of the database holds. */
async function dumpDatabase(h: Harness): Promise<string> {
  const tables = [
    'tenants',
    'byok_configs',
    'tenant_key_policies',
    'tenant_key_versions',
    'audit_events',
    'api_tokens',
    'jobs',
  ];
  const lines: string[] = [];
  for (const table of tables) {
    const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(table)} t`.execute(
      h.store.db,
    );
    lines.push(...rows.rows.map((r) => `${table}: ${r.row}`));
  }
  return lines.join('\n');
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    `the whole API journey over HTTP, on ${backend.name}, against the sandbox`,
    () => {
      let h: Harness;
      let acme: { id: string; adminToken: string; serviceToken: string };
      let globex: { id: string; adminToken: string; serviceToken: string };
      const keep: Record<string, { ciphertext: string; text: string; context?: Record<string, string> }> = {};
      let roleArn = '';
      let cmk1 = '';
      let cmk2 = '';

      beforeAll(async () => {
        h = await startHarness(backend);
        acme = await h.tenant('acme');
        globex = await h.tenant('globex');
      }, 60_000);
      afterAll(async () => h?.close());

      const admin = () => ({ token: acme.adminToken });
      const service = () => ({ token: acme.serviceToken });
      const decryptAll = async (items: Array<{ ciphertext: string; context?: Record<string, string> }>) =>
        h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: items.map(only), encoding: 'utf8' },
        });

      it('creates tenants on the platform key and serves the data plane before BYOK', async () => {
        const tenant = await h.call('GET', '/v1/tenants/acme', admin());
        expect(tenant.body.byok.state).toBe('not_configured');
        const keys = await h.call('GET', '/v1/tenants/acme/keys', admin());
        expect(keys.body.versions).toHaveLength(1);
        expect(keys.body.versions[0].rootKeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
        const encrypted = await h.call('POST', '/v1/tenants/acme/encrypt', {
          ...service(),
          body: { items: [{ text: 'written before BYOK', context: { table: 'notes' } }] },
        });
        expect(encrypted.status).toBe(200);
        keep.beforeByok = {
          ciphertext: encrypted.body.results[0].ciphertext,
          text: 'written before BYOK',
          context: { table: 'notes' },
        };
      });

      it('shows the tenant admin the Service Role ARN and a new External ID, and the setup kit', async () => {
        const platform = await h.call('GET', '/v1/platform', admin());
        expect(platform.body).toMatchObject({
          serviceRoleArn: 'arn:aws:iam::111122223333:role/keyward-service',
          accountId: '111122223333',
          partition: 'aws',
        });
        const noId = await h.call('GET', '/v1/tenants/acme/byok/kit', admin());
        expect(noId.status).toBe(409);
        const issued = await h.call('POST', '/v1/tenants/acme/byok/external-id', admin());
        expect(issued.body.externalId).toMatch(/^kw-[a-z2-7]{32}$/);
        const kit = await h.call('GET', '/v1/tenants/acme/byok/kit', admin());
        expect(kit.status).toBe(200);
        expect(kit.body.values).toMatchObject({
          externalId: issued.body.externalId,
          serviceRoleArn: platform.body.serviceRoleArn,
          placeholders: true,
        });
        for (const artifact of [
          'trustPolicy',
          'permissionsPolicy',
          'keyPolicyStatement',
          'cliChecks',
          'cloudFormation',
          'terraform',
          'guide',
        ])
          expect(kit.body[artifact], artifact).toBeTruthy();
        roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${kit.body.values.roleName}`;
      });

      it('the customer applies the kit verbatim; the admin saves the ARNs, tests, and enables', async () => {
        cmk1 = await createCustomerKey(h.box);
        const kit = await h.call(
          'GET',
          `/v1/tenants/acme/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmk1)}`,
          admin(),
        );
        expect(kit.body.values).toMatchObject({ roleArn, keyArn: cmk1, placeholders: false });
        await applyKit(h.box, kit.body);

        const saved = await h.call('PUT', '/v1/tenants/acme/byok/config', {
          ...admin(),
          body: { roleArn, cmkArn: cmk1 },
        });
        expect(saved.status).toBe(200);
        expect(saved.body.byok).toMatchObject({
          state: 'pending',
          roleArn,
          cmkArn: cmk1,
          region: 'us-east-1',
        });

        const tooEarly = await h.call('POST', '/v1/tenants/acme/byok/enable', admin());
        expect(tooEarly.status).toBe(409);
        expect(tooEarly.body).toMatchObject({ code: 'KW_STATE_CONFLICT', details: { state: 'pending' } });

        const report = await h.call('POST', '/v1/tenants/acme/byok/test', admin());
        expect(report.status).toBe(200);
        expect(report.body.results.filter((r: { status: string }) => r.status === 'fail')).toEqual([]);
        expect(report.body.ok).toBe(true);
        const status = await h.call('GET', '/v1/tenants/acme/byok', admin());
        expect(status.body).toMatchObject({
          state: 'validated',
          keyMode: 'platform',
          lastTest: { ok: true },
        });

        const enabled = await h.call('POST', '/v1/tenants/acme/byok/enable', admin());
        expect(enabled.body).toEqual({
          state: 'active',
          keyVersion: 2,
          rewrapped: 1,
          job: expect.objectContaining({
            kind: 'byok.enable',
            tenantId: 'acme',
            state: 'succeeded',
            done: 1,
            total: 1,
            error: null,
          }),
        });
        const keys = await h.call('GET', '/v1/tenants/acme/keys', admin());
        expect(keys.body.versions.map((v: { rootKeyId: string }) => v.rootKeyId)).toEqual([cmk1, cmk1]);
        // New data only under the version born under the CMK; version 1 (born under the platform key) only decrypts.
        expect(keys.body).toMatchObject({
          latestVersion: 2,
          minEncryptionVersion: 2,
          minDecryptionVersion: 1,
        });
        const underOld = await h.call('POST', '/v1/tenants/acme/encrypt', {
          ...service(),
          body: { items: [{ text: 'x', keyVersion: 1 }] },
        });
        expect(underOld.body.code).toBe('KW_KEY_VERSION_TOO_OLD');
      });

      it('old data stays readable through the CMK; batches encrypt and decrypt under it', async () => {
        // Only this decrypt's calls in the trail: the test and the enable used the CMK too.
        await h.box.admin.clearTrail();
        const old = await decryptAll([keep.beforeByok!]);
        expect(old.body.results).toEqual([{ ok: true, text: 'written before BYOK' }]);
        // The unwrap went to the customer's CMK, by the customer's role, for this tenant.
        const trail = await h.box.admin.trail({ operation: 'Decrypt' });
        expect(
          trail.some((event) => event.resources?.includes(cmk1) || JSON.stringify(event).includes(cmk1)),
        ).toBe(true);

        const items = Array.from({ length: 100 }, (_, i) => ({
          text: `record ${i}`,
          context: { row: String(i) },
        }));
        const encrypted = await h.call('POST', '/v1/tenants/acme/encrypt', { ...service(), body: { items } });
        expect(encrypted.body.results).toHaveLength(100);
        expect(
          encrypted.body.results.every(
            (r: { ok: boolean; ciphertext: string }) => r.ok && versionOf(r.ciphertext) === 2,
          ),
        ).toBe(true);
        const decrypted = await decryptAll(
          encrypted.body.results.map((r: { ciphertext: string }, i: number) => ({
            ciphertext: r.ciphertext,
            context: { row: String(i) },
          })),
        );
        expect(decrypted.body.results.map((r: { text: string }) => r.text)).toEqual(items.map((i) => i.text));
        keep.batch = {
          ciphertext: encrypted.body.results[7].ciphertext,
          text: 'record 7',
          context: { row: '7' },
        };

        const wrongContext = await decryptAll([
          keep.batch,
          { ciphertext: keep.batch.ciphertext, context: { row: '8' } },
        ]);
        expect(wrongContext.status).toBe(200);
        expect(wrongContext.body.results).toMatchObject([
          { ok: true, text: 'record 7' },
          { ok: false, error: { code: 'KW_DECRYPTION_FAILED' } },
        ]);
      });

      it('rotates the tenant key and rewraps old ciphertexts to the latest version', async () => {
        const rotated = await h.call('POST', '/v1/tenants/acme/keys/rotate', admin());
        expect(rotated.body).toMatchObject({ version: 3, rootKeyId: cmk1 });
        const rewrapped = await h.call('POST', '/v1/tenants/acme/rewrap', {
          ...service(),
          body: { items: [keep.beforeByok!, keep.batch!].map(only) },
        });
        expect(rewrapped.body.results.map((r: { ciphertext: string }) => versionOf(r.ciphertext))).toEqual([
          3, 3,
        ]);
        keep.rewrapped = {
          ciphertext: rewrapped.body.results[0].ciphertext,
          text: 'written before BYOK',
          context: { table: 'notes' },
        };
        const datakey = await h.call('POST', '/v1/tenants/acme/datakey', {
          ...service(),
          body: { items: [{ context: { file: 'a.bin' } }] },
        });
        const [key] = datakey.body.results;
        expect(Buffer.from(key.plaintextKey, 'base64')).toHaveLength(32);
        const back = await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: [{ ciphertext: key.wrappedKey, context: { file: 'a.bin' } }] },
        });
        expect(back.body.results[0].plaintext).toBe(key.plaintextKey);
      });

      it('switches to a second CMK; every old ciphertext still decrypts, without the first CMK', async () => {
        cmk2 = await createCustomerKey(h.box, 'Second CMK');
        const kit = await h.call(
          'GET',
          `/v1/tenants/acme/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmk2)}`,
          admin(),
        );
        await applyKit(h.box, kit.body, { createRole: false });
        const switched = await h.call('POST', '/v1/tenants/acme/byok/switch-cmk', {
          ...admin(),
          body: { cmkArn: cmk2 },
        });
        expect(switched.status).toBe(200);
        expect(switched.body).toMatchObject({ report: { ok: true }, rewrapped: 3 });
        const keys = await h.call('GET', '/v1/tenants/acme/keys', admin());
        expect(keys.body.versions.map((v: { rootKeyId: string }) => v.rootKeyId)).toEqual([cmk2, cmk2, cmk2]);
        expect((await h.call('GET', '/v1/tenants/acme/byok', admin())).body).toMatchObject({
          state: 'active',
          cmkArn: cmk2,
          keyMode: 'customer',
        });

        // The customer retires the first CMK: nothing depends on it any more.
        await clients(h.box, h.box.credentials(CUSTOMER_ACCOUNT_ID)).kms.send(
          new DisableKeyCommand({ KeyId: cmk1 }),
        );
        h.server.services.keyward.evictAll();
        const all = [keep.beforeByok!, keep.batch!, keep.rewrapped!];
        const decrypted = await decryptAll(all);
        expect(decrypted.body.results).toEqual(all.map((item) => ({ ok: true, text: item.text })));
      });

      it("refuses tenant A's ciphertext on tenant B, and tenant A's token on tenant B", async () => {
        // Version 1 exists for both tenants: the key and the tenant binding refuse it. Version 2 does not exist for B.
        const onB = await h.call('POST', '/v1/tenants/globex/decrypt', {
          token: globex.serviceToken,
          body: { items: [only(keep.beforeByok!), only(keep.batch!)] },
        });
        expect(onB.status).toBe(400);
        expect(onB.body).toMatchObject({
          code: 'KW_DECRYPTION_FAILED',
          details: {
            results: [
              { ok: false, error: { code: 'KW_DECRYPTION_FAILED' } },
              { ok: false, error: { code: 'KW_KEY_VERSION_TOO_NEW' } },
            ],
          },
        });
        const wrongToken = await h.call('POST', '/v1/tenants/globex/decrypt', {
          token: acme.serviceToken,
          body: { items: [only(keep.batch!)] },
        });
        expect(wrongToken.status).toBe(403);
        expect(wrongToken.body.code).toBe('KW_FORBIDDEN');
      });

      it('audits every KMS and STS call with key, context, outcome and request id, and the chain verifies', async () => {
        const kms = await h.call('GET', '/v1/tenants/acme/audit?operation=kms.&limit=500', admin());
        const decrypts = kms.body.events.filter((e: { operation: string }) => e.operation === 'kms.Decrypt');
        expect(decrypts.length).toBeGreaterThan(0);
        for (const event of decrypts) {
          expect(event.details.keyArn).toMatch(/^arn:aws:kms:/);
          expect(event.details.encryptionContext['keyward:tenant']).toBe('acme');
          if (event.outcome === 'success') expect(event.details.requestId).toEqual(expect.any(String));
        }
        const sts = await h.call('GET', '/v1/tenants/acme/audit?operation=sts.AssumeRole', admin());
        expect(
          sts.body.events.some(
            (e: { outcome: string; details: { roleArn: string } }) =>
              e.outcome === 'success' && e.details.roleArn === roleArn,
          ),
        ).toBe(true);
        const changes = await h.call('GET', '/v1/tenants/acme/audit?operation=byok.*', admin());
        expect(changes.body.events.map((e: { operation: string }) => e.operation)).toEqual(
          expect.arrayContaining([
            'byok.external-id.issue',
            'byok.configure',
            'byok.test',
            'byok.enable',
            'byok.switch-cmk',
          ]),
        );
        const verified = await h.call('GET', '/v1/audit/verify');
        expect(verified.body).toMatchObject({ ok: true });
        expect(verified.body.events).toBeGreaterThan(10);
      });

      it('a database dump holds no tenant key in the clear, nor any token', async () => {
        const dump = await dumpDatabase(h);
        const { rootKeys } = h.server.services;
        const secrets: Buffer[] = [];
        const acmeVersions = await h.server.services.keys.list('acme');
        const cmk = rootKeys.customer('acme', {
          roleArn,
          cmkArn: cmk2,
          externalId: (await h.call('GET', '/v1/tenants/acme/byok', admin())).body.externalId,
        });
        const store = await import('../../src/store/tenant-key-store.js');
        const keyStore = new store.SqlTenantKeyStore(h.store.db);
        for (const { version } of acmeVersions.versions) {
          const record = (await keyStore.getVersion('acme', version))!;
          secrets.push(
            Buffer.from((await cmk.unwrap(record.wrappedKey, { tenantId: 'acme', version })).bytes()),
          );
        }
        const globexRecord = (await keyStore.getVersion('globex', 1))!;
        secrets.push(
          Buffer.from(
            (
              await (
                await rootKeys.platform.current()
              ).unwrap(globexRecord.wrappedKey, { tenantId: 'globex', version: 1 })
            ).bytes(),
          ),
        );
        expect(secrets).toHaveLength(4);
        for (const secret of [...secrets, Buffer.from(acme.serviceToken), Buffer.from(acme.adminToken)]) {
          for (const form of [
            secret.toString('hex'),
            secret.toString('base64'),
            secret.toString('base64url'),
            secret.toString('latin1'),
          ]) {
            expect(dump.includes(form)).toBe(false);
          }
        }
        expect(dump).toContain('tenant_key_versions');
      });

      it('reverts to the platform key (operator only), with every ciphertext still readable', async () => {
        const byAdmin = await h.call('POST', '/v1/tenants/acme/byok/revert', admin());
        expect(byAdmin.status).toBe(403);
        const reverted = await h.call('POST', '/v1/tenants/acme/byok/revert');
        expect(reverted.body).toEqual({
          state: 'platform_managed',
          rewrapped: 3,
          job: expect.objectContaining({
            kind: 'byok.revert',
            actor: 'operator',
            state: 'succeeded',
            done: 3,
            total: 3,
          }),
        });
        const keys = await h.call('GET', '/v1/tenants/acme/keys', admin());
        expect(new Set(keys.body.versions.map((v: { rootKeyId: string }) => v.rootKeyId))).toEqual(
          new Set([(await h.server.services.rootKeys.platform.current()).id]),
        );
        h.server.services.keyward.evictAll();
        const all = [keep.beforeByok!, keep.batch!, keep.rewrapped!];
        expect((await decryptAll(all)).body.results).toEqual(
          all.map((item) => ({ ok: true, text: item.text })),
        );
        expect((await h.call('GET', '/v1/audit/verify')).body.ok).toBe(true);
      });
    },
  );
}
