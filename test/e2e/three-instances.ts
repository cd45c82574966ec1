import { randomBytes } from 'node:crypto';
import { CUSTOMER_ACCOUNT_ID, startSandbox, type RunningSandbox } from '@keyward/sandbox';
import { afterAll, beforeAll, expect } from 'vitest';
import { applyKit, createCustomerKey } from '@keyward/test-kit/customer-account';
import { POSTGRES_URL } from '@keyward/test-kit/postgres';
import { call, pidOf, query, startInstance, type Instance } from './instances.js';

/**
 * Three `keyward serve` processes on one PostgreSQL (CI's real server) and one sandbox, for the
 * multi-instance tests and drills: what one instance learns, all act on; a job whose process is
 * killed with SIGKILL is taken over by another instance once its lease runs out.
 */
export const LEASE_SECONDS = 2;

/** A decrypt result for `text` (results carry the bytes, base64). */
export const opened = (text: string) => ({ ok: true, plaintext: Buffer.from(text).toString('base64') });

export interface Job {
  state: string;
  attempts: number;
  done: number;
  total: number;
  error: unknown;
  children?: Record<string, number>;
}

export interface ThreeInstances {
  /** The PostgreSQL schema the instances share (dropped afterwards). */
  schema: string;
  box: RunningSandbox;
  instances: Instance[];
  live(): Instance[];
  start(name: string): Promise<Instance>;
  onboard(via: Instance, id: string): Promise<{ cmkArn: string; roleArn: string }>;
  encrypt(via: Instance, id: string, text: string): Promise<string>;
  decrypt(via: Instance, id: string, ciphertext: string): ReturnType<typeof call>;
  finished(jobId: string, timeout: number): Promise<Job>;
  killHolder(sql: string, values: unknown[]): Promise<Instance>;
}

/** Registers the hooks that start instances A, B and C (and stop everything afterwards). */
export function useThreeInstances(): ThreeInstances {
  const schema = `kw_e2e_${randomBytes(6).toString('hex')}`;
  const instances: Instance[] = [];
  const fx = { schema, instances } as unknown as ThreeInstances;
  const live = () =>
    instances.filter((instance) => instance.child.exitCode === null && instance.child.signalCode === null);

  const start = async (name: string) => {
    const instance = await startInstance(name, {
      databaseUrl: POSTGRES_URL,
      schema,
      awsEndpoint: fx.box.endpoint,
      env: {
        KEYWARD_HEALTH_INTERVAL_SECONDS: '0',
        KEYWARD_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
        KEYWARD_JOB_POLL_MS: '100',
        KEYWARD_JOB_RETRY_BASE_MS: '50',
        KEYWARD_JOB_CONCURRENCY: '8',
      },
    });
    instances.push(instance);
    return instance;
  };

  beforeAll(async () => {
    fx.box = await startSandbox({ port: 0, env: {} });
    // One at a time: the first migrates the schema, the others find it done.
    for (const name of ['A', 'B', 'C']) await start(name);
  }, 120_000);

  afterAll(async () => {
    for (const instance of live()) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((instance) => instance.exited));
    await fx.box?.close();
    await query(POSTGRES_URL, 'public', `drop schema if exists ${schema} cascade`);
  }, 60_000);

  /** Onboards a tenant through `via`, BYOK enabled on a fresh CMK; returns the CMK and role. */
  async function onboard(via: Instance, id: string): Promise<{ cmkArn: string; roleArn: string }> {
    expect((await call(via, 'POST', '/v1/tenants', { id, name: id })).status).toBe(201);
    await call(via, 'POST', `/v1/tenants/${id}/byok/external-id`);
    const cmkArn = await createCustomerKey(fx.box);
    const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok-${id}`;
    await applyKit(
      fx.box,
      (
        await call(
          via,
          'GET',
          `/v1/tenants/${id}/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
        )
      ).body,
    );
    await call(via, 'PUT', `/v1/tenants/${id}/byok/config`, { roleArn, cmkArn });
    expect((await call(via, 'POST', `/v1/tenants/${id}/byok/test`)).body.ok).toBe(true);
    expect((await call(via, 'POST', `/v1/tenants/${id}/byok/enable`)).body.state).toBe('active');
    return { cmkArn, roleArn };
  }

  const decrypt = (via: Instance, id: string, ciphertext: string) =>
    call(via, 'POST', `/v1/tenants/${id}/decrypt`, { items: [{ ciphertext }] });
  const encrypt = async (via: Instance, id: string, text: string): Promise<string> => {
    const response = await call(via, 'POST', `/v1/tenants/${id}/encrypt`, { items: [{ text }] });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.results[0].ciphertext as string;
  };

  /** Polls a job through any live instance until it ends. */
  async function finished(jobId: string, timeout: number): Promise<Job> {
    let job: Job | undefined;
    await expect
      .poll(
        async () => {
          job = (await call(live()[0]!, 'GET', `/v1/jobs/${jobId}`)).body;
          return job?.state;
        },
        { timeout, interval: 250 },
      )
      .toMatch(/^(succeeded|failed|cancelled)$/);
    return job!;
  }

  /** Kills, with SIGKILL, the live instance holding one of the running jobs `sql` selects. */
  async function killHolder(sql: string, values: unknown[]): Promise<Instance> {
    let holder: Instance | undefined;
    await expect
      .poll(
        async () => {
          const rows = await query<{ locked_by: string }>(POSTGRES_URL, schema, sql, values);
          holder = live().find((instance) => rows.some((row) => pidOf(row.locked_by) === instance.pid));
          return holder?.name;
        },
        { timeout: 60_000, interval: 50 },
      )
      .toBeDefined();
    holder!.child.kill('SIGKILL');
    expect((await holder!.exited).signal).toBe('SIGKILL');
    return holder!;
  }

  Object.assign(fx, { live, start, onboard, encrypt, decrypt, finished, killHolder });
  return fx;
}
