import type { CachedRootMove } from './keys/caching-key-provider.js';
import type { CacheStats, TenantKeyCacheOptions } from './keys/tenant-key-cache.js';
import type { Clock } from './clock.js';
import type { EncryptionContext } from './envelope/context-encoding.js';
import type { RootKey, RootKeyResolver } from './keys/root-key.js';
import type {
  CreateOptions,
  FloorsUpdate,
  Guarded,
  KeyringInfo,
  KeyVersionInfo,
  RootMoveResult,
} from './keys/tenant-keyring.js';
import type { KeyVersionPolicy, TenantKeyStore } from './keys/tenant-key-store.js';
import type { Logger } from './logger.js';
import type { RandomSource } from './random.js';

/**
 * The public surface of the in-process library: what createKeyward takes and returns. `Tx` is the
 * store's transaction type, which the guards of key changes receive (see StoreGuard).
 */
export interface KeywardOptions<Tx = unknown> {
  store: TenantKeyStore<Tx>;
  /** The root key of every tenant, or a function giving each tenant's. */
  rootKeys: RootKeyResolver;
  cache?: TenantKeyCacheOptions;
  clock?: Clock;
  random?: RandomSource;
  logger?: Logger;
  limits?: { maxPlaintextBytes?: number };
}

export interface EncryptOptions {
  /** Encrypt under this version instead of the latest; refused below the floors. */
  keyVersion?: number;
}

export interface DataKey {
  /**
   * The plaintext data key: use it, then zero it (`fill(0)`). Not enumerable, so that serialising
   * or logging the DataKey never shows it, and spreading or structuredClone drops it; read it as
   * `dataKey.plaintextKey`.
   */
  plaintextKey: Buffer;
  /** The data key encrypted under the tenant key (binary form); keep it next to the data. */
  wrappedKey: Buffer;
  keyVersion: number;
}

export interface Keyward<Tx = unknown> {
  /** Version 1 of a new tenant's key; `options.guard` commits the caller's own rows with it. */
  createTenantKey(tenantId: string, options?: CreateOptions<Tx>): Promise<KeyVersionInfo>;
  encrypt(
    tenantId: string,
    plaintext: Uint8Array | string,
    context?: EncryptionContext,
    options?: EncryptOptions,
  ): Promise<Buffer>;
  /** encrypt(), returning the text form `kw1:…` for JSON. */
  encryptText(
    tenantId: string,
    plaintext: Uint8Array | string,
    context?: EncryptionContext,
    options?: EncryptOptions,
  ): Promise<string>;
  /** Accepts the binary form (bytes) or the text form (string). */
  decrypt(tenantId: string, ciphertext: Uint8Array | string, context?: EncryptionContext): Promise<Buffer>;
  /** A ciphertext of the same plaintext under the latest allowed version, in the form it came in. */
  rewrap<C extends Uint8Array | string>(
    tenantId: string,
    ciphertext: C,
    context?: EncryptionContext,
  ): Promise<C extends string ? string : Buffer>;
  generateDataKey(
    tenantId: string,
    context?: EncryptionContext,
    options?: { bytes?: number },
  ): Promise<DataKey>;
  rotateTenantKey(tenantId: string, options?: Guarded<Tx>): Promise<KeyVersionInfo>;
  listKeyVersions(tenantId: string): Promise<KeyringInfo>;
  setFloors(tenantId: string, floors: FloorsUpdate, options?: Guarded<Tx>): Promise<KeyVersionPolicy>;
  /** Re-wraps every tenant key version from one root key to another (enable BYOK, switch CMK, revert). */
  rewrapTenantKeys(tenantId: string, from: RootKey, to: RootKey): Promise<{ rewrapped: number }>;
  /**
   * Moves every version under `move.to` (re-wrapped from the root `move.from` names, each checked),
   * optionally adding a new latest version, committed at once with `move.guard`.
   */
  moveTenantKeys(tenantId: string, move: CachedRootMove<Tx>): Promise<RootMoveResult>;
  /** Drops and zeroes a tenant's unwrapped keys now (revocation); the next use asks the root key again. */
  evict(tenantId: string): number;
  evictAll(): number;
  stats(): CacheStats;
  /** Zeroes every cached key and stops the cache's timers. */
  close(): void;
}
