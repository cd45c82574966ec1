import { createHash } from 'node:crypto';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/index.js';
import type { Access, AnyRoute } from '../../src/http/route-spec.js';
import { BACKENDS } from '../store/backends.js';
import { OPERATOR_TOKEN, startHarness, type Harness } from './harness.js';

/**
 * Who may call what, over real HTTP: every route of `ROUTES` (so a new route is covered by being
 * added there) against every kind of caller, then the cross-tenant, revocation, rate-limit and
 * token-comparison rules one by one.
 */

/** The rate-limit tests need only one store; the matrix runs on both. */
const RATE_LIMIT_BACKEND = BACKENDS[0]!;

const TENANT_A = 'acme';
const TENANT_B = 'globex';
const CMK_ARN = `arn:aws:kms:us-east-1:${CUSTOMER_ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type Response = Awaited<ReturnType<Harness['call']>>;

interface TenantTokens {
  id: string;
  adminToken: string;
  serviceToken: string;
  adminTokenId: string;
  serviceTokenId: string;
}

/** What the tests need from the setup: two tenants, revoked tokens, a token to revoke, ciphertexts. */
interface Fixtures {
  a: TenantTokens;
  b: TenantTokens;
  /** Tokens of A, each used once and then revoked. */
  revokedAdmin: { id: string; token: string };
  revokedService: { id: string; token: string };
  /** A service token of A that no one uses: `DELETE /v1/tokens/:tokenId` targets it. */
  victimTokenId: string;
  /** A ciphertext of tenant A (version 1), for decrypt and rewrap. */
  ciphertextA: string;
  /** A ciphertext of tenant B, which A's tokens must not decrypt. */
  ciphertextB: string;
}

// ---------------------------------------------------------------------------------------------
// Callers and the expected outcome per access level
// ---------------------------------------------------------------------------------------------

type Role =
  | 'none'
  | 'malformed'
  | 'revoked-admin'
  | 'revoked-service'
  | 'other-admin'
  | 'other-service'
  | 'service'
  | 'admin'
  | 'operator';

interface Caller {
  role: Role;
  label: string;
  token(fx: Fixtures): string | null;
}

/**
 * Every caller, the operator last: on a route that changes state (revoking a token, rotating…),
 * the denied calls are made while the target is still as it was, and only then the allowed ones.
 */
const CALLERS: readonly Caller[] = [
  { role: 'none', label: 'no token', token: () => null },
  { role: 'malformed', label: 'a malformed token', token: () => 'kw_not-a-real-token' },
  { role: 'revoked-admin', label: 'a revoked tenant-admin token of A', token: (fx) => fx.revokedAdmin.token },
  { role: 'revoked-service', label: 'a revoked service token of A', token: (fx) => fx.revokedService.token },
  { role: 'other-admin', label: 'the tenant-admin token of B', token: (fx) => fx.b.adminToken },
  { role: 'other-service', label: 'the service token of B', token: (fx) => fx.b.serviceToken },
  { role: 'service', label: 'the service token of A', token: (fx) => fx.a.serviceToken },
  { role: 'admin', label: 'the tenant-admin token of A', token: (fx) => fx.a.adminToken },
  { role: 'operator', label: 'the operator', token: () => OPERATOR_TOKEN },
];

const UNAUTHENTICATED: readonly Role[] = ['none', 'malformed', 'revoked-admin', 'revoked-service'];
const VALID: readonly Role[] = ['operator', 'admin', 'service', 'other-admin', 'other-service'];

/** Who gets past authentication and authorization, per access level (`Record`: every level has a row). */
const ALLOWED: Record<Access, readonly Role[]> = {
  public: CALLERS.map((caller) => caller.role),
  authenticated: VALID,
  operator: ['operator'],
  'tenant-admin': ['operator', 'admin'],
  'tenant-data': ['operator', 'service'],
};

const isKnownAccess = (access: string): access is Access => Object.hasOwn(ALLOWED, access);

type Outcome = 'allowed' | 'unauthenticated' | 'forbidden';

function expectedOutcome(access: string, role: Role): Outcome | undefined {
  if (!isKnownAccess(access)) return undefined;
  if (ALLOWED[access].includes(role)) return 'allowed';
  return UNAUTHENTICATED.includes(role) ? 'unauthenticated' : 'forbidden';
}

const OUTCOME_LABEL: Record<Outcome, string> = {
  allowed: 'allowed (neither 401 nor 403)',
  unauthenticated: '401 KW_UNAUTHENTICATED',
  forbidden: '403 KW_FORBIDDEN',
};

const show = (response: Response) => `${response.status} ${JSON.stringify(response.body)}`;

function expectAllowed(response: Response): void {
  expect([401, 403], `refused: ${show(response)}`).not.toContain(response.status);
  expect(response.status, `server error: ${show(response)}`).toBeLessThan(500);
}

function expectUnauthenticated(response: Response): void {
  expect(response.status, show(response)).toBe(401);
  expect(response.body).toEqual({ code: 'KW_UNAUTHENTICATED', message: expect.any(String) });
}

function expectForbidden(response: Response): void {
  expect(response.status, show(response)).toBe(403);
  expect(response.body).toEqual({ code: 'KW_FORBIDDEN', message: expect.any(String) });
}

const EXPECT: Record<Outcome, (response: Response) => void> = {
  allowed: expectAllowed,
  unauthenticated: expectUnauthenticated,
  forbidden: expectForbidden,
};

// ---------------------------------------------------------------------------------------------
// Requests: the path of a route and a body that passes validation without doing harm
// ---------------------------------------------------------------------------------------------

/** The path parameters the matrix fills in, and with what. */
const PATH_PARAMS = ['tenantId', 'tokenId', 'jobId'] as const;

function pathParams(fx: Fixtures, tenant: string): Record<(typeof PATH_PARAMS)[number], string> {
  // No such job: an allowed caller gets 404, a refused one 401 or 403 all the same.
  return { tenantId: tenant, tokenId: fx.victimTokenId, jobId: 'job_00000000-0000-4000-8000-000000000000' };
}

const paramNames = (url: string): string[] => [...url.matchAll(/:(\w+)/g)].map((match) => match[1]!);

function pathOf(spec: AnyRoute, fx: Fixtures, tenant = TENANT_A): string {
  const values: Record<string, string> = pathParams(fx, tenant);
  return spec.url.replace(/:(\w+)/g, (whole, name: string) => values[name] ?? whole);
}

const routeKey = (spec: AnyRoute) => `${spec.method} ${spec.url}`;

/**
 * Bodies for the routes that need one, chosen so that an allowed call does no harm to the rows
 * after it: a duplicate tenant (409), ARNs the service refuses (400), a CMK switch the state
 * refuses (409), floors that are already so. A route not listed gets `{}` if it takes a body.
 */
const SAMPLE_BODIES: Record<string, (fx: Fixtures) => unknown> = {
  'POST /v1/tenants': () => ({ id: TENANT_A, name: 'Acme, again' }),
  'POST /v1/tenants/:tenantId/tokens': () => ({ kind: 'service' }),
  'PUT /v1/tenants/:tenantId/byok/config': () => ({ roleArn: 'not-a-role-arn', cmkArn: 'not-a-key-arn' }),
  'POST /v1/tenants/:tenantId/byok/switch-cmk': () => ({ cmkArn: CMK_ARN }),
  'POST /v1/platform/root-key/rotate': () => ({ keyArn: 'not-a-key-arn' }),
  'PUT /v1/tenants/:tenantId/keys/floors': () => ({ minDecryptionVersion: 1 }),
  'POST /v1/tenants/:tenantId/encrypt': () => ({ items: [{ text: 'x' }] }),
  'POST /v1/tenants/:tenantId/decrypt': (fx) => ({ items: [{ ciphertext: fx.ciphertextA }] }),
  'POST /v1/tenants/:tenantId/rewrap': (fx) => ({ items: [{ ciphertext: fx.ciphertextA }] }),
  'POST /v1/tenants/:tenantId/datakey': () => ({ items: [{}] }),
};

function sampleBody(spec: AnyRoute, fx: Fixtures): { body?: unknown } {
  const sample = SAMPLE_BODIES[routeKey(spec)];
  if (sample !== undefined) return { body: sample(fx) };
  return spec.body === undefined ? {} : { body: {} };
}

// ---------------------------------------------------------------------------------------------
// Setup helpers
// ---------------------------------------------------------------------------------------------

async function ok(response: Promise<Response>, status: number, what: string): Promise<Response> {
  const result = await response;
  if (result.status !== status) throw new Error(`${what}: ${show(result)}`);
  return result;
}

async function issueToken(
  h: Harness,
  tenant: string,
  kind: 'tenant-admin' | 'service',
): Promise<{ id: string; token: string }> {
  const issued = await ok(
    h.call('POST', `/v1/tenants/${tenant}/tokens`, { body: { kind } }),
    201,
    `issue a ${kind} token for ${tenant}`,
  );
  return { id: issued.body.id, token: issued.body.token };
}

async function revokeToken(h: Harness, id: string): Promise<void> {
  await ok(h.call('DELETE', `/v1/tokens/${id}`), 200, `revoke token ${id}`);
}

/** A tenant with its two tokens, and their ids (from the token list, as the operator). */
async function tenantWithIds(h: Harness, id: string): Promise<TenantTokens> {
  const tenant = await h.tenant(id);
  const list = await ok(h.call('GET', `/v1/tenants/${id}/tokens`), 200, `list tokens of ${id}`);
  const idOf = (kind: string): string =>
    (list.body.tokens as Array<{ id: string; kind: string }>).find((token) => token.kind === kind)!.id;
  return { ...tenant, adminTokenId: idOf('tenant-admin'), serviceTokenId: idOf('service') };
}

async function encryptOne(h: Harness, tenant: TenantTokens, text: string): Promise<string> {
  const encrypted = await ok(
    h.call('POST', `/v1/tenants/${tenant.id}/encrypt`, {
      token: tenant.serviceToken,
      body: { items: [{ text }] },
    }),
    200,
    `encrypt for ${tenant.id}`,
  );
  return encrypted.body.results[0].ciphertext;
}

interface AuditEventView {
  id: string;
  tenantId: string | null;
  actor: string;
  operation: string;
  details: Record<string, unknown>;
}

/** Every audit event of a tenant, all pages, as the operator. */
async function auditOf(h: Harness, tenant: string): Promise<AuditEventView[]> {
  const events: AuditEventView[] = [];
  let before: string | null = null;
  do {
    const page = await ok(
      h.call('GET', `/v1/audit?tenantId=${tenant}&limit=500${before === null ? '' : `&before=${before}`}`),
      200,
      `audit of ${tenant}`,
    );
    events.push(...(page.body.events as AuditEventView[]));
    before = page.body.next;
  } while (before !== null);
  return events;
}

/** What the operator sees of a tenant: its record, keys and tokens. */
async function snapshot(
  h: Harness,
  tenant: string,
): Promise<{ tenant: unknown; keys: unknown; tokens: unknown }> {
  const [view, keys, tokens] = await Promise.all([
    ok(h.call('GET', `/v1/tenants/${tenant}`), 200, `get ${tenant}`),
    ok(h.call('GET', `/v1/tenants/${tenant}/keys`), 200, `keys of ${tenant}`),
    ok(h.call('GET', `/v1/tenants/${tenant}/tokens`), 200, `tokens of ${tenant}`),
  ]);
  return { tenant: view.body, keys: keys.body, tokens: tokens.body };
}

/** The same token with the character at `index` replaced by another of the token alphabet. */
function flip(token: string, index: number): string {
  const at = index < 0 ? token.length + index : index;
  const replacement = token[at] === 'A' ? 'B' : 'A';
  return `${token.slice(0, at)}${replacement}${token.slice(at + 1)}`;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

for (const BACKEND of BACKENDS) {
  describe.skipIf(!BACKEND.available)(`authorization over HTTP, on ${BACKEND.name}`, () => {
    let h: Harness;
    let fx: Fixtures;
    let snapshotB: Awaited<ReturnType<typeof snapshot>>;
    let auditIdsB: string[];

    beforeAll(async () => {
      h = await startHarness(BACKEND);
      const a = await tenantWithIds(h, TENANT_A);
      const b = await tenantWithIds(h, TENANT_B);
      const revokedAdmin = await issueToken(h, TENANT_A, 'tenant-admin');
      const revokedService = await issueToken(h, TENANT_A, 'service');
      // Used once before being revoked, so that a cached authentication would show.
      await ok(
        h.call('GET', `/v1/tenants/${TENANT_A}`, { token: revokedAdmin.token }),
        200,
        'use the tenant-admin token to revoke',
      );
      await ok(
        h.call('POST', `/v1/tenants/${TENANT_A}/encrypt`, {
          token: revokedService.token,
          body: { items: [{ text: 'x' }] },
        }),
        200,
        'use the service token to revoke',
      );
      await revokeToken(h, revokedAdmin.id);
      await revokeToken(h, revokedService.id);
      const victim = await issueToken(h, TENANT_A, 'service');
      fx = {
        a,
        b,
        revokedAdmin,
        revokedService,
        victimTokenId: victim.id,
        ciphertextA: await encryptOne(h, a, 'a secret of A'),
        ciphertextB: await encryptOne(h, b, 'a secret of B'),
      };
      snapshotB = await snapshot(h, TENANT_B);
      auditIdsB = (await auditOf(h, TENANT_B)).map((event) => event.id);
    }, 60_000);
    afterAll(async () => h?.close());

    describe('the route table', () => {
      it('has routes, each with a known access level', () => {
        expect(ROUTES.length).toBeGreaterThan(0);
        const unknown = ROUTES.filter((spec) => !isKnownAccess(spec.access)).map(
          (spec) => `${routeKey(spec)}: ${String(spec.access)}`,
        );
        expect(unknown).toEqual([]);
      });

      it('has only path parameters the matrix knows how to fill in', () => {
        const known: readonly string[] = PATH_PARAMS;
        const unknown = ROUTES.flatMap((spec) =>
          paramNames(spec.url)
            .filter((name) => !known.includes(name))
            .map((name) => `${routeKey(spec)}: :${name}`),
        );
        expect(unknown).toEqual([]);
      });

      it('has sample bodies only for routes that exist', () => {
        const keys = new Set(ROUTES.map(routeKey));
        expect(Object.keys(SAMPLE_BODIES).filter((key) => !keys.has(key))).toEqual([]);
      });
    });

    describe('the matrix: every route × every caller', () => {
      for (const spec of ROUTES) {
        describe(`${routeKey(spec)} (${spec.access})`, () => {
          for (const caller of CALLERS) {
            const outcome = expectedOutcome(spec.access, caller.role);
            it(`${caller.label}: ${outcome === undefined ? 'unknown access level' : OUTCOME_LABEL[outcome]}`, async () => {
              expect(outcome, `unknown access level ${String(spec.access)}`).toBeDefined();
              const response = await h.call(spec.method, pathOf(spec, fx), {
                token: caller.token(fx),
                ...sampleBody(spec, fx),
              });
              EXPECT[outcome!](response);
            });
          }
        });
      }
    });

    describe('a token of tenant A never reads or changes tenant B', () => {
      const admin = () => ({ token: fx.a.adminToken });
      const service = () => ({ token: fx.a.serviceToken });

      it("A's tenant-admin token: 403 on B's tenant, BYOK configuration and audit", async () => {
        expectForbidden(await h.call('GET', `/v1/tenants/${TENANT_B}`, admin()));
        const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/keyward-byok-hijack`;
        expectForbidden(
          await h.call('PUT', `/v1/tenants/${TENANT_B}/byok/config`, {
            ...admin(),
            body: { roleArn, cmkArn: CMK_ARN },
          }),
        );
        expectForbidden(await h.call('GET', `/v1/tenants/${TENANT_B}/audit`, admin()));
      });

      it("A's service token: 403 on B's encrypt and decrypt (even with B's own ciphertext)", async () => {
        expectForbidden(
          await h.call('POST', `/v1/tenants/${TENANT_B}/encrypt`, {
            ...service(),
            body: { items: [{ text: 'x' }] },
          }),
        );
        expectForbidden(
          await h.call('POST', `/v1/tenants/${TENANT_B}/decrypt`, {
            ...service(),
            body: { items: [{ ciphertext: fx.ciphertextB }] },
          }),
        );
      });

      for (const spec of ROUTES.filter((route) => paramNames(route.url).includes('tenantId'))) {
        it(`${routeKey(spec)} on B: 403 for both of A's tokens`, async () => {
          for (const token of [fx.a.adminToken, fx.a.serviceToken]) {
            expectForbidden(
              await h.call(spec.method, pathOf(spec, fx, TENANT_B), { token, ...sampleBody(spec, fx) }),
            );
          }
        });
      }

      it('a tenant that does not exist is 403 too for a tenant token (no existence leak), 404 for the operator', async () => {
        const missing = await h.call('GET', '/v1/tenants/nonexistent', admin());
        expectForbidden(missing);
        // The same answer as for a tenant that exists.
        expect(missing.body).toEqual((await h.call('GET', `/v1/tenants/${TENANT_B}`, admin())).body);
        expectForbidden(
          await h.call('POST', '/v1/tenants/nonexistent/encrypt', {
            ...service(),
            body: { items: [{ text: 'x' }] },
          }),
        );
        const byOperator = await h.call('GET', '/v1/tenants/nonexistent');
        expect(byOperator.status).toBe(404);
        expect(byOperator.body.code).toBe('KW_TENANT_NOT_FOUND');
      });
    });

    describe('denied requests changed nothing', () => {
      it("tenant B's record, keys, tokens and audit are as before the matrix", async () => {
        expect(await snapshot(h, TENANT_B)).toEqual(snapshotB);
        expect((await auditOf(h, TENANT_B)).map((event) => event.id)).toEqual(auditIdsB);
      });

      it("no event on tenant A names B's tokens; every actor is the operator or a token of A", async () => {
        const events = await auditOf(h, TENANT_A);
        expect(events.length).toBeGreaterThan(0);
        const actors = new Set(events.map((event) => event.actor));
        for (const actor of [`tenant-admin:${fx.b.adminTokenId}`, `service:${fx.b.serviceTokenId}`])
          expect(actors.has(actor), actor).toBe(false);
        const expected = [
          'operator',
          `tenant-admin:${fx.a.adminTokenId}`,
          `service:${fx.a.serviceTokenId}`,
          `tenant-admin:${fx.revokedAdmin.id}`,
          `service:${fx.revokedService.id}`,
        ];
        expect([...actors].filter((actor) => !expected.includes(actor))).toEqual([]);
      });

      it('a revoked token caused no event after its revocation', async () => {
        const events = await auditOf(h, TENANT_A);
        for (const [kind, token] of [
          ['tenant-admin', fx.revokedAdmin],
          ['service', fx.revokedService],
        ] as const) {
          const revocation = events.find(
            (event) => event.operation === 'token.revoke' && event.details.tokenId === token.id,
          );
          expect(revocation, `revocation of ${kind} token`).toBeDefined();
          const later = events.filter(
            (event) => event.actor === `${kind}:${token.id}` && BigInt(event.id) > BigInt(revocation!.id),
          );
          expect(later).toEqual([]);
        }
      });

      it('the token targeted by DELETE /v1/tokens/:tokenId was revoked once, by the operator', async () => {
        const revocations = (await auditOf(h, TENANT_A)).filter(
          (event) => event.operation === 'token.revoke' && event.details.tokenId === fx.victimTokenId,
        );
        expect(revocations.map((event) => event.actor)).toEqual(['operator']);
      });

      it('the audit chain still verifies', async () => {
        const verified = await h.call('GET', '/v1/audit/verify');
        expect(verified.body).toMatchObject({ ok: true });
      });
    });

    describe('revocation', () => {
      const encrypt = (token: string) =>
        h.call('POST', `/v1/tenants/${TENANT_A}/encrypt`, { token, body: { items: [{ text: 'x' }] } });

      it('a service token works until revoked, then is 401; revoking it again is 404', async () => {
        const issued = await h.call('POST', `/v1/tenants/${TENANT_A}/tokens`, { body: { kind: 'service' } });
        expect(issued.status).toBe(201);
        expect(issued.body).toMatchObject({
          kind: 'service',
          tenantId: TENANT_A,
          id: expect.any(String),
          token: expect.stringMatching(/^kws_/),
        });
        expect((await encrypt(issued.body.token)).status).toBe(200);

        const revoked = await h.call('DELETE', `/v1/tokens/${issued.body.id}`);
        expect(revoked.status).toBe(200);
        expect(revoked.body).toEqual({ revoked: true });
        expectUnauthenticated(await encrypt(issued.body.token));

        const again = await h.call('DELETE', `/v1/tokens/${issued.body.id}`);
        expect(again.status).toBe(404);
        expect(again.body.code).toBe('KW_NOT_FOUND');

        const listed = await h.call('GET', `/v1/tenants/${TENANT_A}/tokens`);
        const entry = (listed.body.tokens as Array<{ id: string; revokedAt: string | null }>).find(
          (token) => token.id === issued.body.id,
        );
        expect(entry?.revokedAt).toEqual(expect.any(String));
      });

      it('revoking a token that never existed is 404; a token id that is not a UUID is 400', async () => {
        const unknown = await h.call('DELETE', '/v1/tokens/00000000-0000-4000-8000-000000000000');
        expect(unknown.status).toBe(404);
        expect(unknown.body.code).toBe('KW_NOT_FOUND');
        const malformed = await h.call('DELETE', '/v1/tokens/not-a-uuid');
        expect(malformed.status).toBe(400);
        expect(malformed.body.code).toBe('KW_INVALID_ARGUMENT');
      });

      it('the token list never contains the tokens (nor their hashes)', async () => {
        const listed = await h.call('GET', `/v1/tenants/${TENANT_A}/tokens`);
        expect(listed.status).toBe(200);
        const tokens = listed.body.tokens as Array<Record<string, unknown>>;
        expect(tokens.length).toBeGreaterThanOrEqual(2);
        for (const token of tokens)
          expect(Object.keys(token).sort()).toEqual(['createdAt', 'id', 'kind', 'revokedAt', 'tenantId']);
        const text = JSON.stringify(listed.body);
        for (const secret of [
          fx.a.adminToken,
          fx.a.serviceToken,
          fx.revokedAdmin.token,
          fx.revokedService.token,
        ]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(sha256(secret));
          expect(text).not.toContain(secret.slice(4));
        }
      });
    });

    describe('tokens are compared exactly', () => {
      const encrypt = (token: string) =>
        h.call('POST', `/v1/tenants/${TENANT_A}/encrypt`, { token, body: { items: [{ text: 'x' }] } });

      it('a service token differing in one character is 401, wherever the character is', async () => {
        const token = fx.a.serviceToken;
        expect((await encrypt(token)).status).toBe(200);
        for (const index of [4, Math.floor(token.length / 2), -1])
          expectUnauthenticated(await encrypt(flip(token, index)));
        // The same secret under the other kind's prefix is another token.
        expectUnauthenticated(await encrypt(`kwa_${token.slice(4)}`));
      });

      it('the operator token differing in one character, or cut short or extended, is 401', async () => {
        for (const token of [
          flip(OPERATOR_TOKEN, 0),
          flip(OPERATOR_TOKEN, -1),
          OPERATOR_TOKEN.slice(0, -1),
          `${OPERATOR_TOKEN}0`,
        ]) {
          expectUnauthenticated(await h.call('GET', '/v1/tenants', { token }));
        }
        expect((await h.call('GET', '/v1/tenants')).status).toBe(200);
      });

      it('a token outside the Bearer scheme is 401', async () => {
        expectUnauthenticated(
          await h.call('GET', '/v1/tenants', { token: null, headers: { authorization: OPERATOR_TOKEN } }),
        );
        expectUnauthenticated(
          await h.call('GET', '/v1/tenants', {
            token: null,
            headers: { authorization: `Basic ${OPERATOR_TOKEN}` },
          }),
        );
        expectUnauthenticated(await h.call('GET', '/v1/tenants', { token: '' }));
      });
    });
  });
}

