import { sql, type Kysely } from 'kysely';

/**
 * `webhooks`: where state changes are sent, one per tenant and one for the operator (scope
 * `:operator`, which no tenant ID can be). The signing secret is stored only wrapped by the
 * platform's root key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    .addColumn('scope', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('wrapped_secret', 'bytea', (c) => c.notNull())
    .addColumn('root_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhooks').execute();
}
