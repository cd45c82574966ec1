export { openStore, type Store, type StoreLocation } from './store/open-store.js';
export { emptyStoreDump } from './store/empty-store-dump.js';
export { migrateToLatest } from './store/migrate.js';
export { SqlTenantKeyStore } from './store/tenant-key-store.js';
export type { Database } from './store/schema.js';
export { loadConfig, ConfigError, ENV_NAMES, CONFIG_FILE_ENV } from './config/load-config.js';
export {
  serverConfigSchema,
  SERVER_DEFAULTS,
  type ServerConfig,
  type ServerConfigInput,
} from './config/schema.js';
export {
  AuditLog,
  canonicalJson,
  eventHash,
  GENESIS_HASH,
  type AuditEntry,
  type AuditEvent,
} from './services/audit-log.js';
export { ApiTokens, type Principal, type TokenKind } from './services/api-tokens.js';
export {
  transition,
  allowedEvents,
  BYOK_STATES,
  CMK_STATES,
  ByokStateConflict,
  type ByokState,
  type ByokEvent,
} from './store/byok-states.js';
export { Tenants, type TenantView } from './services/tenants.js';
export { listAuditEvents, type AuditQuery } from './services/audit-log.js';
export { ByokLifecycle } from './services/byok-lifecycle.js';
export { KeyManagement } from './services/key-management.js';
export { DataPlane, type ItemResult } from './services/data-plane.js';
export { RootKeys } from './services/root-keys.js';
export { createServices, type Services, type ServiceDeps } from './services/services.js';
export { AuditedKmsPort, AuditedStsPort, type AwsCallRecorder } from './aws/audited-ports.js';
export { platformAws, sandboxAdminCredentials, type PlatformAws } from './aws/platform-aws.js';
export { withActor, currentActor } from './aws/request-actor.js';
export { buildApp } from './app/build-app.js';
export { ROUTES } from './http/api-routes.js';
export { openApiDocument } from './http/openapi.js';
export { Metrics } from './observability/metrics.js';
export {
  startServer,
  type RunningServer,
  type StartServerOptions,
  type DemoTenant,
} from './start/start-server.js';