describe.skipIf(!RATE_LIMIT_BACKEND.available)(
  `per-token rate limit over HTTP, on ${RATE_LIMIT_BACKEND.name}`,
  () => {
    let h: Harness;
    let tenant: { id: string; adminToken: string; serviceToken: string };

    beforeAll(async () => {
      h = await startHarness(RATE_LIMIT_BACKEND, { rateLimit: { requestsPerSecond: 1, burst: 3 } });
      // Three operator requests: the operator's burst, spent here.
      tenant = await h.tenant(TENANT_A);
    }, 60_000);
    afterAll(async () => h?.close());

    it('lets a burst through, then answers 429 KW_RATE_LIMITED with Retry-After; another token is not limited', async () => {
      for (let i = 0; i < 3; i += 1)
        expect(
          (await h.call('GET', '/v1/platform', { token: tenant.adminToken })).status,
          `request ${i + 1}`,
        ).toBe(200);
      const limited = await h.call('GET', '/v1/platform', { token: tenant.adminToken });
      expect(limited.status).toBe(429);
      expect(limited.body).toMatchObject({ code: 'KW_RATE_LIMITED', message: expect.any(String) });
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.body.details.retryAfterSeconds).toBeGreaterThanOrEqual(1);

      const other = await h.call('GET', '/v1/platform', { token: tenant.serviceToken });
      expect(other.status).toBe(200);
    });

    it('does not limit public routes, which have no token to count', async () => {
      for (let i = 0; i < 5; i += 1)
        expect((await h.call('GET', '/healthz', { token: null })).status).toBe(200);
    });
  },
);
