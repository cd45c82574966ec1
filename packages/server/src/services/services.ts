import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  createKeyward,
  platformIdentity,
  systemClock,
  type Clock,
  type Keyward,
  type KmsPort,
  type Logger,
  type PlatformIdentity,
  type RootKey,
  type StsPort,
} from '@keyward/core';
import { sql, type Kysely, type Transaction } from 'kysely';
import { AuditedKmsPort, type AwsCallRecorder } from '../aws/audited-ports.js';
import { allowPrivateWebhooksOf, type ServerConfig } from '../config/schema.js';
import { Metrics } from '../observability/metrics.js';
import { ByokConfigs } from '../store/byok-configs.js';
import type { Database } from '../store/schema.js';
import { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import { ApiTokens } from './api-tokens.js';
import { ConsoleSessions } from './console-sessions.js';
import { AuditLog } from './audit-log.js';
import { ByokLifecycle } from './byok-lifecycle.js';
import { DataPlane } from './data-plane.js';
import { HealthMonitor } from './health-monitor.js';
import { KeyManagement } from './key-management.js';
import { RootKeys } from './root-keys.js';
import { TenantEvents } from './tenant-events.js';
import { Webhooks, type WebhookEvent } from './webhooks.js';
import type { TenantEvent } from './tenant-events.js';
import { Tenants } from './tenants.js';
import { memoryNotifications, type Notifications } from '../store/notifications.js';
import { JobQueue } from '../store/job-queue.js';
import { ByokJobs, type StateChange } from './byok-jobs.js';
import { JobRunner } from './job-runner.js';
import { PlatformRoots } from './platform-roots.js';
import { ReadModels } from './read-models.js';
import { TokenAdmin } from './token-admin.js';
import { RootRotation } from './root-rotation.js';

export interface Services {
  config: ServerConfig;
  platform: PlatformIdentity;
  audit: AuditLog;
  tokens: ApiTokens;
  /** Issuing and revoking tenant tokens, audited. */
  tokenAdmin: TokenAdmin;
  tenants: Tenants;
  lifecycle: ByokLifecycle;
  keys: KeyManagement;
  dataPlane: DataPlane;
  health: HealthMonitor;
  events: TenantEvents;
  webhooks: Webhooks;
  jobs: JobQueue;
  runner: JobRunner;
  rootRotation: RootRotation;
  platformRoots: PlatformRoots;
  keyward: Keyward<Transaction<Database>>;
  rootKeys: RootKeys;
  /** What the API and the console both show (BYOK status, tenant list, platform view). */
  views: ReadModels;
  /** The admin console's sign-ins. */
  consoleSessions: ConsoleSessions;
  /** This instance's periodic health checks, once started (the console shows their times). */
  healthSchedule?: { timesOf(tenantId: string): { last: Date | undefined; next: Date | undefined } };
  metrics: Metrics;
  /** Whether the store answers (for /readyz). */
  ready(): Promise<boolean>;
  close(): void;
}

export interface ServiceDeps {
  config: ServerConfig;
  db: Kysely<Database>;
  /** The platform's AWS ports, signing as its Service Role (unaudited: this module audits them). */
  kms: KmsPort;
  sts: StsPort;
  /** The platform root key; built from `kms` with `platformRootKey()` unless given. */
  platformRoot: (kms: KmsPort) => RootKey | Promise<RootKey>;
  operatorToken: string;
  /** How this instance reaches the others on the same store; default: this process only. */
  notifications?: Notifications;
  /** This instance's name in job leases; default: host, process ID and a random suffix. */
  instanceId?: string;
  clock?: Clock;
  logger?: Logger;
}

/** Wires the server's services together: one store, one audit log, one key cache. */
export async function createServices(deps: ServiceDeps): Promise<Services> {
  const { config, db } = deps;
  const now = deps.clock === undefined ? () => new Date() : () => new Date(deps.clock!.now());
  const audit = new AuditLog(db, now);
  const byokConfigs = new ByokConfigs(db);
  // Read at scrape time only, when `keyward` (created below) exists.
  const metrics = new Metrics(
    () => keyward.stats(),
    () => byokConfigs.countByState(),
  );
  const recorder: AwsCallRecorder = {
    async record(entry, call) {
      metrics.awsCalls.inc({ service: call.service, operation: call.operation, outcome: entry.outcome });
      await audit.append(entry);
    },
  };
  const platformKms = new AuditedKmsPort(deps.kms, recorder);
  const platformRoots = await PlatformRoots.open(db, platformKms, await deps.platformRoot(platformKms));
  const rootKeys = new RootKeys({
    byokConfigs,
    kms: deps.kms,
    sts: deps.sts,
    recorder,
    platform: platformRoots,
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
  });
  const keyStore = new SqlTenantKeyStore(db);
  const keyward = createKeyward({
    store: keyStore,
    rootKeys: rootKeys.resolve,
    cache: { ttlMs: config.cache.ttlSeconds * 1000 },
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  const tenants = new Tenants(db, audit, now, { platformRoots, keyward }, byokConfigs);
  const serviceRoleArn = config.platform.serviceRoleArn;
  const publish = (event: TenantEvent) => events.publish(event);
  const jobs = new JobQueue(db, {
    instanceId: deps.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`,
    leaseMs: config.jobs.leaseSeconds * 1000,
  });
  const lifecycle = new ByokLifecycle({
    db,
    byokConfigs,
    audit,
    tenants,
    rootKeys,
    jobs,
    keyward,
    serviceRoleArn,
    now,
    publish,
    onStateChange: (change) => onStateChange(change),
  });
  const keys = new KeyManagement(byokConfigs, keyward, audit);
  const events = new TenantEvents(deps.notifications ?? memoryNotifications(), (error) =>
    deps.logger?.warn({ err: error }, 'could not tell other instances'),
  );
  const webhooks = new Webhooks(db, platformRoots, {
    retryBaseMs: config.webhooks.retryBaseMs,
    allowPrivateAddresses: allowPrivateWebhooksOf(config),
    onDelivery: (outcome) => metrics.webhookDeliveries.inc({ outcome }),
  });
  const notify = (event: WebhookEvent) =>
    void webhooks
      .notify(event)
      .catch((error: unknown) => deps.logger?.warn({ err: error }, 'webhook lookup failed'));
  const onStateChange = (change: StateChange) => {
    metrics.stateChanges.inc({ from: change.from, to: change.to, finding: change.operation });
    notify({ type: 'byok.state_changed', ...change, reason: null });
  };
  const byokJobs = new ByokJobs({ byokConfigs, audit, rootKeys, keyward, now, publish, onStateChange });
  const rootRotation = new RootRotation({
    db,
    audit,
    jobs,
    platform: platformRoots,
    keyStore,
    keyward,
    byokConfigs,
    webhooks,
    now,
    publish,
    pollMs: config.jobs.pollMs,
  });
  const runner = new JobRunner(
    jobs,
    {
      'byok.enable': byokJobs.enable,
      'byok.switch-cmk': byokJobs.switchCmk,
      'byok.revert': byokJobs.revert,
      'platform.rotate-root': rootRotation.rotate,
      'platform.rewrap-tenant': rootRotation.rewrapTenant,
    },
    {
      concurrency: config.jobs.concurrency,
      pollMs: config.jobs.pollMs,
      maxAttempts: config.jobs.maxAttempts,
      retryBaseMs: config.jobs.retryBaseMs,
      onFinished: (job, state, error) => {
        metrics.jobsFinished.inc({ kind: job.kind, state });
        // A root rotation's children are many and alike: only the rotation itself is announced.
        if (job.parentId === null)
          notify({
            type: 'job.finished',
            tenantId: job.tenantId,
            jobId: job.id,
            kind: job.kind,
            state,
            error: error ?? null,
          });
      },
      onError: (error, job) =>
        deps.logger?.error({ err: error, jobId: job?.id, kind: job?.kind }, 'job runner error'),
    },
  );
  const health = new HealthMonitor({
    db,
    byokConfigs,
    audit,
    rootKeys,
    keyStore,
    keyward,
    clock: deps.clock ?? systemClock,
    publish: (event) => events.publish(event),
    onChange: (change) => {
      metrics.stateChanges.inc({ from: change.from, to: change.to, finding: change.finding });
      notify({ type: 'byok.state_changed', ...change });
    },
    graceMs: Math.min(config.health.graceSeconds, config.cache.ttlSeconds) * 1000,
  });
  const dataPlane = new DataPlane(
    keyward,
    (operation, ok, failed) => {
      if (ok > 0) metrics.dataPlaneItems.inc({ operation, outcome: 'success' }, ok);
      if (failed > 0) metrics.dataPlaneItems.inc({ operation, outcome: 'failure' }, failed);
    },
    (tenantId, finding) =>
      health.apply(tenantId, finding).then(
        () => undefined,
        () => undefined,
      ),
  );
  const tokens = new ApiTokens(db, deps.operatorToken, now, config.tokenCacheSeconds * 1000);
  const platform = platformIdentity(serviceRoleArn);
  return {
    config,
    platform,
    audit,
    tenants,
    lifecycle,
    keys,
    dataPlane,
    health,
    events,
    webhooks,
    jobs,
    runner,
    rootRotation,
    platformRoots,
    keyward,
    rootKeys,
    metrics,
    tokens,
    tokenAdmin: new TokenAdmin(db, tokens, audit),
    views: new ReadModels({ byokConfigs, tenants, platformRoots, keyStore, platform }),
    consoleSessions: new ConsoleSessions(db, tokens, deps.operatorToken),
    async ready() {
      try {
        await sql`select 1`.execute(db);
        return true;
      } catch {
        return false;
      }
    },
    close: () => {
      webhooks.stop();
      keyward.close();
    },
  };
}
