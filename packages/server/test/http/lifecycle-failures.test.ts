import { DisableKeyCommand, EnableKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import type { ReplacedVersion, WrappedKeyVersion } from '@keyward/core';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../src/services/audit-log.js';
import { byokGuard, type ByokTransition } from '../../src/services/key-transition.js';
import { ByokConfigs } from '../../src/store/byok-configs.js';
import type { Database } from '../../src/store/schema.js';
import { SqlTenantKeyStore } from '../../src/store/tenant-key-store.js';
import { BACKENDS, refuses } from '../store/backends.js';
import { applyKit, createCustomerKey, startHarness, type Harness } from './harness.js';

/** A key move committed as the BYOK jobs commit one: through the key store's port, with the server's BYOK guard. */
function commitKeyTransition(
  db: Kysely<Database>,
  audit: AuditLog,
  change: Omit<ByokTransition, 'now'> & {
    now: Date;
    replaced: ReplacedVersion[];
    toRootId: string;
    added?: WrappedKeyVersion;
    expectedLatest?: number;
  },
): Promise<void> {
  const { replaced, toRootId, added, expectedLatest } = change;
  return new SqlTenantKeyStore(db).commitRootChange(
    change.tenantId,
    {
      toRootId,
      replaced,
      ...(added === undefined ? {} : { added: { record: added, expectedLatest: expectedLatest! } }),
    },
    byokGuard(new ByokConfigs(db), audit, { ...change, now: () => change.now }),
  );
}

/** The tenant's state, configuration and wrapped keys, byte for byte: what a failed step must leave alone. */
async function snapshot(h: Harness, tenantId: string) {
  const config = await h.store.db
    .selectFrom('byok_configs')
    .select(['state', 'role_arn', 'cmk_arn', 'external_id'])
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  const versions = await h.store.db
    .selectFrom('tenant_key_versions')
    .select(['version', 'root_key_id', 'wrapped_key'])
    .where('tenant_id', '=', tenantId)
    .orderBy('version')
    .execute();
  const policy = await h.store.db
    .selectFrom('tenant_key_policies')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return {
    config,
    policy,
    versions: versions.map((v) => ({
      version: v.version,
      root: v.root_key_id,
      wrapped: Buffer.from(v.wrapped_key).toString('hex'),
    })),
  };
}

for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    `a failed lifecycle step leaves the previous state intact, on ${backend.name}`,
    () => {
      let h: Harness;
      const customer = () => clients(h.box, h.box.credentials(CUSTOMER_ACCOUNT_ID)).kms;

      /** A tenant taken to `validated` (or `active`) with the kit applied verbatim; returns its ARNs. */
      async function onboard(
        id: string,
        enable: boolean,
      ): Promise<{ roleArn: string; cmkArn: string; ciphertext: string }> {
        await h.tenant(id);
        const written = await h.call('POST', `/v1/tenants/${id}/encrypt`, {
          body: { items: [{ text: `${id} data` }] },
        });
        await h.call('POST', `/v1/tenants/${id}/byok/external-id`);
        const cmkArn = await createCustomerKey(h.box);
        const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-${id}`;
        const kit = await h.call(
          'GET',
          `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
        );
        await applyKit(h.box, kit.body);
        await h.call('PUT', `/v1/tenants/${id}/byok/config`, { body: { roleArn, cmkArn } });
        expect((await h.call('POST', `/v1/tenants/${id}/byok/test`)).body.ok).toBe(true);
        if (enable) expect((await h.call('POST', `/v1/tenants/${id}/byok/enable`)).status).toBe(200);
        return { roleArn, cmkArn, ciphertext: written.body.results[0].ciphertext };
      }

      const readable = async (id: string, ciphertext: string) => {
        h.server.services.keyward.evictAll();
        return (
          await h.call('POST', `/v1/tenants/${id}/decrypt`, {
            body: { items: [{ ciphertext }], encoding: 'utf8' },
          })
        ).body;
      };

      beforeAll(async () => {
        h = await startHarness(backend);
      }, 60_000);
      afterAll(async () => h?.close());

      it("enable refused by the customer's key policy: still validated, keys still under the platform key", async () => {
        const { cmkArn, ciphertext } = await onboard('enable-denied', false);
        // After a passing test, the customer replaces the key policy with one for its administrators
        // only (not the account root, which would delegate to the role's own IAM policy).
        const adminsOnly = {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` },
          Action: 'kms:*',
          Resource: '*',
        };
        await customer().send(
          new PutKeyPolicyCommand({
            KeyId: cmkArn,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [adminsOnly] }),
          }),
        );
        const before = await snapshot(h, 'enable-denied');
        const enabled = await h.call('POST', '/v1/tenants/enable-denied/byok/enable');
        expect(enabled.status).toBe(403);
        expect(enabled.body.code).toBe('KW_KMS_ACCESS_DENIED');
        expect(await snapshot(h, 'enable-denied')).toEqual(before);
        expect(before.config.state).toBe('validated');
        expect(await readable('enable-denied', ciphertext)).toEqual({
          results: [{ ok: true, text: 'enable-denied data' }],
        });
        const audit = await h.call('GET', '/v1/tenants/enable-denied/audit?operation=byok.enable');
        expect(audit.body.events[0]).toMatchObject({
          outcome: 'failure',
          details: { code: 'KW_KMS_ACCESS_DENIED' },
        });
      });

      it('switch to a CMK that fails the test: 409 KW_TEST_FAILED with the report, nothing changed', async () => {
        const { ciphertext } = await onboard('switch-untested', true);
        const unusable = await createCustomerKey(h.box, 'no key-policy statement');
        const before = await snapshot(h, 'switch-untested');
        const switched = await h.call('POST', '/v1/tenants/switch-untested/byok/switch-cmk', {
          body: { cmkArn: unusable },
        });
        expect(switched.status).toBe(409);
        expect(switched.body.code).toBe('KW_TEST_FAILED');
        expect(switched.body.details.report.ok).toBe(false);
        expect(
          switched.body.details.report.results.some((r: { status: string }) => r.status === 'fail'),
        ).toBe(true);
        expect(await snapshot(h, 'switch-untested')).toEqual(before);
        expect(await readable('switch-untested', ciphertext)).toEqual({
          results: [{ ok: true, text: 'switch-untested data' }],
        });
      });

      it('switch whose re-wrap fails half-way (KMS Encrypt on the new key fails): back to active on the old CMK', async () => {
        const { roleArn, ciphertext } = await onboard('switch-broken', true);
        await h.call('POST', '/v1/tenants/switch-broken/keys/rotate');
        const next = await createCustomerKey(h.box, 'second CMK');
        const kit = await h.call(
          'GET',
          `/v1/tenants/switch-broken/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(next)}`,
        );
        await applyKit(h.box, kit.body, { createRole: false });
        const before = await snapshot(h, 'switch-broken');
        // The test passes (it uses GenerateDataKey, Decrypt, ReEncrypt); the second Encrypt of the re-wrap fails.
        await h.box.admin.addFault({
          mode: 'internal-error',
          service: 'kms',
          operation: 'Encrypt',
          key: next,
        });
        const switched = await h.call('POST', '/v1/tenants/switch-broken/byok/switch-cmk', {
          body: { cmkArn: next },
        });
        await h.box.admin.clearFaults();
        expect(switched.status).toBeGreaterThanOrEqual(500);
        expect(switched.body.code).toMatch(/^KW_AWS_/);
        expect(await snapshot(h, 'switch-broken')).toEqual(before);
        expect(before.config.state).toBe('active');
        expect(await readable('switch-broken', ciphertext)).toEqual({
          results: [{ ok: true, text: 'switch-broken data' }],
        });
        const audit = await h.call('GET', '/v1/tenants/switch-broken/audit?operation=byok.switch-cmk');
        expect(audit.body.events[0]).toMatchObject({ outcome: 'failure', details: { toCmkArn: next } });
      });

      it('revert while the customer has disabled the CMK: refused, the tenant stays on the CMK', async () => {
        const { cmkArn } = await onboard('revert-disabled', true);
        await customer().send(new DisableKeyCommand({ KeyId: cmkArn }));
        h.server.services.keyward.evictAll();
        const before = await snapshot(h, 'revert-disabled');
        const reverted = await h.call('POST', '/v1/tenants/revert-disabled/byok/revert');
        expect(reverted.status).toBe(403);
        expect(reverted.body.code).toBe('KW_KMS_KEY_DISABLED');
        expect(await snapshot(h, 'revert-disabled')).toEqual(before);
        await customer().send(new EnableKeyCommand({ KeyId: cmkArn }));
        expect((await h.call('POST', '/v1/tenants/revert-disabled/byok/revert')).body.state).toBe(
          'platform_managed',
        );
      });

      it('while keys are moving, refuses rotation and lifecycle operations; an interrupted move is aborted by the operator, losing nothing', async () => {
        const { ciphertext } = await onboard('moving', true);
        // What a process killed in the middle of a CMK switch leaves behind.
        await h.store.db
          .updateTable('byok_configs')
          .set({ state: 'rotating_cmk', held_from: 'active' })
          .where('tenant_id', '=', 'moving')
          .execute();
        const rotate = await h.call('POST', '/v1/tenants/moving/keys/rotate');
        expect(rotate.status).toBe(409);
        expect(rotate.body).toMatchObject({ code: 'KW_STATE_CONFLICT', details: { state: 'rotating_cmk' } });
        const revert = await h.call('POST', '/v1/tenants/moving/byok/revert');
        expect(revert.body).toMatchObject({
          code: 'KW_STATE_CONFLICT',
          details: { state: 'rotating_cmk', allowed: ['abort'] },
        });
        // The keys are still under the current CMK: the data plane keeps working meanwhile.
        expect(await readable('moving', ciphertext)).toEqual({
          results: [{ ok: true, text: 'moving data' }],
        });

        const tenant = (await h.call('GET', '/v1/tenants/moving/tokens')).body;
        expect(tenant.tokens.length).toBeGreaterThan(0);
        const admin = await h.call('POST', '/v1/tenants/moving/tokens', { body: { kind: 'tenant-admin' } });
        expect(
          (await h.call('POST', '/v1/tenants/moving/byok/abort', { token: admin.body.token })).status,
        ).toBe(403);
        expect((await h.call('POST', '/v1/tenants/moving/byok/abort')).body).toEqual({ state: 'active' });
        expect((await h.call('POST', '/v1/tenants/moving/byok/abort')).body).toMatchObject({
          code: 'KW_STATE_CONFLICT',
          details: { state: 'active' },
        });
        expect((await h.call('POST', '/v1/tenants/moving/keys/rotate')).status).toBe(200);
        expect(await readable('moving', ciphertext)).toEqual({
          results: [{ ok: true, text: 'moving data' }],
        });
        const audit = await h.call('GET', '/v1/tenants/moving/audit?operation=byok.abort');
        expect(audit.body.events[0]).toMatchObject({
          actor: 'operator',
          outcome: 'success',
          details: { from: 'rotating_cmk', to: 'active' },
        });
      });

      for (const move of ['switch-cmk', 'revert'] as const) {
        it(
          `a rotation racing a ${move} never leaves a version under the old root key`,
          { timeout: 60_000 },
          async () => {
            const id = `race-${move}`;
            const { roleArn, cmkArn, ciphertext } = await onboard(id, true);
            let next = '';
            if (move === 'switch-cmk') {
              next = await createCustomerKey(h.box, 'next CMK');
              const kit = await h.call(
                'GET',
                `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(next)}`,
              );
              await applyKit(h.box, kit.body, { createRole: false });
            }
            // The rotation's GenerateDataKey under the current CMK is held for 3 s; the move runs meanwhile.
            const fault = await h.box.admin.addFault({
              mode: 'latency',
              service: 'kms',
              operation: 'GenerateDataKey',
              key: cmkArn,
              latencyMs: 3000,
              times: 1,
            });
            const rotation = h.call('POST', `/v1/tenants/${id}/keys/rotate`);
            await expect
              .poll(
                async () => (await h.box.admin.faults()).find((rule) => rule.id === fault.id)?.fired ?? 1,
                { timeout: 20_000 },
              )
              .toBe(1);
            const moved =
              move === 'switch-cmk'
                ? await h.call('POST', `/v1/tenants/${id}/byok/switch-cmk`, { body: { cmkArn: next } })
                : await h.call('POST', `/v1/tenants/${id}/byok/revert`);
            const rotated = await rotation;
            // One of the two loses with a conflict; which one depends on timing, never the outcome below.
            expect(
              [moved.status, rotated.status].filter((status) => status === 200).length,
            ).toBeGreaterThanOrEqual(1);
            for (const loser of [moved, rotated].filter((response) => response.status !== 200))
              expect(loser.body.code).toBe('KW_CONCURRENT_MODIFICATION');
            const status = (await h.call('GET', `/v1/tenants/${id}/byok`)).body;
            const roots = new Set(
              (await h.call('GET', `/v1/tenants/${id}/keys`)).body.versions.map(
                (v: { rootKeyId: string }) => v.rootKeyId,
              ),
            );
            const expected =
              status.keyMode === 'customer'
                ? status.cmkArn
                : (await h.server.services.rootKeys.platform.current()).id;
            expect([...roots]).toEqual([expected]);
            expect(await readable(id, ciphertext)).toEqual({ results: [{ ok: true, text: `${id} data` }] });
            const fresh = await h.call('POST', `/v1/tenants/${id}/encrypt`, {
              body: { items: [{ text: 'after' }] },
            });
            expect(fresh.status).toBe(200);
          },
        );
      }

      it('the commit is all or nothing: a version no longer under the old root rolls everything back', async () => {
        const { roleArn, cmkArn } = await onboard('atomic', false);
        const before = await snapshot(h, 'atomic');
        const config = { roleArn, cmkArn, externalId: before.config.external_id! };
        const replacedFrom = (fromRootId: string) => [
          {
            version: 1,
            wrappedKey: new Uint8Array([1, 2, 3]),
            rootKeyId: cmkArn,
            createdAt: new Date(),
            fromRootId,
          },
        ];
        const change = {
          tenantId: 'atomic',
          expect: { state: 'validated' as const, config },
          event: 'enable' as const,
          replaced: replacedFrom(before.versions[0]!.root),
          toRootId: cmkArn,
          audit: {
            tenantId: 'atomic',
            actor: 'test',
            operation: 'byok.enable',
            outcome: 'success' as const,
            details: {},
          },
          now: new Date(),
        };
        // The old root named is not the one version 1 is under: compare-and-set fails after the state was updated.
        await refuses(
          commitKeyTransition(h.store.db, h.server.services.audit, {
            ...change,
            replaced: replacedFrom('arn:aws:kms:us-east-1:111122223333:key/other'),
          }),
          'KW_CONCURRENT_MODIFICATION',
        );
        // A stale expected latest version (someone rotated) fails after the versions were swapped.
        const added = {
          version: 5,
          wrappedKey: new Uint8Array([4]),
          rootKeyId: cmkArn,
          createdAt: new Date(),
        };
        await refuses(
          commitKeyTransition(h.store.db, h.server.services.audit, { ...change, added, expectedLatest: 4 }),
          'KW_CONCURRENT_MODIFICATION',
        );
        // The state it started from is no longer the state: nothing at all happens.
        await refuses(
          commitKeyTransition(h.store.db, h.server.services.audit, {
            ...change,
            expect: { ...change.expect, state: 'pending' as const },
          }),
          'KW_CONCURRENT_MODIFICATION',
        );
        expect(await snapshot(h, 'atomic')).toEqual(before);
        expect((await h.call('GET', '/v1/audit/verify')).body.ok).toBe(true);
      });

      it('a commit by a worker that no longer holds its job (taken over, or cancelled) changes nothing', async () => {
        const { roleArn, cmkArn } = await onboard('stale', false);
        const before = await snapshot(h, 'stale');
        const config = { roleArn, cmkArn, externalId: before.config.external_id! };
        const change = {
          tenantId: 'stale',
          expect: {
            state: 'validated' as const,
            config,
            job: { id: 'job_stale', lockedBy: 'this-instance' },
          },
          event: 'enable' as const,
          replaced: [
            {
              version: 1,
              wrappedKey: new Uint8Array([1, 2, 3]),
              rootKeyId: cmkArn,
              createdAt: new Date(),
              fromRootId: before.versions[0]!.root,
            },
          ],
          toRootId: cmkArn,
          audit: {
            tenantId: 'stale',
            actor: 'test',
            operation: 'byok.enable',
            outcome: 'success' as const,
            details: {},
          },
          now: new Date(),
        };
        // Another instance holds the job now (its lease is live, so this server's runner leaves it alone).
        const row = {
          id: 'job_stale',
          parent_id: null,
          tenant_id: 'stale',
          kind: 'byok.enable',
          state: 'running',
          done: 0,
          total: 1,
          payload: '{}',
          locked_by: 'other-instance',
          locked_until: new Date(Date.now() + 600_000),
          created_at: new Date(),
          updated_at: new Date(),
        };
        await h.store.db.insertInto('jobs').values(row).execute();
        try {
          await refuses(
            commitKeyTransition(h.store.db, h.server.services.audit, change),
            'KW_CONCURRENT_MODIFICATION',
          );
          await h.store.db
            .updateTable('jobs')
            .set({ state: 'cancelled', locked_by: null, locked_until: null })
            .where('id', '=', 'job_stale')
            .execute();
          await refuses(commitKeyTransition(h.store.db, h.server.services.audit, change), 'KW_JOB_CANCELLED');
        } finally {
          await h.store.db.deleteFrom('jobs').where('id', '=', 'job_stale').execute();
        }
        expect(await snapshot(h, 'stale')).toEqual(before);
      });

      it('test and enable need the External ID and the configuration first', async () => {
        await h.tenant('bare');
        const test = await h.call('POST', '/v1/tenants/bare/byok/test');
        expect(test.status).toBe(409);
        expect(test.body).toMatchObject({ code: 'KW_STATE_CONFLICT', details: { state: 'not_configured' } });
        await h.call('POST', '/v1/tenants/bare/byok/external-id');
        const again = await h.call('POST', '/v1/tenants/bare/byok/test');
        expect(again.body).toMatchObject({
          code: 'KW_STATE_CONFLICT',
          details: { state: 'pending', missing: ['roleArn', 'cmkArn'] },
        });
      });
    },
  );
}
