import { PGlite } from '@electric-sql/pglite';
import { KeywardError } from '@keyward/core';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.js';
import { PGliteDialect } from './pglite-dialect.js';
import { memoryNotifications, postgresNotifications, type Notifications } from './notifications.js';
import type { Database } from './schema.js';

export type StoreLocation =
  | {
      kind: 'pglite';
      dataDir?: string;
      /**
       * Starts a new database from this dump of a data directory (PGlite's `dumpDataDir`) instead
       * of initialising one: a migrated template opens several times faster (tests use it).
       */
      loadDataDir?: Blob;
    }
  | { kind: 'postgres'; url: string; schema?: string };

export interface Store {
  db: Kysely<Database>;
  kind: StoreLocation['kind'];
  /** Messages to every instance on this store (cache evictions, state changes). */
  notifications: Notifications;
  close(): Promise<void>;
}

/**
 * Opens the store and migrates it: PGlite in a data directory (or in memory without one), or a
 * PostgreSQL server. A `schema` keeps one deployment's (or one test's) tables apart on a shared server.
 */
export async function openStore(location: StoreLocation): Promise<Store> {
  /* Precondition: a schema name is a plain identifier (it goes into the connection's search_path). */
  if (
    location.kind === 'postgres' &&
    location.schema !== undefined &&
    !/^[a-z_][a-z0-9_]{0,62}$/.test(location.schema)
  ) {
    throw new KeywardError('KW_CONFIG_INVALID', {
      message: `Invalid PostgreSQL schema name "${location.schema}": use lower-case letters, digits and _.`,
    });
  }
  const dialect =
    location.kind === 'pglite'
      ? new PGliteDialect(
          new PGlite(
            location.dataDir,
            location.loadDataDir === undefined ? {} : { loadDataDir: location.loadDataDir },
          ),
        )
      : new PostgresDialect({
          pool: new pg.Pool({
            connectionString: location.url,
            max: 10,
            ...(location.schema === undefined ? {} : { options: `-c search_path=${location.schema}` }),
          }),
        });
  const db = new Kysely<Database>({ dialect });
  try {
    if (location.kind === 'postgres' && location.schema !== undefined) {
      await db.schema.createSchema(location.schema).ifNotExists().execute();
    }
    await migrateToLatest(
      db as unknown as Kysely<unknown>,
      location.kind === 'postgres' ? location.schema : undefined,
    );
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const notifications =
    location.kind === 'pglite'
      ? memoryNotifications()
      : postgresNotifications(db, location.url, location.schema);
  return { db, kind: location.kind, notifications, close: () => db.destroy() };
}
