import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPEND_LOCK } from '../../src/services/audit-log.js';
import { BACKENDS, POSTGRES_URL } from '../store/backends.js';
import { startHarness, type Harness } from './harness.js';

const postgres = BACKENDS.find((backend) => backend.name === 'PostgreSQL')!;

/**
 * The instance that revokes a token refuses it at once, even if a request read the token as valid
 * while the revocation was being committed (PostgreSQL: PGlite's single connection serialises them).
 */
describe.skipIf(!postgres.available)('a token revoked while a request is reading it, on PostgreSQL', () => {
  let h: Harness;
  let tenant: { id: string; adminToken: string };
  beforeAll(async () => {
    h = await startHarness(postgres);
    tenant = await h.tenant('acme');
  }, 60_000);
  afterAll(async () => h?.close());

  it('is refused as soon as the revocation returns', async () => {
    const tokens = (await h.call('GET', '/v1/tenants/acme/tokens')).body.tokens as Array<{
      id: string;
      kind: string;
    }>;
    const id = tokens.find((token) => token.kind === 'tenant-admin')!.id;
    // Hold the audit log's lock, so the revocation's transaction waits after its UPDATE, uncommitted.
    const holder = new pg.Client({ connectionString: POSTGRES_URL });
    await holder.connect();
    try {
      await holder.query('begin');
      const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(h.store.db);
      await holder.query('select pg_advisory_xact_lock($1, hashtext($2))', [APPEND_LOCK, rows[0]!.schema]);
      const revoking = h.call('DELETE', `/v1/tokens/${id}`);
      // Wait until the revocation has updated the row and is queued behind the lock.
      await expect
        .poll(
          async () =>
            Number(
              (
                await holder.query(
                  "select count(*) as n from pg_locks where locktype = 'advisory' and not granted",
                )
              ).rows[0].n,
            ),
          { timeout: 10_000 },
        )
        .toBeGreaterThan(0);
      // Meanwhile a request with the token reads it as still valid (the UPDATE is not committed).
      expect((await h.call('GET', '/v1/tenants/acme', { token: tenant.adminToken })).status).toBe(200);
      await holder.query('commit');
      expect((await revoking).body).toEqual({ revoked: true });
    } finally {
      await holder.end();
    }
    const after = await h.call('GET', '/v1/tenants/acme', { token: tenant.adminToken });
    expect(after.status).toBe(401);
  });
});
