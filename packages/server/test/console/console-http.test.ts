import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATOR_TOKEN, startHarness, type Harness } from '../http/harness.js';
import { BACKENDS } from '../store/backends.js';

/**
 * The console's sessions and CSRF rules over plain HTTP (the browser tests show the pages work;
 * these pin down what a forged or stale request gets).
 */
describe.each(BACKENDS.filter((backend) => backend.available))(
  'console sessions over HTTP, on $name',
  (backend) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(backend);
    }, 60_000);
    afterAll(async () => h?.close());

    async function signIn(
      token: string,
    ): Promise<{ status: number; cookie?: string; location: string | null }> {
      const response = await fetch(`${h.url}/console/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      const setCookie = response.headers.get('set-cookie');
      return {
        status: response.status,
        location: response.headers.get('location'),
        ...(setCookie === null ? {} : { cookie: setCookie.split(';')[0]! }),
      };
    }

    const csrfOf = async (cookie: string, path: string) =>
      /name="csrf-token" content="([^"]+)"/.exec(
        await (await fetch(`${h.url}${path}`, { headers: { cookie } })).text(),
      )?.[1];

    it('signs in operators and tenant admins only, with an HttpOnly SameSite=Strict cookie; service and unknown tokens are refused', async () => {
      const tenant = await h.tenant('cs-a');
      const admin = await signIn(tenant.adminToken);
      expect(admin).toMatchObject({ status: 303, location: '/console/tenants/cs-a/setup' });
      const raw = await fetch(`${h.url}/console/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${tenant.adminToken}`,
      });
      expect(raw.headers.get('set-cookie')).toMatch(
        /^kw_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Expires=/,
      );
      expect(await signIn(OPERATOR_TOKEN)).toMatchObject({ status: 303, location: '/console/tenants' });
      // From another site's form (login CSRF): refused, no cookie.
      const crossSite = await fetch(`${h.url}/console/sign-in`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
        body: `token=${tenant.adminToken}`,
      });
      expect(crossSite.status).toBe(403);
      expect(crossSite.headers.get('set-cookie')).toBeNull();
      for (const token of [tenant.serviceToken, 'kwa_not-a-real-token', '', 'x'.repeat(5000)]) {
        const refused = await signIn(token);
        expect(refused.status, token.slice(0, 12)).toBe(401);
        expect(refused.cookie).toBeUndefined();
      }
      // Only the session ID's hash is stored.
      const rows = await h.store.db.selectFrom('console_sessions').select('id_hash').execute();
      expect(rows.map((row) => row.id_hash)).not.toContain(admin.cookie!.split('=')[1]);
    });

    it("a state-changing API call with the cookie needs the session's CSRF token; reads do not; another tenant stays 403", async () => {
      const tenant = await h.tenant('cs-b');
      await h.tenant('cs-other');
      const { cookie } = await signIn(tenant.adminToken);
      const csrf = await csrfOf(cookie!, '/console/tenants/cs-b');
      expect(csrf).toMatch(/^[\w-]{43}$/);
      expect((await fetch(`${h.url}/v1/tenants/cs-b/keys`, { headers: { cookie: cookie! } })).status).toBe(
        200,
      );
      const forged = await fetch(`${h.url}/v1/tenants/cs-b/keys/rotate`, {
        method: 'POST',
        headers: { cookie: cookie! },
      });
      expect(forged.status).toBe(403);
      expect(await forged.json()).toMatchObject({ code: 'KW_FORBIDDEN' });
      expect(
        (
          await fetch(`${h.url}/v1/tenants/cs-b/keys/rotate`, {
            method: 'POST',
            headers: { cookie: cookie!, 'x-csrf-token': 'wrong' },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await fetch(`${h.url}/v1/tenants/cs-b/keys/rotate`, {
            method: 'POST',
            headers: { cookie: cookie!, 'x-csrf-token': csrf!, origin: 'https://evil.example' },
          })
        ).status,
      ).toBe(403);
      expect(
        (
          await fetch(`${h.url}/v1/tenants/cs-b/keys/rotate`, {
            method: 'POST',
            headers: { cookie: cookie!, 'x-csrf-token': csrf! },
          })
        ).status,
      ).toBe(200);
      expect(
        (await fetch(`${h.url}/v1/tenants/cs-other/keys`, { headers: { cookie: cookie! } })).status,
      ).toBe(403);
      expect(
        (await fetch(`${h.url}/console/tenants/cs-other`, { headers: { cookie: cookie! } })).status,
      ).toBe(403);
    });

    it('a session ends with its token (revoked), and at sign-out (which needs the CSRF token too)', async () => {
      const tenant = await h.tenant('cs-c');
      const tokens = (await h.call('GET', '/v1/tenants/cs-c/tokens')).body.tokens as Array<{
        id: string;
        kind: string;
      }>;
      const adminId = tokens.find((token) => token.kind === 'tenant-admin')!.id;
      const first = (await signIn(tenant.adminToken)).cookie!;
      expect(
        (await fetch(`${h.url}/console/tenants/cs-c`, { headers: { cookie: first }, redirect: 'manual' }))
          .status,
      ).toBe(200);
      expect((await h.call('DELETE', `/v1/tokens/${adminId}`)).status).toBeLessThan(300);
      const after = await fetch(`${h.url}/console/tenants/cs-c`, {
        headers: { cookie: first },
        redirect: 'manual',
      });
      expect(after.status).toBe(303);
      expect(after.headers.get('location')).toBe('/console/sign-in');

      const operator = (await signIn(OPERATOR_TOKEN)).cookie!;
      const csrf = await csrfOf(operator, '/console/tenants');
      const refused = await fetch(`${h.url}/console/sign-out`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: operator, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'csrf=wrong',
      });
      expect(refused.status).toBe(403);
      const out = await fetch(`${h.url}/console/sign-out`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: operator, 'content-type': 'application/x-www-form-urlencoded' },
        body: `csrf=${csrf}`,
      });
      expect(out.status).toBe(303);
      expect(
        (await fetch(`${h.url}/console/tenants`, { headers: { cookie: operator }, redirect: 'manual' }))
          .status,
      ).toBe(303);
    });

    it('streams the Test as one JSON line per check, then the report; refuses it without the CSRF token or for another tenant', async () => {
      const tenant = await h.tenant('cs-d');
      await h.call('POST', '/v1/tenants/cs-d/byok/external-id');
      await h.call('PUT', '/v1/tenants/cs-d/byok/config', {
        body: {
          roleArn: 'arn:aws:iam::444455556666:role/missing',
          cmkArn: 'arn:aws:kms:us-east-1:444455556666:key/00000000-0000-4000-8000-000000000000',
        },
      });
      const { cookie } = await signIn(tenant.adminToken);
      const csrf = await csrfOf(cookie!, '/console/tenants/cs-d/setup');
      expect(
        (await fetch(`${h.url}/console/tenants/cs-d/test`, { method: 'POST', headers: { cookie: cookie! } }))
          .status,
      ).toBe(403);
      expect(
        (
          await fetch(`${h.url}/console/tenants/cs-a/test`, {
            method: 'POST',
            headers: { cookie: cookie!, 'x-csrf-token': csrf! },
          })
        ).status,
      ).toBe(403);
      const response = await fetch(`${h.url}/console/tenants/cs-d/test`, {
        method: 'POST',
        headers: { cookie: cookie!, 'x-csrf-token': csrf! },
      });
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = (await response.text())
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as {
              type: string;
              result?: { id: string; status: string };
              report?: { ok: boolean; results: Array<{ id: string }> };
            },
        );
      const report = lines.at(-1)!;
      expect(report.type).toBe('report');
      expect(report.report!.ok).toBe(false);
      const checks = lines.slice(0, -1);
      expect(checks.every((line) => line.type === 'check')).toBe(true);
      expect(checks.map((line) => line.result!.id)).toEqual(
        report.report!.results.map((result) => result.id),
      );
    });

    it('downloads the CloudFormation template and the Terraform snippet for the signed-in tenant only', async () => {
      const tenant = await h.tenant('cs-e');
      await h.call('POST', '/v1/tenants/cs-e/byok/external-id');
      const { cookie } = await signIn(tenant.adminToken);
      const template = await fetch(`${h.url}/console/tenants/cs-e/setup/cloudformation.yaml`, {
        headers: { cookie: cookie! },
      });
      expect(template.status).toBe(200);
      expect(template.headers.get('content-disposition')).toBe(
        'attachment; filename="keyward-byok-cs-e-cloudformation.yaml"',
      );
      expect(await template.text()).toContain('AWS::IAM::Role');
      const terraform = await fetch(`${h.url}/console/tenants/cs-e/setup/keyward-byok.tf`, {
        headers: { cookie: cookie! },
      });
      expect(await terraform.text()).toContain('aws_iam_role');
      expect(
        (await fetch(`${h.url}/console/tenants/cs-a/setup/keyward-byok.tf`, { headers: { cookie: cookie! } }))
          .status,
      ).toBe(403);
      expect(
        (await fetch(`${h.url}/console/tenants/cs-e/setup/keyward-byok.tf`, { redirect: 'manual' })).status,
      ).toBe(303);
    });
  },
);
