import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens, type Store } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const OPERATOR = 'op-' + 'x'.repeat(40);

describe.each(BACKENDS)('ApiTokens on $name', (backend) => {
  let store: Store;
  let tokens: ApiTokens;
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    tokens = new ApiTokens(store.db, OPERATOR);
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('tenants').execute();
    await store.db
      .insertInto('tenants')
      .values([
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ])
      .execute();
  });

  it('issues tokens shown once and stored only as hashes; each authenticates as its kind and tenant', async () => {
    const admin = await tokens.issue('tenant-admin', 'a');
    const service = await tokens.issue('service', 'b');
    expect(admin.token).toMatch(/^kwa_[A-Za-z0-9_-]{43}$/);
    expect(service.token).toMatch(/^kws_[A-Za-z0-9_-]{43}$/);
    expect(await tokens.authenticate(admin.token)).toEqual({
      kind: 'tenant-admin',
      tenantId: 'a',
      tokenId: admin.id,
    });
    expect(await tokens.authenticate(service.token)).toEqual({
      kind: 'service',
      tenantId: 'b',
      tokenId: service.id,
    });
    expect(await tokens.authenticate(OPERATOR)).toEqual({
      kind: 'operator',
      tenantId: null,
      tokenId: 'operator',
    });
    const dump = JSON.stringify(await store.db.selectFrom('api_tokens').selectAll().execute());
    expect(dump).not.toContain(admin.token);
    expect(dump).not.toContain(service.token.slice(4));
  });

  it('refuses unknown, malformed, empty, oversized and revoked tokens', async () => {
    const admin = await tokens.issue('tenant-admin', 'a');
    for (const bad of [
      undefined,
      '',
      'kwa_' + 'A'.repeat(43),
      admin.token.slice(0, -1),
      admin.token + 'x',
      'x'.repeat(1000),
      OPERATOR + ' ',
    ]) {
      expect(await tokens.authenticate(bad)).toBeUndefined();
    }
    expect(await tokens.revoke(admin.id)).toBe(true);
    expect(await tokens.revoke(admin.id)).toBe(false);
    expect(await tokens.authenticate(admin.token)).toBeUndefined();
    const listed = await tokens.list('a');
    expect(
      listed.map((token) => ({ id: token.id, kind: token.kind, revoked: token.revokedAt !== null })),
    ).toEqual([{ id: admin.id, kind: 'tenant-admin', revoked: true }]);
  });

  it('without an operator token configured, nothing authenticates as the operator', async () => {
    const noOperator = new ApiTokens(store.db);
    expect(await noOperator.authenticate(OPERATOR)).toBeUndefined();
  });
});
