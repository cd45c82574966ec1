import { PGlite } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { migrateToLatest } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';

/**
 * A dump of a new, migrated, empty embedded store: `openStore({ kind: 'pglite', loadDataDir })`
 * starts from it without initialising a database or running a migration, several times faster
 * (test suites open many throwaway stores).
 */
export async function emptyStoreDump(): Promise<Blob> {
  const pglite = new PGlite();
  const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
  try {
    await migrateToLatest(db);
    return await pglite.dumpDataDir('none');
  } finally {
    await db.destroy();
  }
}
