import { createKeyward, platformIdentity, systemClock, type Clock, type Keyward, type KmsPort, type Logger, type PlatformIdentity, type RootKey, type StsPort } from '@keyward/core';
import { sql, type Kysely } from 'kysely';
import { AuditedKmsPort, type AwsCallRecorder } from '../aws/audited-ports.js';
import type { ServerConfig } from '../config/schema.js';
import { Metrics } from '../observability/metrics.js';
import type { Database } from '../store/schema.js';
import { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import { ApiTokens } from './api-tokens.js';
import { AuditLog } from './audit-log.js';
import { ByokLifecycle } from './byok-lifecycle.js';
import { DataPlane } from './data-plane.js';
import { HealthMonitor } from './health-monitor.js';
import { KeyManagement } from './key-management.js';
import { RootKeys } from './root-keys.js';
import { TenantEvents } from './tenant-events.js';
import { Webhooks } from './webhooks.js';
import { Tenants } from './tenants.js';
import { memoryNotifications, type Notifications } from '../store/notifications.js';

export interface Services {
  config: ServerConfig;
  platform: PlatformIdentity;
  db: Kysely<Database>;
  audit: AuditLog;
  tokens: ApiTokens;
  tenants: Tenants;
  lifecycle: ByokLifecycle;
  keys: KeyManagement;
  dataPlane: DataPlane;
  health: HealthMonitor;
  events: TenantEvents;
  webhooks: Webhooks;
  keyward: Keyward;
  rootKeys: RootKeys;
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
  clock?: Clock;
  logger?: Logger;
}

/** Wires the server's services together: one store, one audit log, one key cache. */
export async function createServices(deps: ServiceDeps): Promise<Services> {
  const { config, db } = deps;
  const now = deps.clock === undefined ? () => new Date() : () => new Date(deps.clock!.now());
  const audit = new AuditLog(db, now);
  // Read at scrape time only, when `keyward` (created below) exists.
  const metrics = new Metrics(() => keyward.stats(), async () => {
    const rows = await db.selectFrom('byok_configs').select(['state', sql<string>`count(*)`.as('count')]).groupBy('state').execute();
    return rows.map((row) => ({ state: row.state, count: Number(row.count) }));
  });
  const recorder: AwsCallRecorder = {
    async record(entry, call) {
      metrics.awsCalls.inc({ service: call.service, operation: call.operation, outcome: entry.outcome });
      await audit.append(entry);
    },
  };
  const platformRoot = await deps.platformRoot(new AuditedKmsPort(deps.kms, recorder));
  const rootKeys = new RootKeys({ db, kms: deps.kms, sts: deps.sts, recorder, platformRoot, ...(deps.clock === undefined ? {} : { clock: deps.clock }) });
  const keyStore = new SqlTenantKeyStore(db);
  const keyward = createKeyward({
    store: keyStore,
    rootKeys: rootKeys.resolve,
    cache: { ttlMs: config.cache.ttlSeconds * 1000 },
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.logger === undefined ? {} : { logger: deps.logger }),
  });
  const tenants = new Tenants(db, audit, now, platformRoot);
  const serviceRoleArn = config.platform.serviceRoleArn;
  const lifecycle = new ByokLifecycle({ db, audit, tenants, rootKeys, keyStore, keyward, serviceRoleArn, now, publish: (event) => events.publish(event) });
  const keys = new KeyManagement(db, keyward, audit);
  const events = new TenantEvents(deps.notifications ?? memoryNotifications(), (error) => deps.logger?.warn({ err: error }, 'could not tell other instances'));
  const webhooks = new Webhooks(db, platformRoot, { retryBaseMs: config.webhooks.retryBaseMs, onDelivery: (outcome) => metrics.webhookDeliveries.inc({ outcome }) });
  const health = new HealthMonitor({
    db, audit, rootKeys, keyStore, keyward, clock: deps.clock ?? systemClock, publish: (event) => events.publish(event),
    onChange: (change) => {
      metrics.stateChanges.inc({ from: change.from, to: change.to, finding: change.finding });
      void webhooks.notify({ type: 'byok.state_changed', ...change }).catch((error: unknown) => deps.logger?.warn({ err: error }, 'webhook lookup failed'));
    },
    graceMs: Math.min(config.health.graceSeconds, config.cache.ttlSeconds) * 1000,
  });
  const dataPlane = new DataPlane(keyward, (operation, ok, failed) => {
    if (ok > 0) metrics.dataPlaneItems.inc({ operation, outcome: 'success' }, ok);
    if (failed > 0) metrics.dataPlaneItems.inc({ operation, outcome: 'failure' }, failed);
  }, (tenantId, finding) => health.apply(tenantId, finding).then(() => undefined, () => undefined));
  return {
    config, platform: platformIdentity(serviceRoleArn), db, audit, tenants, lifecycle, keys, dataPlane, health, events, webhooks, keyward, rootKeys, metrics,
    tokens: new ApiTokens(db, deps.operatorToken, now, config.tokenCacheSeconds * 1000),
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
