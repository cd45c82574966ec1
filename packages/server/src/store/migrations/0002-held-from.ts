import type { Kysely } from 'kysely';

/**
 * `byok_configs.held_from`: while a CMK switch or a revert holds a tenant in `rotating_cmk` or
 * `reverting`, the state it came from, so that an interrupted operation can be aborted back to it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('byok_configs').addColumn('held_from', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('byok_configs').dropColumn('held_from').execute();
}
