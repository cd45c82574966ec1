import { randomBytes } from 'node:crypto';
import { KeywardError, type ErrorCode } from '@keyward/core';
import pg from 'pg';
import { expect } from 'vitest';
import { POSTGRES_URL, postgresAvailable } from '@keyward/test-kit/postgres';
import { pgliteTemplate } from '@keyward/test-kit/pglite-template';
import { openStore, type Store } from '../../src/index.js';

export { POSTGRES_URL, postgresAvailable };

export interface Backend {
  name: string;
  available: boolean;
  /** A fresh, migrated, empty store; on PostgreSQL in a schema of its own, dropped by close(). */
  open(): Promise<Store>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'PGlite (embedded)',
    available: true,
    // From a dump of an empty migrated store: a new database each time, without initdb's cost.
    open: async () => openStore({ kind: 'pglite', loadDataDir: await pgliteTemplate() }),
  },
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
