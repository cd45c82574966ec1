export { openStore, type Store, type StoreLocation } from './store/open-store.js';
export { migrateToLatest } from './store/migrate.js';
export { SqlTenantKeyStore } from './store/tenant-key-store.js';
export type { Database } from './store/schema.js';
export { loadConfig, ConfigError, ENV_NAMES, CONFIG_FILE_ENV } from './config/load-config.js';
export { serverConfigSchema, SERVER_DEFAULTS, type ServerConfig, type ServerConfigInput } from './config/schema.js';
export { AuditLog, canonicalJson, eventHash, GENESIS_HASH, type AuditEntry, type AuditEvent } from './services/audit-log.js';
export { ApiTokens, type Principal, type TokenKind } from './services/api-tokens.js';
export { transition, allowedEvents, BYOK_STATES, CMK_STATES, ByokStateConflict, type ByokState, type ByokEvent } from './services/byok-states.js';
