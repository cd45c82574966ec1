export { openStore, type Store, type StoreLocation } from './store/open-store.js';
export { migrateToLatest } from './store/migrate.js';
export { SqlTenantKeyStore } from './store/tenant-key-store.js';
export type { Database } from './store/schema.js';
