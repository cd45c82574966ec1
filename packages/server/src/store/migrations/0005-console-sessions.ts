import { sql, type Kysely } from 'kysely';

/**
 * `console_sessions`: the admin console's sign-ins. The browser holds a random session ID in an
 * HttpOnly cookie; only its SHA-256 is stored. A session stands for the token it was opened with
 * and ends with it (a revoked tenant-admin token, a changed operator token).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('console_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('operator', 'tenant-admin')`))
    .addColumn('token_id', 'text', (c) => c.notNull())
    .addColumn('tenant_id', 'text', (c) => c.references('tenants.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('console_sessions').execute();
}
