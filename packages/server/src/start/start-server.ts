import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isKeywardError, LocalRootKey, PlatformKmsRootKey, type Clock } from '@keyward/core';
import type { FastifyInstance } from 'fastify';
import { platformAws } from '../aws/platform-aws.js';
import { demoTenantOf, type ServerConfig } from '../config/schema.js';
import { buildApp } from '../http/build-app.js';
import { HealthSchedule } from '../services/health-monitor.js';
import { createServices, type Services } from '../services/services.js';
import { openStore, type Store } from '../store/open-store.js';
import { ByokConfigs } from '../store/byok-configs.js';

export interface StartServerOptions {
  config: ServerConfig;
  /** An open store (tests); default: the configured PGlite directory or DATABASE_URL. */
  store?: Store;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** Fastify's request log; default on unless the log level is silent. */
  logger?: boolean;
}

export interface DemoTenant {
  id: string;
  externalId: string;
  /** Shown once, when the tenant is first seeded. */
  adminToken?: string;
  serviceToken?: string;
}

export interface RunningServer {
  url: string;
  operatorToken: string;
  /** Generated at start (none was configured): print it, it is not stored anywhere. */
  operatorTokenGenerated: boolean;
  /** The sandbox started in this process, when no AWS endpoint was configured. */
  sandbox?: { endpoint: string; close(): Promise<void> };
  demo?: DemoTenant;
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/** Starts the in-process sandbox, keeping its state beside the embedded store so keys survive restarts. */
async function inProcessSandbox(config: ServerConfig, env: NodeJS.ProcessEnv) {
  const { startSandbox } = await import('@keyward/sandbox');
  const dataDir =
    env.KEYWARD_SANDBOX_DATA_DIR ??
    (config.store.databaseUrl === undefined ? join(config.store.dataDir, 'sandbox') : undefined);
  return startSandbox({ env, region: config.aws.region, ...(dataDir === undefined ? {} : { dataDir }) });
}

/**
 * Starts Keyward: store (migrated), AWS (the sandbox in-process when none is configured), services,
 * the demo tenant, and the HTTP API. Whatever was started is stopped again if a later step fails.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const env = options.env ?? process.env;
  const cleanup: Array<() => Promise<void> | void> = [];
  try {
    const sandbox =
      config.aws.mode === 'sandbox' && config.aws.endpoint === undefined
        ? await inProcessSandbox(config, env)
        : undefined;
    if (sandbox !== undefined) cleanup.push(() => sandbox.close());
    const store =
      options.store ??
      (await openStore(
        config.store.databaseUrl === undefined
          ? { kind: 'pglite', dataDir: config.store.dataDir }
          : {
              kind: 'postgres',
              url: config.store.databaseUrl,
              ...(config.store.schema === undefined ? {} : { schema: config.store.schema }),
            },
      ));
    if (options.store === undefined) cleanup.push(() => store.close());
    const aws = platformAws(config, config.aws.endpoint ?? sandbox?.endpoint, options.clock);
    cleanup.push(() => aws.close());
    const generated = config.operatorToken === undefined;
    const operatorToken = config.operatorToken ?? `kwo_${randomBytes(32).toString('base64url')}`;
    const services = await createServices({
      config,
      db: store.db,
      kms: aws.kms,
      sts: aws.sts,
      operatorToken,
      notifications: store.notifications,
      platformRoot: (kms) =>
        config.rootKey === 'local'
          ? LocalRootKey.fromEnv(env)
          : PlatformKmsRootKey.resolve({ kms, keyArn: config.rootKey }),
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    });
    cleanup.push(() => services.close());
    await services.events.start({
      evict: (tenantId, reason) => {
        services.keyward.evict(tenantId);
        if (reason === 'keys-moved' || reason === 'revoked') services.rootKeys.forget(tenantId);
      },
      forgetToken: (tokenId) => services.tokens.forget(tokenId),
      jobsQueued: () => services.runner.wake(),
      gap: () => {
        services.keyward.evictAll();
        services.tokens.forgetAll();
      },
    });
    cleanup.push(() => services.events.stop());
    const demoTenant = demoTenantOf(config);
    const demo = demoTenant === '' ? undefined : await seedDemoTenant(services, demoTenant);
    const app = buildApp(services, options.logger === undefined ? {} : { logger: options.logger });
    cleanup.push(() => app.close());
    const current = await services.platformRoots.current();
    if (current.id !== services.platformRoots.configured.id) {
      app.log.warn(
        { configured: services.platformRoots.configured.id, current: current.id },
        "the platform root key was rotated: the store's current key wraps new tenant keys, not KEYWARD_ROOT_KEY (set it to the current key to silence this)",
      );
    }
    const schedule = new HealthSchedule(
      services.health,
      new ByokConfigs(store.db),
      config.health.intervalSeconds * 1000,
      (tenantId, error) => app.log.warn({ err: error, tenantId }, 'health check failed'),
    );
    schedule.start();
    services.healthSchedule = schedule;
    cleanup.push(() => schedule.stop());
    if (config.jobs.concurrency > 0) {
      services.runner.start();
      cleanup.push(() => services.runner.stop());
    }
    await app.listen({ host: config.listen.host, port: config.listen.port });
    const address = app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : config.listen.port;
    const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
    return {
      url: `http://${host}:${port}`,
      operatorToken,
      operatorTokenGenerated: generated,
      app,
      services,
      ...(sandbox === undefined
        ? {}
        : { sandbox: { endpoint: sandbox.endpoint, close: () => sandbox.close() } }),
      ...(demo === undefined ? {} : { demo }),
      close: () => runAll(cleanup),
    };
  } catch (error) {
    await runAll(cleanup);
    throw error;
  }
}

async function runAll(cleanup: Array<() => Promise<void> | void>): Promise<void> {
  for (const step of cleanup.reverse().splice(0))
    await Promise.resolve()
      .then(step)
      .catch(() => undefined);
}

/** The demo tenant, created with its External ID on first start; later starts find it as it was. */
async function seedDemoTenant(services: Services, id: string): Promise<DemoTenant> {
  try {
    await services.tenants.create({ id, name: 'Demo Corp' }, 'keyward');
  } catch (error) {
    if (!isKeywardError(error, 'KW_TENANT_EXISTS')) throw error;
    const existing = await services.tenants.get(id);
    return {
      id,
      externalId:
        existing.byok.externalId ?? (await services.tenants.issueExternalId(id, 'keyward')).externalId,
    };
  }
  const { externalId } = await services.tenants.issueExternalId(id, 'keyward');
  const admin = await services.tokens.issue('tenant-admin', id);
  const service = await services.tokens.issue('service', id);
  return { id, externalId, adminToken: admin.token, serviceToken: service.token };
}
