import pg from 'pg';

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
