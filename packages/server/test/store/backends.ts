import { randomBytes } from 'node:crypto';
import { KeywardError, type ErrorCode } from '@keyward/core';
import pg from 'pg';
import { expect } from 'vitest';
import { openStore, type Store } from '../../src/index.js';

/** The PostgreSQL server the tests use: DATABASE_URL, or CI's at 127.0.0.1:5432, database test. */
// The user defaults to the OS user (root on CI, trust auth); USER is not always set, so name it.
export const POSTGRES_URL =
  process.env.DATABASE_URL ??
  `postgres://${process.env.PGUSER ?? process.env.USER ?? 'root'}@127.0.0.1:5432/test`;

async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** CI must run on PostgreSQL; elsewhere the PostgreSQL runs are skipped when no server answers. */
export const postgresAvailable = process.env.CI === 'true' || (await reachable(POSTGRES_URL));

export interface Backend {
  name: string;
  available: boolean;
  /** A fresh, migrated, empty store; on PostgreSQL in a schema of its own, dropped by close(). */
  open(): Promise<Store>;
}

export const BACKENDS: Backend[] = [
  { name: 'PGlite (embedded)', available: true, open: () => openStore({ kind: 'pglite' }) },
  {
    name: 'PostgreSQL',
    available: postgresAvailable,
    async open() {
      const schema = `kw_test_${randomBytes(6).toString('hex')}`;
      const store = await openStore({ kind: 'postgres', url: POSTGRES_URL, schema });
      return {
        ...store,
        async close() {
          await store.close();
          const admin = new pg.Client({ connectionString: POSTGRES_URL });
          await admin.connect();
          await admin.query(`drop schema ${schema} cascade`);
          await admin.end();
        },
      };
    },
  },
];

/** Asserts that `promise` rejects with a KeywardError of this code. */
export async function refuses(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(KeywardError);
  expect((error as KeywardError).code).toBe(code);
}
