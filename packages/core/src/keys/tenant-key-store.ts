/**
 * Where wrapped tenant keys live. Core defines the interface; the server implements it on
 * PostgreSQL and core ships `MemoryTenantKeyStore` for tests and examples. Nothing in a store is
 * usable without the root key: it holds only wrapped keys and version numbers.
 */
export interface KeyVersionPolicy {
  /** The newest version; encryption uses it unless the caller asks for another allowed one. */
  latestVersion: number;
  /** 0 = no floor; otherwise the lowest version encryption may use (Vault's min_encryption_version). */
  minEncryptionVersion: number;
  /** The lowest version decryption accepts, ≥ 1 (Vault's min_decryption_version). */
  minDecryptionVersion: number;
}

export interface WrappedKeyVersion {
  version: number;
  /** The tenant key as the root key wrapped it (a KMS ciphertext blob, or a local-root envelope). */
  wrappedKey: Uint8Array;
  /** Which root key wrapped it: a KMS key ARN or a local root key's fingerprint ID. */
  rootKeyId: string;
  createdAt: Date;
}

export interface TenantKeyStore {
  getPolicy(tenantId: string): Promise<KeyVersionPolicy | undefined>;
  getVersion(tenantId: string, version: number): Promise<WrappedKeyVersion | undefined>;
  listVersions(tenantId: string): Promise<WrappedKeyVersion[]>;
  /** Creates the tenant's keyring with version 1; throws KW_TENANT_EXISTS if it has one. */
  createKeyring(tenantId: string, first: WrappedKeyVersion): Promise<void>;
  /**
   * Appends `record` as the new latest version if the latest is still `expectedLatest`
   * (compare-and-set); throws KW_CONCURRENT_MODIFICATION otherwise.
   */
  addVersion(tenantId: string, record: WrappedKeyVersion, expectedLatest: number): Promise<void>;
  /** Replaces the floors if the policy is still `expected`; throws KW_CONCURRENT_MODIFICATION otherwise. */
  setPolicy(tenantId: string, policy: KeyVersionPolicy, expected: KeyVersionPolicy): Promise<void>;
  /**
   * Atomically replaces the wrapped form of the given versions (re-wrapping under a new root key):
   * all of them or none. With `expectedRootKeyId`, every one of them must still be wrapped by that
   * root (compare-and-set), else KW_CONCURRENT_MODIFICATION and nothing changes.
   */
  replaceWrappedKeys(
    tenantId: string,
    records: WrappedKeyVersion[],
    expectedRootKeyId?: string,
  ): Promise<void>;
}
