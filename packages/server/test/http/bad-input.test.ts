import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/http/api-routes.js';
import { BACKENDS } from '../store/backends.js';
import { startHarness, type Harness } from './harness.js';

/**
 * The rule for bad input over HTTP: every body and parameter is validated by schema;
 * oversize bodies are 413; an unknown tenant is 404; a transition not allowed from the current
 * state is 409 with that state; an invalid ciphertext is 400 with the core's code; errors are
 * JSON `{ code, message }`; and a client's mistake is never a 500 nor shows a stack trace.
 */

const backend = BACKENDS[0]!;
const ROLE_ARN = 'arn:aws:iam::444455556666:role/keyward-byok';
const CMK_ARN = 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';

// The harness parses the body for the tests to assert on; its shape is what is under test.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Response = { status: number; body: any; headers: Headers };

/** Nothing of the server's insides: no stack, no stack frame, no file path. */
function expectNoLeak(response: Response): void {
  const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body ?? '');
  expect(text).not.toMatch(/stack/i);
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain('/work/');
  expect(text).not.toContain('node_modules');
  expect(text).not.toContain('file://');
}

/** A JSON error body `{ code, message, details? }` with this status and code. */
function expectError(response: Response, status: number, code: string): void {
  expect({ status: response.status, code: response.body?.code }, JSON.stringify(response.body)).toEqual({
    status,
    code,
  });
  expect(response.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  expect(typeof response.body.message).toBe('string');
  expect(response.body.message.length).toBeGreaterThan(0);
  expectNoLeak(response);
}

/** The schema problems of a KW_INVALID_ARGUMENT answer. */
function problemsOf(response: Response): Array<{ field: string; problem: string }> {
  expect(Array.isArray(response.body?.details?.problems), JSON.stringify(response.body)).toBe(true);
  return response.body.details.problems as Array<{ field: string; problem: string }>;
}

describe.skipIf(!backend.available)(`bad input over HTTP, on ${backend.name}`, () => {
  let h: Harness;
  let acme: { id: string; adminToken: string; serviceToken: string };

  beforeAll(async () => {
    h = await startHarness(backend, { limits: { bodyBytes: 4096, batchItems: 5 } });
    acme = await h.tenant('acme');
  }, 60_000);
  afterAll(async () => h?.close());

  const service = () => ({ token: acme.serviceToken });

  describe('bodies', () => {
    it('malformed JSON is 400 KW_INVALID_ARGUMENT', async () => {
      for (const raw of ['{', '{"id": "x",}', '{id: "x"}', 'nul', '{"items": [}', '\u0000']) {
        const response = await h.call('POST', '/v1/tenants', { raw });
        expectError(response, 400, 'KW_INVALID_ARGUMENT');
        expect(response.body.message).toMatch(/JSON/);
      }
      expectError(
        await h.call('POST', '/v1/tenants/acme/encrypt', { ...service(), raw: '{"items": [{"text": "x"}' }),
        400,
        'KW_INVALID_ARGUMENT',
      );
    });

    it('a body that is not JSON (text/plain, XML, none) is a 4xx JSON error with a code', async () => {
      const plain = await h.call('POST', '/v1/tenants', {
        raw: 'id=acme2&name=Acme',
        headers: { 'content-type': 'text/plain' },
      });
      expect(plain.status).toBeGreaterThanOrEqual(400);
      expect(plain.status).toBeLessThan(500);
      expectError(plain, plain.status, 'KW_INVALID_ARGUMENT');

      // Even a JSON text sent as text/plain is not taken for JSON.
      const jsonAsText = await h.call('POST', '/v1/tenants', {
        raw: JSON.stringify({ id: 'acme2', name: 'Acme' }),
        headers: { 'content-type': 'text/plain' },
      });
      expect(jsonAsText.status).toBeGreaterThanOrEqual(400);
      expect(jsonAsText.status).toBeLessThan(500);
      expectError(jsonAsText, jsonAsText.status, 'KW_INVALID_ARGUMENT');
      expect((await h.call('GET', '/v1/tenants/acme2')).status).toBe(404);

      const xml = await h.call('POST', '/v1/tenants', {
        raw: '<tenant id="acme2"/>',
        headers: { 'content-type': 'application/xml' },
      });
      expect(xml.status).toBeGreaterThanOrEqual(400);
      expect(xml.status).toBeLessThan(500);
      expectError(xml, xml.status, 'KW_INVALID_ARGUMENT');

      expectError(await h.call('POST', '/v1/tenants'), 400, 'KW_INVALID_ARGUMENT');
      expectError(await h.call('POST', '/v1/tenants', { raw: '' }), 400, 'KW_INVALID_ARGUMENT');
      expectError(await h.call('POST', '/v1/tenants', { raw: '   ' }), 400, 'KW_INVALID_ARGUMENT');
    });

    it('a body that is not an object is 400', async () => {
      for (const body of [null, 42, 'acme', true, [], [{ id: 'acme2', name: 'Acme' }]]) {
        expectError(await h.call('POST', '/v1/tenants', { body }), 400, 'KW_INVALID_ARGUMENT');
        expectError(
          await h.call('POST', '/v1/tenants/acme/encrypt', { ...service(), body }),
          400,
          'KW_INVALID_ARGUMENT',
        );
        expectError(
          await h.call('PUT', '/v1/tenants/acme/byok/config', { body }),
          400,
          'KW_INVALID_ARGUMENT',
        );
      }
    });

    // zod reports an unknown key on the object that holds it; the answer must still name the key.
    const unknownFields: Array<{ method: string; path: string; body: unknown; field: string }> = [
      {
        method: 'POST',
        path: '/v1/tenants',
        body: { id: 'acme2', name: 'Acme', color: 'red' },
        field: 'color',
      },
      {
        method: 'POST',
        path: '/v1/tenants/acme/tokens',
        body: { kind: 'service', scope: 'all' },
        field: 'scope',
      },
      {
        method: 'PUT',
        path: '/v1/tenants/acme/byok/config',
        body: { roleArn: ROLE_ARN, cmkArn: CMK_ARN, region: 'us-east-1' },
        field: 'region',
      },
      {
        method: 'PUT',
        path: '/v1/tenants/acme/keys/floors',
        body: { minDecryptionVersion: 1, maxVersion: 3 },
        field: 'maxVersion',
      },
      {
        method: 'POST',
        path: '/v1/tenants/acme/encrypt',
        body: { items: [{ text: 'x' }], mode: 'fast' },
        field: 'mode',
      },
      {
        method: 'POST',
        path: '/v1/tenants/acme/encrypt',
        body: { items: [{ text: 'x', aad: 'y' }] },
        field: 'aad',
      },
      {
        method: 'POST',
        path: '/v1/tenants/acme/decrypt',
        body: { items: [{ ciphertext: 'kw1:AAAA', encoding: 'utf8' }] },
        field: 'encoding',
      },
    ];
    it('an unknown field is 400, and details.problems[].field names it (schemas are strict)', async () => {
      const unnamed: string[] = [];
      for (const c of unknownFields) {
        const response = await h.call(c.method, c.path, { body: c.body });
        expectError(response, 400, 'KW_INVALID_ARGUMENT');
        const problems = problemsOf(response);
        expect(
          problems.some((p) => p.problem.includes(`"${c.field}"`) || p.field.split('.').includes(c.field)),
          JSON.stringify(problems),
        ).toBe(true);
        if (!problems.some((p) => p.field.split('.').includes(c.field)))
          unnamed.push(`${c.method} ${c.path} "${c.field}": ${JSON.stringify(problems)}`);
      }
      expect(unnamed, 'requests whose details.problems[].field does not name the unknown field').toEqual([]);
    });

    it('refused bodies change nothing', async () => {
      expect((await h.call('GET', '/v1/tenants/acme2')).status).toBe(404);
      expect((await h.call('GET', '/v1/tenants/acme/tokens')).body.tokens).toHaveLength(2);
    });

    it('a field of the wrong type is 400, and the problem names the field', async () => {
      const cases: Array<{ method: string; path: string; body: unknown; field: string }> = [
        { method: 'POST', path: '/v1/tenants', body: { id: 42, name: 'Acme' }, field: 'body.id' },
        { method: 'POST', path: '/v1/tenants', body: { id: 'acme2', name: ['Acme'] }, field: 'body.name' },
        { method: 'POST', path: '/v1/tenants/acme/tokens', body: { kind: 'root' }, field: 'body.kind' },
        {
          method: 'PUT',
          path: '/v1/tenants/acme/byok/config',
          body: { roleArn: ROLE_ARN, cmkArn: 7 },
          field: 'body.cmkArn',
        },
        {
          method: 'PUT',
          path: '/v1/tenants/acme/keys/floors',
          body: { minDecryptionVersion: '2' },
          field: 'body.minDecryptionVersion',
        },
        {
          method: 'PUT',
          path: '/v1/tenants/acme/keys/floors',
          body: { minDecryptionVersion: 1.5 },
          field: 'body.minDecryptionVersion',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/encrypt',
          body: { items: { text: 'x' } },
          field: 'body.items',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/encrypt',
          body: { items: [{ text: 1 }] },
          field: 'body.items.0.text',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/encrypt',
          body: { items: [{ text: 'x', keyVersion: 0 }] },
          field: 'body.items.0.keyVersion',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/decrypt',
          body: { items: [{ ciphertext: 'kw1:AAAA' }], encoding: 'hex' },
          field: 'body.encoding',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/datakey',
          body: { items: [{ bytes: 8 }] },
          field: 'body.items.0.bytes',
        },
      ];
      for (const c of cases) {
        const response = await h.call(c.method, c.path, { body: c.body });
        expectError(response, 400, 'KW_INVALID_ARGUMENT');
        expect(
          problemsOf(response).map((p) => p.field),
          `${c.method} ${c.path}`,
        ).toContain(c.field);
      }
    });

    it('a missing required field is 400, and the problem names the field', async () => {
      const cases: Array<{ method: string; path: string; body: unknown; field: string }> = [
        { method: 'POST', path: '/v1/tenants', body: { name: 'Acme' }, field: 'body.id' },
        { method: 'POST', path: '/v1/tenants', body: { id: 'acme2' }, field: 'body.name' },
        { method: 'POST', path: '/v1/tenants/acme/tokens', body: {}, field: 'body.kind' },
        {
          method: 'PUT',
          path: '/v1/tenants/acme/byok/config',
          body: { roleArn: ROLE_ARN },
          field: 'body.cmkArn',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/byok/switch-cmk',
          body: { roleArn: ROLE_ARN },
          field: 'body.cmkArn',
        },
        { method: 'POST', path: '/v1/tenants/acme/encrypt', body: {}, field: 'body.items' },
        {
          method: 'POST',
          path: '/v1/tenants/acme/decrypt',
          body: { items: [{}] },
          field: 'body.items.0.ciphertext',
        },
        {
          method: 'POST',
          path: '/v1/tenants/acme/rewrap',
          body: { items: [{ context: { a: 'b' } }] },
          field: 'body.items.0.ciphertext',
        },
      ];
      for (const c of cases) {
        const response = await h.call(c.method, c.path, { body: c.body });
        expectError(response, 400, 'KW_INVALID_ARGUMENT');
        expect(
          problemsOf(response).map((p) => p.field),
          `${c.method} ${c.path}`,
        ).toContain(c.field);
      }
    });
  });

  describe('path parameters and tenants', () => {
    it('an invalid tenant id in the path is 400 KW_INVALID_ARGUMENT', async () => {
      for (const id of [
        'bad%20id',
        '-leading-dash',
        '.hidden',
        '%E2%9C%93',
        'a%2Fb',
        'a%00b',
        'x'.repeat(99) + '!',
      ]) {
        for (const suffix of ['', '/byok', '/byok/kit', '/keys', '/audit']) {
          const response = await h.call('GET', `/v1/tenants/${id}${suffix}`);
          expectError(response, 400, 'KW_INVALID_ARGUMENT');
          expect(problemsOf(response).map((p) => p.field)).toContain('params.tenantId');
        }
        expectError(
          await h.call('POST', `/v1/tenants/${id}/encrypt`, { body: { items: [{ text: 'x' }] } }),
          400,
          'KW_INVALID_ARGUMENT',
        );
      }
      // An invalid id in a create body is refused the same way.
      expectError(
        await h.call('POST', '/v1/tenants', { body: { id: 'x'.repeat(200), name: 'Long' } }),
        400,
        'KW_INVALID_ARGUMENT',
      );
      expectError(
        await h.call('POST', '/v1/tenants', { body: { id: 'x'.repeat(129), name: 'Long' } }),
        400,
        'KW_INVALID_ARGUMENT',
      );
      expectError(
        await h.call('POST', '/v1/tenants', { body: { id: 'bad id', name: 'Space' } }),
        400,
        'KW_INVALID_ARGUMENT',
      );
    });

    it('a 200-character tenant id in the path is 400 KW_INVALID_ARGUMENT', async () => {
      const id = 'x'.repeat(200);
      for (const [method, suffix] of [
        ['GET', ''],
        ['GET', '/byok'],
        ['GET', '/keys'],
        ['POST', '/encrypt'],
      ] as const) {
        const response = await h.call(
          method,
          `/v1/tenants/${id}${suffix}`,
          method === 'POST' ? { body: { items: [{ text: 'x' }] } } : {},
        );
        expectError(response, 400, 'KW_INVALID_ARGUMENT');
      }
    });

    it('a 200-character token id in the path is 400 KW_INVALID_ARGUMENT', async () => {
      expectError(await h.call('DELETE', `/v1/tokens/${'x'.repeat(200)}`), 400, 'KW_INVALID_ARGUMENT');
    });

    it('a tenant with the longest valid id (128 characters) is reachable on its routes', async () => {
      const id = `L${'x'.repeat(127)}`;
      const created = await h.call('POST', '/v1/tenants', { body: { id, name: 'Longest id' } });
      expect(created.status).toBe(201);
      const fetched = await h.call('GET', `/v1/tenants/${id}`);
      expect(fetched.status, JSON.stringify(fetched.body)).toBe(200);
      expect(fetched.body.id).toBe(id);
      expect((await h.call('GET', `/v1/tenants/${id}/keys`)).status).toBe(200);
    });

    it('a malformed percent-encoding in the path is 400 KW_INVALID_ARGUMENT', async () => {
      for (const path of ['/v1/tenants/%E0%A4%A', '/v1/tenants/%zz', '/v1/tenants/acme%/keys']) {
        expectError(await h.call('GET', path), 400, 'KW_INVALID_ARGUMENT');
      }
    });

    it('an invalid token id in the path is 400, an unknown one 404', async () => {
      expectError(await h.call('DELETE', '/v1/tokens/not-a-uuid'), 400, 'KW_INVALID_ARGUMENT');
      expectError(await h.call('DELETE', `/v1/tokens/${randomUUID()}`), 404, 'KW_NOT_FOUND');
    });

    it('an unknown tenant is 404 KW_TENANT_NOT_FOUND on every tenant-scoped route family', async () => {
      const cases: Array<[string, string, unknown?]> = [
        ['GET', '/v1/tenants/nobody'],
        ['GET', '/v1/tenants/nobody/byok'],
        ['GET', '/v1/tenants/nobody/byok/kit'],
        ['POST', '/v1/tenants/nobody/byok/external-id'],
        ['PUT', '/v1/tenants/nobody/byok/config', { roleArn: ROLE_ARN, cmkArn: CMK_ARN }],
        ['POST', '/v1/tenants/nobody/byok/test'],
        ['POST', '/v1/tenants/nobody/byok/enable'],
        ['POST', '/v1/tenants/nobody/byok/revert'],
        ['GET', '/v1/tenants/nobody/keys'],
        ['POST', '/v1/tenants/nobody/keys/rotate'],
        ['PUT', '/v1/tenants/nobody/keys/floors', { minDecryptionVersion: 1 }],
        ['GET', '/v1/tenants/nobody/tokens'],
        ['POST', '/v1/tenants/nobody/tokens', { kind: 'service' }],
        ['GET', '/v1/tenants/nobody/audit'],
        ['POST', '/v1/tenants/nobody/encrypt', { items: [{ text: 'x' }] }],
        ['POST', '/v1/tenants/nobody/datakey', { items: [{}] }],
      ];
      for (const [method, path, body] of cases) {
        const response = await h.call(method, path, body === undefined ? {} : { body });
        expect(response.status, `${method} ${path}: ${JSON.stringify(response.body)}`).toBe(404);
        expectError(response, 404, 'KW_TENANT_NOT_FOUND');
      }
    });
  });

  describe('sizes', () => {
    it('a body larger than limits.bodyBytes is 413 KW_BODY_TOO_LARGE', async () => {
      const big = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: [{ text: 'x'.repeat(5000) }] },
      });
      expectError(big, 413, 'KW_BODY_TOO_LARGE');
      const bigCreate = await h.call('POST', '/v1/tenants', { body: { id: 'big', name: 'n'.repeat(8000) } });
      expectError(bigCreate, 413, 'KW_BODY_TOO_LARGE');
      // Just under the limit is read (and then judged by the schema).
      const under = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: [{ text: 'x'.repeat(3000) }] },
      });
      expect(under.status).toBe(200);
    });

    it('more items than limits.batchItems is 413 KW_BATCH_TOO_LARGE; no items is 400', async () => {
      const six = Array.from({ length: 6 }, (_, i) => ({ text: `item ${i}` }));
      const tooMany = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: six },
      });
      expectError(tooMany, 413, 'KW_BATCH_TOO_LARGE');
      expect(tooMany.body.details).toMatchObject({ limit: 5, items: 6 });
      expectError(
        await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: six.map(() => ({ ciphertext: 'kw1:AAAA' })) },
        }),
        413,
        'KW_BATCH_TOO_LARGE',
      );
      expectError(
        await h.call('POST', '/v1/tenants/acme/rewrap', {
          ...service(),
          body: { items: six.map(() => ({ ciphertext: 'kw1:AAAA' })) },
        }),
        413,
        'KW_BATCH_TOO_LARGE',
      );
      expectError(
        await h.call('POST', '/v1/tenants/acme/datakey', {
          ...service(),
          body: { items: six.map(() => ({})) },
        }),
        413,
        'KW_BATCH_TOO_LARGE',
      );
      const five = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: six.slice(0, 5) },
      });
      expect(five.status).toBe(200);
      expect(five.body.results).toHaveLength(5);
      for (const path of ['encrypt', 'decrypt', 'rewrap', 'datakey']) {
        const empty = await h.call('POST', `/v1/tenants/acme/${path}`, { ...service(), body: { items: [] } });
        expectError(empty, 400, 'KW_INVALID_ARGUMENT');
        expect(problemsOf(empty).map((p) => p.field)).toContain('body.items');
      }
    });
  });

  describe('state conflicts', () => {
    it('enabling BYOK on a new tenant is 409 KW_STATE_CONFLICT with its state and what it allows', async () => {
      await h.tenant('fresh1');
      const response = await h.call('POST', '/v1/tenants/fresh1/byok/enable');
      expectError(response, 409, 'KW_STATE_CONFLICT');
      expect(response.body.details.state).toBe('not_configured');
      expect(Array.isArray(response.body.details.allowed)).toBe(true);
      expect(response.body.details.allowed).toEqual(
        (await h.call('GET', '/v1/tenants/fresh1/byok')).body.allowed,
      );
      for (const path of ['byok/test', 'byok/revert']) {
        const other = await h.call('POST', `/v1/tenants/fresh1/${path}`);
        expectError(other, 409, 'KW_STATE_CONFLICT');
        expect(other.body.details.state).toBe('not_configured');
        expect(Array.isArray(other.body.details.allowed)).toBe(true);
      }
      const switchCmk = await h.call('POST', '/v1/tenants/fresh1/byok/switch-cmk', {
        body: { cmkArn: CMK_ARN },
      });
      expectError(switchCmk, 409, 'KW_STATE_CONFLICT');
      expect(switchCmk.body.details.state).toBe('not_configured');
    });

    it('saving the configuration before the External ID is 409 with the state', async () => {
      const response = await h.call('PUT', '/v1/tenants/fresh1/byok/config', {
        body: { roleArn: ROLE_ARN, cmkArn: CMK_ARN },
      });
      expectError(response, 409, 'KW_STATE_CONFLICT');
      expect(response.body.details.state).toBe('not_configured');
      expect(response.body.details.allowed).toEqual(['issue_external_id']);
      expect((await h.call('GET', '/v1/tenants/fresh1')).body.byok).toMatchObject({
        state: 'not_configured',
        roleArn: null,
        cmkArn: null,
      });
    });

    it('the setup kit before the External ID is 409 with the state', async () => {
      const response = await h.call('GET', '/v1/tenants/fresh1/byok/kit');
      expectError(response, 409, 'KW_STATE_CONFLICT');
      expect(response.body.details.state).toBe('not_configured');
    });

    it('enabling a pending tenant is 409 with state pending', async () => {
      await h.tenant('fresh2');
      expect((await h.call('POST', '/v1/tenants/fresh2/byok/external-id')).status).toBe(200);
      const response = await h.call('POST', '/v1/tenants/fresh2/byok/enable');
      expectError(response, 409, 'KW_STATE_CONFLICT');
      expect(response.body.details.state).toBe('pending');
      expect(response.body.details.allowed).toEqual(
        (await h.call('GET', '/v1/tenants/fresh2/byok')).body.allowed,
      );
    });
  });

  describe('ciphertexts', () => {
    let good = '';
    beforeAll(async () => {
      const encrypted = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: [{ text: 'hello world' }] },
      });
      expect(encrypted.status).toBe(200);
      good = encrypted.body.results[0].ciphertext;
    });

    it("a malformed ciphertext is 400 with the core's code", async () => {
      // 'kw1:AAAA' decodes to three zero bytes: version 0 is an unsupported format (format.ts).
      expectError(
        await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: [{ ciphertext: 'kw1:AAAA' }] },
        }),
        400,
        'KW_CIPHERTEXT_UNSUPPORTED',
      );
      // Two bytes of a v1 header: truncated.
      expectError(
        await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: [{ ciphertext: 'kw1:AQE' }] },
        }),
        400,
        'KW_CIPHERTEXT_MALFORMED',
      );
      for (const ciphertext of [
        'hello',
        'kw1:',
        'kw1:!!!!',
        'kw2:AAAA',
        'kw1:A',
        `${good}=`,
        good.slice(0, 30),
      ]) {
        for (const path of ['decrypt', 'rewrap']) {
          const response = await h.call('POST', `/v1/tenants/acme/${path}`, {
            ...service(),
            body: { items: [{ ciphertext }] },
          });
          expectError(response, 400, 'KW_CIPHERTEXT_MALFORMED');
          expect(response.body.details.results).toEqual([
            { ok: false, error: { code: 'KW_CIPHERTEXT_MALFORMED', message: response.body.message } },
          ]);
        }
      }
    });

    it('a ciphertext with one character changed is 400 KW_DECRYPTION_FAILED; another context too', async () => {
      // Character 64 is in the AES-GCM body of an 11-byte plaintext (the header ends at character 49).
      const at = 64;
      const altered = good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1);
      expect(altered).not.toBe(good);
      expectError(
        await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: [{ ciphertext: altered }] },
        }),
        400,
        'KW_DECRYPTION_FAILED',
      );
      expectError(
        await h.call('POST', '/v1/tenants/acme/rewrap', {
          ...service(),
          body: { items: [{ ciphertext: altered }] },
        }),
        400,
        'KW_DECRYPTION_FAILED',
      );
      expectError(
        await h.call('POST', '/v1/tenants/acme/decrypt', {
          ...service(),
          body: { items: [{ ciphertext: good, context: { not: 'the same' } }] },
        }),
        400,
        'KW_DECRYPTION_FAILED',
      );
      const decrypted = await h.call('POST', '/v1/tenants/acme/decrypt', {
        ...service(),
        body: { items: [{ ciphertext: good }], encoding: 'utf8' },
      });
      expect(decrypted.body.results).toEqual([{ ok: true, text: 'hello world' }]);
    });

    it('a batch with one good and one bad item is 200 with per-item results', async () => {
      const response = await h.call('POST', '/v1/tenants/acme/decrypt', {
        ...service(),
        body: { items: [{ ciphertext: good }, { ciphertext: 'kw1:AAAA' }], encoding: 'utf8' },
      });
      expect(response.status).toBe(200);
      expect(response.body.results).toHaveLength(2);
      expect(response.body.results[0]).toEqual({ ok: true, text: 'hello world' });
      expect(response.body.results[1]).toMatchObject({
        ok: false,
        error: { code: 'KW_CIPHERTEXT_UNSUPPORTED' },
      });
      expect(typeof response.body.results[1].error.message).toBe('string');
      expectNoLeak(response);

      const rewrap = await h.call('POST', '/v1/tenants/acme/rewrap', {
        ...service(),
        body: { items: [{ ciphertext: 'hello' }, { ciphertext: good }] },
      });
      expect(rewrap.status).toBe(200);
      expect(rewrap.body.results[0]).toMatchObject({ ok: false, error: { code: 'KW_CIPHERTEXT_MALFORMED' } });
      expect(rewrap.body.results[1].ok).toBe(true);
    });
  });

  describe('encrypt items', () => {
    it('both plaintext and text, or neither, is a per-item KW_INVALID_ARGUMENT (400 when alone)', async () => {
      for (const item of [{ plaintext: 'aGVsbG8=', text: 'hello' }, {}, { context: { a: 'b' } }]) {
        const alone = await h.call('POST', '/v1/tenants/acme/encrypt', {
          ...service(),
          body: { items: [item] },
        });
        expectError(alone, 400, 'KW_INVALID_ARGUMENT');
        expect(alone.body.details.results).toEqual([
          { ok: false, error: { code: 'KW_INVALID_ARGUMENT', message: alone.body.message } },
        ]);
        const mixed = await h.call('POST', '/v1/tenants/acme/encrypt', {
          ...service(),
          body: { items: [{ text: 'fine' }, item] },
        });
        expect(mixed.status).toBe(200);
        expect(mixed.body.results[0].ok).toBe(true);
        expect(mixed.body.results[1]).toMatchObject({ ok: false, error: { code: 'KW_INVALID_ARGUMENT' } });
        expect(typeof mixed.body.results[1].error.message).toBe('string');
      }
    });

    it('text with an unpaired surrogate is 400, not silently replaced', async () => {
      const response = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        raw: '{"items":[{"text":"a\\ud800b"}]}',
      });
      expectError(response, 400, 'KW_INVALID_ARGUMENT');
      expect(response.body.message).toMatch(/unpaired surrogate/);
    });

    it('non-canonical base64 plaintext is 400', async () => {
      for (const plaintext of ['aGVsbG8', 'aGVsbG8==', 'aGVs bG8=', 'aGVsbG8-', 'aGVsbG8_', '====', 'a']) {
        expectError(
          await h.call('POST', '/v1/tenants/acme/encrypt', {
            ...service(),
            body: { items: [{ plaintext }] },
          }),
          400,
          'KW_INVALID_ARGUMENT',
        );
      }
      const ok = await h.call('POST', '/v1/tenants/acme/encrypt', {
        ...service(),
        body: { items: [{ plaintext: 'aGVsbG8=' }, { plaintext: '' }] },
      });
      expect(ok.status).toBe(200);
      expect(ok.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true]);
    });

    it('a context with a non-string value is 400', async () => {
      for (const context of [
        { n: 1 },
        { n: null },
        { n: { deep: 'x' } },
        { n: ['x'] },
        { n: true },
        'table=invoices',
        ['a'],
      ]) {
        for (const [path, item] of [
          ['encrypt', { text: 'x', context }],
          ['decrypt', { ciphertext: 'kw1:AAAA', context }],
          ['datakey', { context }],
        ] as const) {
          const response = await h.call('POST', `/v1/tenants/acme/${path}`, {
            ...service(),
            body: { items: [item] },
          });
          expectError(response, 400, 'KW_INVALID_ARGUMENT');
          expect(problemsOf(response).some((p) => p.field.startsWith('body.items.0.context'))).toBe(true);
        }
      }
    });
  });

  describe('routes and methods', () => {
    it('an unknown route is 404 KW_NOT_FOUND', async () => {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['GET', '/v1'],
        ['GET', '/v2/tenants'],
        ['POST', '/v1/tenants/acme/unknown'],
        ['GET', '/v1/tenants/acme/byok/kit/extra'],
        ['DELETE', '/v1/tokens'],
      ]) {
        const response = await h.call(method!, path!);
        expectError(response, 404, 'KW_NOT_FOUND');
      }
      expectError(await h.call('GET', '/nope', { token: null }), 404, 'KW_NOT_FOUND');
    });

    it('a wrong method on a known path is a 404 or 405 JSON error', async () => {
      for (const [method, path] of [
        ['DELETE', '/v1/tenants'],
        ['PUT', '/v1/tenants/acme'],
        ['GET', '/v1/tenants/acme/encrypt'],
        ['POST', '/v1/tenants/acme/keys'],
        ['PATCH', '/v1/tenants/acme'],
        ['POST', '/healthz'],
      ]) {
        const response = await h.call(method!, path!);
        expect([404, 405], `${method} ${path}`).toContain(response.status);
        expectError(
          response,
          response.status,
          response.status === 404 ? 'KW_NOT_FOUND' : response.body?.code,
        );
        expect(response.body.code).toMatch(/^KW_/);
      }
    });
  });

  describe('text the database cannot store', () => {
    it('a tenant name with NUL or an unpaired surrogate is 400, and creates nothing', async () => {
      for (const name of ['a\u0000b', '\ud800', '   ']) {
        const created = await h.call('POST', '/v1/tenants', { body: { id: 'text-test', name } });
        expectError(created, 400, 'KW_INVALID_ARGUMENT');
        expect(problemsOf(created).map((p) => p.field)).toContain('body.name');
      }
      expectError(await h.call('GET', '/v1/tenants/text-test'), 404, 'KW_TENANT_NOT_FOUND');
    });
  });

  describe('audit queries', () => {
    it('invalid filters are 400, and the problem names the parameter', async () => {
      const cases: Array<[string, string]> = [
        ['limit=0', 'query.limit'],
        ['limit=abc', 'query.limit'],
        ['limit=501', 'query.limit'],
        ['limit=1.5', 'query.limit'],
        ['limit=-1', 'query.limit'],
        ['since=yesterday', 'query.since'],
        ['until=2024-13-01', 'query.until'],
        ['before=abc', 'query.before'],
        ['before=-1', 'query.before'],
        ['outcome=maybe', 'query.outcome'],
        ['tenantId=bad%20id', 'query.tenantId'],
        // Values the database itself would refuse: caught by the schema, never a 500.
        ['before=9999999999999999999', 'query.before'],
        ['actor=%00', 'query.actor'],
        ['operation=a%00', 'query.operation'],
        ['since=0000-01-01T00:00:00Z', 'query.since'],
      ];
      for (const [query, field] of cases) {
        const all = await h.call('GET', `/v1/audit?${query}`);
        expectError(all, 400, 'KW_INVALID_ARGUMENT');
        expect(
          problemsOf(all).map((p) => p.field),
          query,
        ).toContain(field);
        if (!query.startsWith('tenantId'))
          expectError(await h.call('GET', `/v1/tenants/acme/audit?${query}`), 400, 'KW_INVALID_ARGUMENT');
      }
      expect((await h.call('GET', '/v1/audit?limit=1&since=2020-01-01T00:00:00Z&before=99999')).status).toBe(
        200,
      );
    });

    it('an unknown query parameter is 400', async () => {
      for (const path of [
        '/v1/audit?color=red',
        '/v1/tenants/acme/audit?tenantId=acme',
        '/v1/tenants?limit=1',
        '/v1/tenants/acme/byok/kit?region=us-east-1',
      ]) {
        expectError(await h.call('GET', path), 400, 'KW_INVALID_ARGUMENT');
      }
    });
  });

  // Last: these requests change acme (an External ID, key versions), which the cases above do not expect.
  describe('arbitrary input on every route', () => {
    /** Never a 5xx; a refusal is a JSON error with a KW_ code and a message, and shows nothing of the server. */
    function expectClientAnswer(what: string, response: Response): void {
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBeLessThan(500);
      if (response.status >= 200 && response.status < 300) return;
      expect(response.headers.get('content-type') ?? '', what).toMatch(/^application\/json/);
      expect(typeof response.body?.code, `${what}: ${JSON.stringify(response.body)}`).toBe('string');
      expect(response.body.code, what).toMatch(/^KW_/);
      expect(typeof response.body.message, what).toBe('string');
      expectNoLeak(response);
    }

    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }));
    const queryString = fc.oneof(
      text,
      fc
        .dictionary(
          fc.oneof(
            fc.constantFrom(
              'limit',
              'since',
              'until',
              'before',
              'operation',
              'outcome',
              'actor',
              'tenantId',
              'state',
              'roleArn',
              'cmkArn',
            ),
            fc.string(),
          ),
          text,
        )
        .map((entries) => new URLSearchParams(entries).toString()),
    );
    const payload = fc.oneof(
      fc.jsonValue().map((body) => ({ body })),
      text.map((raw) => ({ raw })),
    );

    for (const spec of ROUTES) {
      it(`${spec.method} ${spec.url}: never a 5xx nor a stack for arbitrary ${spec.method === 'GET' ? 'query strings' : 'bodies and query strings'}`, async () => {
        await fc.assert(
          fc.asyncProperty(queryString, payload, async (query, input) => {
            const path = `${spec.url.replace(':tenantId', 'acme').replace(':tokenId', randomUUID())}?${query}`;
            const response = await h.call(spec.method, path, spec.method === 'GET' ? {} : input);
            expectClientAnswer(`${spec.method} ${path} ${JSON.stringify(input)}`, response);
          }),
          { numRuns: 25 },
        );
      });
    }
  });
});
