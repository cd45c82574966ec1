import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, ByokStateConflict, Tenants, type Store } from '../../src/index.js';
import { BACKENDS, refuses } from './backends.js';

describe.each(BACKENDS)('Tenants on $name', (backend) => {
  let store: Store;
  let tenants: Tenants;
  let audit: AuditLog;
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    audit = new AuditLog(store.db);
    tenants = new Tenants(store.db, audit);
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('tenants').execute();
    await store.db.deleteFrom('audit_events').execute();
  });

  it('creates tenants with BYOK not configured (platform-managed keys), lists and gets them, and audits the creation', async () => {
    const acme = await tenants.create({ id: 'acme', name: ' Acme Corp ' }, 'operator');
    expect(acme).toMatchObject({
      id: 'acme',
      name: 'Acme Corp',
      byok: { state: 'not_configured', externalId: null, roleArn: null, cmkArn: null },
    });
    await tenants.create({ id: 'globex', name: 'Globex' }, 'operator');
    expect((await tenants.list()).map((tenant) => tenant.id)).toEqual(['acme', 'globex']);
    expect((await tenants.get('globex')).name).toBe('Globex');
    const events = await store.db
      .selectFrom('audit_events')
      .select(['tenant_id', 'operation', 'actor'])
      .orderBy('id')
      .execute();
    expect(events).toEqual([
      { tenant_id: 'acme', operation: 'tenant.create', actor: 'operator' },
      { tenant_id: 'globex', operation: 'tenant.create', actor: 'operator' },
    ]);
    expect(await audit.verify()).toMatchObject({ ok: true, events: 2 });
  });

  it('refuses duplicates, invalid IDs and names, and unknown tenants, writing nothing', async () => {
    await tenants.create({ id: 'acme', name: 'Acme' }, 'operator');
    await refuses(tenants.create({ id: 'acme', name: 'Again' }, 'operator'), 'KW_TENANT_EXISTS');
    await refuses(tenants.create({ id: '../etc', name: 'x' }, 'operator'), 'KW_INVALID_TENANT_ID');
    await refuses(tenants.create({ id: 'ok', name: '  ' }, 'operator'), 'KW_INVALID_ARGUMENT');
    await refuses(tenants.get('nobody'), 'KW_TENANT_NOT_FOUND');
    expect((await tenants.list()).map((tenant) => tenant.id)).toEqual(['acme']);
  });

  it('issues a unique External ID (→ pending); re-issuing says the trust policy must change', async () => {
    await tenants.create({ id: 'acme', name: 'Acme' }, 'operator');
    await tenants.create({ id: 'globex', name: 'Globex' }, 'operator');
    const first = await tenants.issueExternalId('acme', 'admin:acme');
    expect(first).toEqual({ externalId: expect.stringMatching(/^kw-[a-z2-7]{32}$/), notice: null });
    expect((await tenants.get('acme')).byok).toMatchObject({
      state: 'pending',
      externalId: first.externalId,
    });
    const second = await tenants.issueExternalId('acme', 'admin:acme');
    expect(second.externalId).not.toBe(first.externalId);
    expect(second.notice).toMatch(/trust policy/);
    const other = await tenants.issueExternalId('globex', 'operator');
    expect(other.externalId).not.toBe(second.externalId);
    const operations = (
      await store.db
        .selectFrom('audit_events')
        .select('operation')
        .where('tenant_id', '=', 'acme')
        .orderBy('id')
        .execute()
    ).map((row) => row.operation);
    expect(operations).toEqual(['tenant.create', 'byok.external-id.issue', 'byok.external-id.regenerate']);
  });

  it('refuses to re-issue the External ID while BYOK is active, with a 409 naming the state', async () => {
    await tenants.create({ id: 'acme', name: 'Acme' }, 'operator');
    await store.db
      .updateTable('byok_configs')
      .set({ state: 'active' })
      .where('tenant_id', '=', 'acme')
      .execute();
    const error = await tenants.issueExternalId('acme', 'operator').then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ByokStateConflict);
    expect(error).toMatchObject({ status: 409, state: 'active' });
  });
});

describe.each(BACKENDS)('Tenants.configure on $name', (backend) => {
  let store: Store;
  let tenants: Tenants;
  const KEY = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    tenants = new Tenants(store.db, new AuditLog(store.db));
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('tenants').execute();
    for (const id of ['acme', 'globex']) {
      await tenants.create({ id, name: id }, 'operator');
      await tenants.issueExternalId(id, 'operator');
    }
  });

  it('saves the Role ARN and CMK ARN, takes the region from the key, and stays pending until tested', async () => {
    const view = await tenants.configure(
      'acme',
      { roleArn: 'arn:aws:iam::444455556666:role/team/KeywardByok', keyArn: KEY },
      'admin:acme',
    );
    expect(view.byok).toMatchObject({
      state: 'pending',
      roleArn: 'arn:aws:iam::444455556666:role/team/KeywardByok',
      cmkArn: KEY,
      region: 'eu-west-1',
    });
    expect(await tenants.roleOwner('aws:444455556666:keywardbyok')).toBe('acme');
  });

  it('refuses a role another tenant registered, whatever its case or path, and bad ARNs, changing nothing', async () => {
    await tenants.configure(
      'acme',
      { roleArn: 'arn:aws:iam::444455556666:role/KeywardByok', keyArn: KEY },
      'admin:acme',
    );
    await refuses(
      tenants.configure(
        'globex',
        { roleArn: 'arn:aws:iam::444455556666:role/other/keywardbyok', keyArn: KEY },
        'admin:globex',
      ),
      'KW_ROLE_ALREADY_REGISTERED',
    );
    await refuses(
      tenants.configure(
        'globex',
        { roleArn: 'arn:aws:iam::444455556666:user/x', keyArn: KEY },
        'admin:globex',
      ),
      'KW_INVALID_ARN',
    );
    await refuses(
      tenants.configure(
        'globex',
        { roleArn: 'arn:aws:iam::444455556666:role/G', keyArn: 'arn:aws:kms:eu-west-1:444455556666:alias/x' },
        'admin:globex',
      ),
      'KW_INVALID_ARN',
    );
    expect((await tenants.get('globex')).byok).toMatchObject({ roleArn: null, cmkArn: null });
  });

  it('refuses a configuration change while BYOK is active (409)', async () => {
    await store.db
      .updateTable('byok_configs')
      .set({ state: 'active' })
      .where('tenant_id', '=', 'acme')
      .execute();
    await expect(
      tenants.configure('acme', { roleArn: 'arn:aws:iam::444455556666:role/R', keyArn: KEY }, 'admin:acme'),
    ).rejects.toBeInstanceOf(ByokStateConflict);
  });
});
