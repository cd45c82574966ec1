import { sql, type Kysely } from 'kysely';

/**
 * The job queue (issue 6): `jobs` becomes both what the API shows (kind, state, progress) and
 * what workers claim. A claimed job holds a lease (`locked_by`, `locked_until`) that its worker
 * renews; a job whose lease ran out (its process died) is claimed again by any instance.
 * `platform_root_keys` records which platform key wraps new tenant keys now, and which older ones
 * are still being re-wrapped away from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('jobs')
    .addColumn('parent_id', 'text', (c) => c.references('jobs.id').onDelete('cascade'))
    .addColumn('actor', 'text', (c) => c.notNull().defaultTo('keyward'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('result', 'jsonb')
    .addColumn('finished_at', 'timestamptz')
    .execute();
  await sql`alter table jobs add constraint jobs_state_known check (state in ('queued', 'running', 'succeeded', 'failed', 'cancelled'))`.execute(
    db,
  );
  // One lifecycle job per tenant at a time: a second enable, switch or revert is refused while one is open.
  await sql`create unique index jobs_one_open_per_tenant on jobs (tenant_id) where parent_id is null and tenant_id is not null and state in ('queued', 'running')`.execute(
    db,
  );
  // A claim walks open jobs oldest first and stops at its limit; tenants with a running job are few.
  await sql`create index jobs_open_by_age on jobs (created_at, id) where state in ('queued', 'running')`.execute(
    db,
  );
  await sql`create index jobs_running_tenant on jobs (tenant_id) where state = 'running'`.execute(db);
  await db.schema.createIndex('jobs_parent_state').on('jobs').columns(['parent_id', 'state']).execute();
  await db.schema
    .createIndex('jobs_tenant_created')
    .on('jobs')
    .columns(['tenant_id', 'created_at'])
    .execute();
  await db.schema
    .createTable('platform_root_keys')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('current', 'retiring', 'retired')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('retired_at', 'timestamptz')
    .execute();
  await sql`create unique index platform_root_keys_one_current on platform_root_keys (state) where state = 'current'`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('platform_root_keys').execute();
  for (const index of [
    'jobs_tenant_created',
    'jobs_parent_state',
    'jobs_running_tenant',
    'jobs_open_by_age',
    'jobs_one_open_per_tenant',
  ])
    await db.schema.dropIndex(index).execute();
  await sql`alter table jobs drop constraint jobs_state_known`.execute(db);
  await db.schema
    .alterTable('jobs')
    .dropColumn('parent_id')
    .dropColumn('actor')
    .dropColumn('attempts')
    .dropColumn('run_after')
    .dropColumn('locked_by')
    .dropColumn('locked_until')
    .dropColumn('result')
    .dropColumn('finished_at')
    .execute();
}
