import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyward, PlatformKmsRootKey } from '@keyward/core';
import { loadConfig, openStore, platformAws, SqlTenantKeyStore } from '@keyward/server';
import pg from 'pg';

/**
 * Keyward server processes for multi-instance tests: the real `keyward serve` command in child
 * processes sharing one PostgreSQL schema and one sandbox, as production runs several instances.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = 'packages/cli/bin/keyward.js';
export const OPERATOR_TOKEN = 'e2e-operator-token-0123456789abcdef0123456789abcdef';

export interface Instance {
  name: string;
  url: string;
  pid: number;
  instanceId: string;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export interface InstanceSettings {
  databaseUrl: string;
  schema: string;
  awsEndpoint: string;
  env?: Record<string, string>;
}

/** Starts `keyward serve --json` and resolves when it prints its summary line (URL and instance ID). */
export function startInstance(name: string, settings: InstanceSettings): Promise<Instance> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('KEYWARD_') && key !== 'DATABASE_URL'),
  );
  const child = spawn(process.execPath, [BIN, 'serve', '--json', '--port', '0'], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      DATABASE_URL: settings.databaseUrl,
      KEYWARD_DATABASE_SCHEMA: settings.schema,
      KEYWARD_AWS_ENDPOINT: settings.awsEndpoint,
      KEYWARD_OPERATOR_TOKEN: OPERATOR_TOKEN,
      KEYWARD_DEMO_TENANT: '',
      KEYWARD_LOG_LEVEL: 'warn',
      KEYWARD_RATE_LIMIT_PER_SECOND: '0',
      ...settings.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('close', (code, signal) => resolveExit({ code, signal })),
  );
  return new Promise((resolveStart, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${name} did not start within 30 s; stderr: ${stderr}`)),
      30_000,
    );
    void exited.then(({ code, signal }) =>
      reject(new Error(`${name} exited (${code ?? signal}) before starting; stderr: ${stderr}`)),
    );
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      const summary = JSON.parse(stdout.slice(0, end)) as { url: string; instanceId: string };
      resolveStart({
        name,
        url: summary.url,
        instanceId: summary.instanceId,
        pid: child.pid!,
        child,
        exited,
        stderr: () => stderr,
      });
    });
  });
}

/** A JSON call to an instance as the operator (or with `token`). */
export async function call(
  instance: Instance,
  method: string,
  path: string,
  body?: unknown,
  token = OPERATOR_TOKEN,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON of documented routes; tests assert its shape
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${instance.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** Runs `work` over `items` with at most `width` at once; the first failure rejects. */
export async function inParallel<T, R>(
  items: readonly T[],
  width: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  });
  await Promise.all(lanes);
  return results;
}

/** A query in the instances' schema, for what the API does not show (which instance holds a job). */
export async function query<R extends pg.QueryResultRow>(
  databaseUrl: string,
  schema: string,
  text: string,
  values: unknown[] = [],
): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The process ID in an instance ID (`host:pid:suffix`). */
export const pidOf = (instanceId: string): number => Number(instanceId.split(':').at(-2));

/**
 * Many platform-managed tenants, fast: each gets version 1 of its tenant key from the platform
 * key (KMS GenerateDataKey through the sandbox, signed as the Service Role, as the server does)
 * and one record encrypted by `@keyward/core` over the same store. The rows are inserted in bulk,
 * without the per-tenant audit events the API would add: this is a fixture for jobs, not a test
 * of tenant creation. Returns each tenant's ciphertext of `<id> record`.
 */
export async function seedPlatformTenants(
  settings: InstanceSettings,
  ids: readonly string[],
  width = 32,
): Promise<string[]> {
  const store = await openStore({ kind: 'postgres', url: settings.databaseUrl, schema: settings.schema });
  const aws = platformAws(loadConfig({}, { aws: { endpoint: settings.awsEndpoint } }), settings.awsEndpoint);
  try {
    const current = await store.db
      .selectFrom('platform_root_keys')
      .select('id')
      .where('state', '=', 'current')
      .executeTakeFirstOrThrow();
    const root = new PlatformKmsRootKey({ kms: aws.kms, keyArn: current.id });
    const wrapped = await inParallel(ids, width, async (id) => {
      const { key, wrappedKey } = await root.generateTenantKey({ tenantId: id, version: 1 });
      key.zero();
      return wrappedKey;
    });
    const at = new Date();
    for (let start = 0; start < ids.length; start += 1000) {
      const chunk = ids.slice(start, start + 1000);
      await store.db.transaction().execute(async (trx) => {
        await trx
          .insertInto('tenants')
          .values(chunk.map((id) => ({ id, name: `Tenant ${id}`, created_at: at })))
          .execute();
        await trx
          .insertInto('byok_configs')
          .values(
            chunk.map((id) => ({
              tenant_id: id,
              state: 'not_configured',
              external_id: null,
              state_since: at,
              updated_at: at,
            })),
          )
          .execute();
        await trx
          .insertInto('tenant_key_policies')
          .values(
            chunk.map((id) => ({
              tenant_id: id,
              latest_version: 1,
              min_encryption_version: 0,
              min_decryption_version: 1,
            })),
          )
          .execute();
        await trx
          .insertInto('tenant_key_versions')
          .values(
            chunk.map((id, index) => ({
              tenant_id: id,
              version: 1,
              wrapped_key: wrapped[start + index]!,
              root_key_id: root.id,
              created_at: at,
            })),
          )
          .execute();
      });
    }
    const keyward = createKeyward({ store: new SqlTenantKeyStore(store.db), rootKeys: root });
    try {
      return await inParallel(ids, width, (id) => keyward.encryptText(id, `${id} record`));
    } finally {
      keyward.close();
    }
  } finally {
    aws.close();
    await store.close();
  }
}
