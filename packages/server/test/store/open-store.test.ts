import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest, openStore } from '../../src/index.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { BACKENDS, POSTGRES_URL, postgresAvailable } from './backends.js';

describe('openStore', () => {
  it('PGlite in a data directory keeps its data across restarts, and migrating again changes nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyward-store-'));
    try {
      const first = await openStore({ kind: 'pglite', dataDir });
      await first.db.insertInto('tenants').values({ id: 'acme', name: 'Acme' }).execute();
      await first.close();
      const second = await openStore({ kind: 'pglite', dataDir });
      expect(await second.db.selectFrom('tenants').select(['id', 'name']).execute()).toEqual([
        { id: 'acme', name: 'Acme' },
      ]);
      expect(await migrateToLatest(second.db as unknown as Kysely<unknown>)).toEqual([]);
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.skipIf(!postgresAvailable)(
    "PostgreSQL: a new schema migrates even when another schema on the server already has Kysely's tables",
    async () => {
      const names = [
        `kw_test_${randomBytes(6).toString('hex')}`,
        `kw_test_${randomBytes(6).toString('hex')}`,
      ];
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        const first = await openStore({ kind: 'postgres', url: POSTGRES_URL, schema: names[0]! });
        await first.close();
        const second = await openStore({ kind: 'postgres', url: POSTGRES_URL, schema: names[1]! });
        await second.db.insertInto('tenants').values({ id: 'b', name: 'B' }).execute();
        await second.close();
        const own = await admin.query(
          'select table_schema from information_schema.tables where table_name = $1 and table_schema = any($2) order by 1',
          ['kysely_migration', names],
        );
        expect(own.rows.map((row: { table_schema: string }) => row.table_schema)).toEqual([...names].sort());
      } finally {
        for (const name of names) await admin.query(`drop schema if exists ${name} cascade`);
        await admin.end();
      }
    },
  );

  it('refuses a PostgreSQL schema name that is not a plain identifier', async () => {
    await expect(
      openStore({ kind: 'postgres', url: 'postgres://127.0.0.1:1/x', schema: 'x; drop table y' }),
    ).rejects.toThrow(/Invalid PostgreSQL schema name/);
  });

  it.each(BACKENDS)(
    '$name: one schema for both backends, with the unique and check constraints',
    async (backend) => {
      if (!backend.available) return;
      const store = await backend.open();
      try {
        // Introspection lists every schema on the server; other tests' schemas may exist meanwhile.
        const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(store.db);
        const tables = (await store.db.introspection.getTables())
          .filter((table) => table.schema === rows[0]!.schema)
          .map((table) => table.name)
          .sort();
        expect(tables).toEqual([
          'api_tokens',
          'audit_events',
          'byok_configs',
          'console_sessions',
          'jobs',
          'platform_root_keys',
          'tenant_key_policies',
          'tenant_key_versions',
          'tenants',
          'webhooks',
        ]);
        await store.db
          .insertInto('tenants')
          .values([
            { id: 'a', name: 'A' },
            { id: 'b', name: 'B' },
          ])
          .execute();
        await store.db
          .insertInto('byok_configs')
          .values({ tenant_id: 'a', state: 'pending', external_id: 'kw-1', role_identity: 'aws:1:r' })
          .execute();
        // One External ID and one role per tenant: the database refuses a second holder.
        await expect(
          store.db
            .insertInto('byok_configs')
            .values({ tenant_id: 'b', state: 'pending', external_id: 'kw-1' })
            .execute(),
        ).rejects.toMatchObject({ code: '23505' });
        await expect(
          store.db
            .insertInto('byok_configs')
            .values({ tenant_id: 'b', state: 'pending', external_id: 'kw-2', role_identity: 'aws:1:r' })
            .execute(),
        ).rejects.toMatchObject({ code: '23505' });
      } finally {
        await store.close();
      }
    },
  );
});
