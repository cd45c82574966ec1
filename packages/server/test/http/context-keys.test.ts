import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../store/backends.js';
import { startHarness, type Harness } from './harness.js';

/**
 * What a caller sends as an encryption context is what is bound to the ciphertext: a key the
 * server would silently drop (`__proto__`, which a JSON record cannot hold) is refused, never
 * ignored; unusual keys that it can hold (`constructor`, non-ASCII) are bound like any other.
 */
describe('encryption-context keys over HTTP', () => {
  let h: Harness;
  let token: string;

  beforeAll(async () => {
    h = await startHarness(BACKENDS[0]!);
    token = (await h.tenant('ctx')).serviceToken;
  });
  afterAll(() => h?.close());

  const send = (path: string, raw: string) => h.call('POST', `/v1/tenants/ctx/${path}`, { token, raw });

  it('a key named __proto__, plain or escaped, is refused with 400 KW_INVALID_ARGUMENT, not dropped', async () => {
    for (const key of ['__proto__', '\\u005f_proto__', '__\\u0070roto__']) {
      const response = await send('encrypt', `{"items":[{"text":"x","context":{"${key}":"a","t":"1"}}]}`);
      expect({ status: response.status, code: response.body.code }, key).toEqual({
        status: 400,
        code: 'KW_INVALID_ARGUMENT',
      });
      expect(response.body.message).toContain('__proto__');
    }
  });

  it('keys named constructor or written in other scripts are bound: decrypt needs them, exactly', async () => {
    for (const context of [{ constructor: 'a' }, { écriture: 'ü', 鍵: '値' }, { toString: 'x', t: '1' }]) {
      const sealed = await send('encrypt', JSON.stringify({ items: [{ text: 'record', context }] }));
      expect(sealed.status, JSON.stringify(sealed.body)).toBe(200);
      const ciphertext = sealed.body.results[0].ciphertext as string;
      const opened = await send('decrypt', JSON.stringify({ items: [{ ciphertext, context }] }));
      expect(opened.body.results[0], JSON.stringify(context)).toMatchObject({ ok: true });
      for (const other of [{}, { ...context, extra: '1' }]) {
        const refused = await send('decrypt', JSON.stringify({ items: [{ ciphertext, context: other }] }));
        // A batch whose every item failed answers with the items' code (docs/api.md).
        expect({ status: refused.status, code: refused.body.code }, JSON.stringify(other)).toEqual({
          status: 400,
          code: 'KW_DECRYPTION_FAILED',
        });
      }
    }
  });
});
