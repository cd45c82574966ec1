import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, GENESIS_HASH, type Store } from '../../src/index.js';
import { BACKENDS } from './backends.js';

const entry = (operation: string, details: Record<string, unknown> = {}) => ({
  tenantId: 'acme',
  actor: 'operator',
  operation,
  outcome: 'success' as const,
  details,
});

describe.each(BACKENDS)('AuditLog on $name', (backend) => {
  let store: Store;
  let audit: AuditLog;
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    audit = new AuditLog(store.db);
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('audit_events').execute();
  });

  it('chains every event to the one before it, and the chain verifies', async () => {
    const first = await audit.append(entry('tenant.create'));
    const second = await audit.append(
      entry('kms.Decrypt', {
        keyArn: 'arn:aws:kms:us-east-1:444455556666:key/k',
        context: { 'keyward:tenant': 'acme' },
        requestId: 'r-1',
      }),
    );
    expect(first.previousHash).toBe(GENESIS_HASH);
    expect(second.previousHash).toBe(first.hash);
    expect(await audit.verify()).toEqual({ ok: true, events: 2, head: second.hash });
  });

  it('detects an edited event', async () => {
    await audit.append(entry('a'));
    const edited = await audit.append(entry('b', { outcome: 'x' }));
    await audit.append(entry('c'));
    await store.db
      .updateTable('audit_events')
      .set({ actor: 'someone else' })
      .where('hash', '=', edited.hash)
      .execute();
    expect(await audit.verify()).toEqual({
      ok: false,
      brokenAt: edited.id,
      reason: 'this event was changed',
    });
  });

  it('detects a deleted event', async () => {
    await audit.append(entry('a'));
    const deleted = await audit.append(entry('b'));
    const after = await audit.append(entry('c'));
    await store.db.deleteFrom('audit_events').where('hash', '=', deleted.hash).execute();
    expect(await audit.verify()).toEqual({
      ok: false,
      brokenAt: after.id,
      reason: 'an event before this one was deleted or changed',
    });
  });

  it('detects deletion of the newest events against a head kept from an earlier verify', async () => {
    await audit.append(entry('a'));
    await audit.append(entry('b'));
    const kept = await audit.verify();
    expect(kept.ok).toBe(true);
    const head = (kept as { head: string }).head;
    const later = await audit.append(entry('c'));
    expect(await audit.verify(head)).toEqual({ ok: true, events: 3, head: later.hash });
    // Deleting the newest events leaves a valid-looking chain; only the kept head shows it.
    await store.db.deleteFrom('audit_events').where('hash', 'in', [head, later.hash]).execute();
    expect((await audit.verify()).ok).toBe(true);
    expect(await audit.verify(head)).toEqual({
      ok: false,
      brokenAt: null,
      reason: 'the head you kept is not in the chain: events after an earlier point were deleted',
    });
  });

  it('concurrent appends still form one chain', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => audit.append(entry(`op-${i}`))));
    expect(await audit.verify()).toMatchObject({ ok: true, events: 20 });
    const count = await sql<{
      n: string;
    }>`select count(distinct previous_hash) as n from audit_events`.execute(store.db);
    expect(Number(count.rows[0]!.n)).toBe(20);
  });

  it('appends that arrive together share a commit, in order, and each resolves with its own event', async () => {
    const events = await Promise.all(
      Array.from({ length: 200 }, (_, i) => audit.append(entry(`batch-${i}`))),
    );
    expect(await audit.verify()).toMatchObject({ ok: true, events: 200 });
    // Each caller got its own event, and they chain in the order they were asked for.
    expect(events.map((event) => event.operation)).toEqual(
      Array.from({ length: 200 }, (_, i) => `batch-${i}`),
    );
    for (let i = 1; i < events.length; i++) expect(events[i]!.previousHash).toBe(events[i - 1]!.hash);
  });

  it('one entry the database refuses fails alone; the others written with it are kept', async () => {
    const results = await Promise.allSettled([
      audit.append(entry('before')),
      audit.append(entry('bad', { text: 'nul \u0000 inside' })),
      audit.append(entry('after')),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await audit.verify()).toMatchObject({ ok: true, events: 2 });
  });
});
