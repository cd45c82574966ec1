import {
  CancelKeyDeletionCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { ManualClock } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { BACKENDS } from '../store/backends.js';
import { applyKit, createCustomerKey, startHarness, type Harness } from './harness.js';

/**
 * Issue 6, items 1 and 2 (health checks and the data plane learning from KMS errors), over HTTP
 * against the sandbox: the customer withdraws access in each way and gets it back; AWS has an
 * outage and recovers. The clock is manual, so the grace period passes without waiting.
 */
for (const backend of BACKENDS) {
  describe.skipIf(!backend.available)(
    `the customer's control, checked and enforced, on ${backend.name}`,
    () => {
      let h: Harness;
      const clock = new ManualClock(Date.now());
      const customer = () => clients(h.box, h.box.credentials(CUSTOMER_ACCOUNT_ID));

      beforeAll(async () => {
        h = await startHarness(
          backend,
          { health: { intervalSeconds: 0, graceSeconds: 120 }, cache: { ttlSeconds: 300 } },
          { clock },
        );
      }, 60_000);
      afterAll(async () => h?.close());

      /** A BYOK tenant, active, with data written: returns what the customer controls and the data. */
      async function active(id: string): Promise<{
        roleName: string;
        cmkArn: string;
        kit: { trustPolicy: unknown; keyPolicyStatement: unknown };
        ciphertext: string;
      }> {
        await h.tenant(id);
        await h.call('POST', `/v1/tenants/${id}/byok/external-id`);
        const cmkArn = await createCustomerKey(h.box);
        const roleName = `byok-${id}`;
        const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${roleName}`;
        const kit = (
          await h.call(
            'GET',
            `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
          )
        ).body;
        await applyKit(h.box, kit);
        await h.call('PUT', `/v1/tenants/${id}/byok/config`, { body: { roleArn, cmkArn } });
        expect((await h.call('POST', `/v1/tenants/${id}/byok/test`)).body.ok).toBe(true);
        expect((await h.call('POST', `/v1/tenants/${id}/byok/enable`)).status).toBe(200);
        const sealed = await h.call('POST', `/v1/tenants/${id}/encrypt`, {
          body: { items: [{ text: `${id} record` }] },
        });
        return { roleName, cmkArn, kit, ciphertext: sealed.body.results[0].ciphertext };
      }

      const decrypt = (id: string, ciphertext: string) =>
        h.call('POST', `/v1/tenants/${id}/decrypt`, { body: { encoding: 'utf8', items: [{ ciphertext }] } });
      const check = (id: string) => h.call('POST', `/v1/tenants/${id}/byok/check`);

      /** Revoked with this finding: no read or write works, even from a warm cache; the audit says why. */
      async function expectRevoked(id: string, ciphertext: string, finding: string) {
        const status = (await h.call('GET', `/v1/tenants/${id}/byok`)).body;
        expect(status).toMatchObject({
          state: 'revoked',
          stateReason: expect.stringContaining(finding.replace('_', ' ')),
        });
        const read = await decrypt(id, ciphertext);
        expect(read.status).toBe(403);
        expect(read.body.code).toBe('KW_BYOK_REVOKED');
        const write = await h.call('POST', `/v1/tenants/${id}/encrypt`, {
          body: { items: [{ text: 'new' }] },
        });
        expect(write.body.code).toBe('KW_BYOK_REVOKED');
        const audit = (await h.call('GET', `/v1/tenants/${id}/audit?operation=byok.health`)).body.events;
        expect(audit[0]).toMatchObject({
          actor: 'keyward:health',
          outcome: 'denied',
          details: { finding, to: 'revoked' },
        });
      }

      async function expectRestored(id: string, ciphertext: string) {
        const checked = await check(id);
        expect(checked.body).toMatchObject({ finding: 'ok', state: 'active', reason: null });
        expect((await decrypt(id, ciphertext)).body).toEqual({
          results: [{ ok: true, text: `${id} record` }],
        });
      }

      it('the customer disables the CMK: revoked at the next check, fails closed; re-enabled: active, nothing lost', async () => {
        const { cmkArn, ciphertext } = await active('disables');
        expect((await decrypt('disables', ciphertext)).status).toBe(200); // warm cache
        await customer().kms.send(new DisableKeyCommand({ KeyId: cmkArn }));
        expect((await check('disables')).body).toMatchObject({ finding: 'disabled', state: 'revoked' });
        await expectRevoked('disables', ciphertext, 'disabled');
        await customer().kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
        await expectRestored('disables', ciphertext);
        const metrics = (await h.call('GET', '/metrics')).body as string;
        expect(metrics).toMatch(
          /keyward_byok_state_changes_total\{from="active",to="revoked",finding="disabled"\} [1-9]/,
        );
        expect(metrics).toMatch(
          /keyward_byok_state_changes_total\{from="revoked",to="active",finding="ok"\} [1-9]/,
        );
      });

      it('the customer removes the key-policy statement: denied; restored: active', async () => {
        const { cmkArn, kit, ciphertext } = await active('policy');
        const admins = {
          Sid: 'KeyAdministrators',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` },
          Action: 'kms:*',
          Resource: '*',
        };
        await customer().kms.send(
          new PutKeyPolicyCommand({
            KeyId: cmkArn,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [admins] }),
          }),
        );
        expect((await check('policy')).body).toMatchObject({ finding: 'denied', state: 'revoked' });
        await expectRevoked('policy', ciphertext, 'denied');
        await customer().kms.send(
          new PutKeyPolicyCommand({
            KeyId: cmkArn,
            Policy: JSON.stringify({ Version: '2012-10-17', Statement: [admins, kit.keyPolicyStatement] }),
          }),
        );
        await expectRestored('policy', ciphertext);
      });

      it('the customer breaks the trust policy: denied, although a session assumed earlier would still work; restored: active', async () => {
        const { roleName, kit, ciphertext } = await active('trust');
        const wrongId = JSON.parse(
          JSON.stringify(kit.trustPolicy).replace(/kw-[a-z2-7]{32}/, 'kw-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
        );
        await customer().iam.send(
          new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(wrongId) }),
        );
        expect((await check('trust')).body).toMatchObject({ finding: 'denied', state: 'revoked' });
        await expectRevoked('trust', ciphertext, 'denied');
        // The session assumed before the change would still work in AWS: the operator cannot revert around the customer with it.
        const revert = await h.call('POST', '/v1/tenants/trust/byok/revert');
        expect(revert.status).toBe(403);
        expect(revert.body.code).toBe('KW_STS_ACCESS_DENIED');
        expect((await h.call('GET', '/v1/tenants/trust/byok')).body.state).toBe('revoked');
        await customer().iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: roleName,
            PolicyDocument: JSON.stringify(kit.trustPolicy),
          }),
        );
        await expectRestored('trust', ciphertext);
      });

      it('the customer schedules the CMK for deletion: revoked with the deletion date; cancelled and re-enabled: active', async () => {
        const { cmkArn, ciphertext } = await active('deletes');
        await customer().kms.send(new ScheduleKeyDeletionCommand({ KeyId: cmkArn, PendingWindowInDays: 7 }));
        const checked = (await check('deletes')).body;
        expect(checked).toMatchObject({
          finding: 'pending_deletion',
          state: 'revoked',
          deletionDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
        });
        expect(checked.reason).toContain(checked.deletionDate);
        await expectRevoked('deletes', ciphertext, 'pending_deletion');
        await customer().kms.send(new CancelKeyDeletionCommand({ KeyId: cmkArn }));
        await customer().kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
        await expectRestored('deletes', ciphertext);
      });

      it('the data plane learns without waiting for a check: a cache miss refused by KMS revokes the tenant at once', async () => {
        const { cmkArn, ciphertext } = await active('learns');
        await customer().kms.send(new DisableKeyCommand({ KeyId: cmkArn }));
        h.server.services.keyward.evict('learns'); // what the cache TTL does in time
        const read = await decrypt('learns', ciphertext);
        expect(read.status).toBe(403);
        expect(read.body.code).toBe('KW_KMS_KEY_DISABLED');
        expect((await h.call('GET', '/v1/tenants/learns/byok')).body).toMatchObject({
          state: 'revoked',
          stateReason: expect.stringContaining('disabled'),
        });
        await customer().kms.send(new EnableKeyCommand({ KeyId: cmkArn }));
        await expectRestored('learns', ciphertext);
      });

      for (const mode of ['unavailable', 'throttle'] as const) {
        it(
          `an AWS outage (${mode}) makes the tenant degraded, never revoked: cached keys serve for the grace period, then it fails closed, and recovers`,
          { timeout: 60_000 },
          async () => {
            const id = `outage-${mode}`;
            const { cmkArn, ciphertext } = await active(id);
            expect((await decrypt(id, ciphertext)).status).toBe(200); // warm cache
            await h.box.admin.addFault({ mode, service: 'kms', key: cmkArn });
            try {
              expect((await check(id)).body).toMatchObject({ finding: 'unreachable', state: 'degraded' });
              expect((await decrypt(id, ciphertext)).body).toEqual({
                results: [{ ok: true, text: `${id} record` }],
              });
              clock.advance(121_000); // past the grace period (120 s), within the cache TTL (300 s)
              expect((await check(id)).body).toMatchObject({ finding: 'unreachable', state: 'degraded' });
              const closed = await decrypt(id, ciphertext);
              expect(closed.status).toBe(503);
              expect(closed.body.code).toMatch(/^KW_AWS_(UNAVAILABLE|THROTTLED)$/);
              expect((await h.call('GET', `/v1/tenants/${id}/byok`)).body.state).toBe('degraded');
            } finally {
              await h.box.admin.clearFaults();
            }
            await expectRestored(id, ciphertext);
            const audit = (
              await h.call('GET', `/v1/tenants/${id}/audit?operation=byok.health`)
            ).body.events.map((e: { details: { to: string } }) => e.details.to);
            expect(audit).not.toContain('revoked');
          },
        );
      }

      it('checks only tenants with BYOK on', async () => {
        await h.tenant('plain');
        const checked = await check('plain');
        expect(checked.status).toBe(409);
        expect(checked.body).toMatchObject({
          code: 'KW_STATE_CONFLICT',
          details: { state: 'not_configured' },
        });
      });
    },
  );
}
