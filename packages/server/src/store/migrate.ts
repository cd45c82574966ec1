import { KeywardError } from '@keyward/core';
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/0001-initial.js';
import * as heldFrom from './migrations/0002-held-from.js';
import * as webhooks from './migrations/0003-webhooks.js';
import * as jobQueue from './migrations/0004-job-queue.js';
import * as consoleSessions from './migrations/0005-console-sessions.js';

/** Migrations are code, listed here in order: no directory scanning, so they work from any bundle. */
const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-held-from': heldFrom,
  '0003-webhooks': webhooks,
  '0004-job-queue': jobQueue,
  '0005-console-sessions': consoleSessions,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/**
 * Brings the schema to the latest version; a failed migration stops start-up with its error. With
 * a `schema`, Kysely's own bookkeeping tables live in it too: otherwise its introspection sees
 * another schema's on a shared server and skips creating this one's.
 */
export async function migrateToLatest(db: Kysely<unknown>, schema?: string): Promise<string[]> {
  const { error, results } = await new Migrator({
    db,
    provider,
    ...(schema === undefined ? {} : { migrationTableSchema: schema }),
  }).migrateToLatest();
  if (error !== undefined)
    throw error instanceof Error
      ? error
      : new KeywardError('KW_INTERNAL', { message: `A migration failed: ${String(error)}.`, cause: error });
  return (results ?? [])
    .filter((result) => result.status === 'Success')
    .map((result) => result.migrationName);
}
