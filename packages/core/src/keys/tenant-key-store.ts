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

/** A version re-wrapped under a new root key, and the root it was under (its compare-and-set). */
export interface ReplacedVersion extends WrappedKeyVersion {
  fromRootId: string;
}

/** Every version of a tenant moved under one root key, as one unit of work. */
export interface RootChange {
  /** The root key every version is under once the change commits. */
  toRootId: string;
  /** Versions re-wrapped under `toRootId`, each replaced only if still under its `fromRootId`. */
  replaced: ReplacedVersion[];
  /**
   * A new latest version under `toRootId` (enabling BYOK), appended only if the latest is still
   * `expectedLatest`. It also becomes the encryption floor: nothing new is encrypted again under a
   * version born under the previous root key.
   */
  added?: { record: WrappedKeyVersion; expectedLatest: number };
}

/** What a store commit changes, as a guard sees it (for its audit event, for instance). */
export type KeyChange =
  | { kind: 'create'; record: WrappedKeyVersion }
  | { kind: 'rotate'; record: WrappedKeyVersion; expectedLatest: number }
  | { kind: 'floors'; policy: KeyVersionPolicy; expected: KeyVersionPolicy }
  | { kind: 'root'; change: RootChange };

/**
 * The caller's own checks and writes, run first inside the store's transaction `tx` (the server's
 * BYOK state compare-and-set): if it throws, nothing of the change is written. It may return a
 * finishing step, which the store runs in the same transaction after its own writes (the server
 * appends its audit event there, so that the audit log's lock is held only for the commit's end).
 */
export type StoreGuard<Tx> = (tx: Tx, change: KeyChange) => Promise<void | GuardFinish<Tx>>;

/** What a guard leaves for the end of the unit of work; if it throws, nothing is written either. */
export type GuardFinish<Tx> = (tx: Tx) => Promise<void>;

/** Why a root change was refused although nothing it re-wrapped had moved: retried by the keyring. */
export const STRAY_VERSION = 'stray-version';

/**
 * The port through which core's keyring makes every change to a tenant's keys. Each change is one
 * unit of work with its compare-and-set, and takes an optional guard that joins it (`Tx` is the
 * store's transaction type), so the caller's own writes commit with it or not at all.
 */
export interface TenantKeyStore<Tx = unknown> {
  getPolicy(tenantId: string): Promise<KeyVersionPolicy | undefined>;
  getVersion(tenantId: string, version: number): Promise<WrappedKeyVersion | undefined>;
  listVersions(tenantId: string): Promise<WrappedKeyVersion[]>;
  /** Creates the tenant's keyring with version 1; throws KW_TENANT_EXISTS if it has one. */
  createKeyring(tenantId: string, first: WrappedKeyVersion, guard?: StoreGuard<Tx>): Promise<void>;
  /**
   * Appends `record` as the new latest version if the latest is still `expectedLatest` and is
   * under the same root key (compare-and-set); throws KW_CONCURRENT_MODIFICATION otherwise.
   */
  addVersion(
    tenantId: string,
    record: WrappedKeyVersion,
    expectedLatest: number,
    guard?: StoreGuard<Tx>,
  ): Promise<void>;
  /** Replaces the floors if the policy is still `expected`; throws KW_CONCURRENT_MODIFICATION otherwise. */
  setPolicy(
    tenantId: string,
    policy: KeyVersionPolicy,
    expected: KeyVersionPolicy,
    guard?: StoreGuard<Tx>,
  ): Promise<void>;
  /**
   * Commits a root change all at once or not at all: every replaced version still under its old
   * root, the added version still next, and at the end no version under any root but `toRootId`.
   * A version found under another root that the change does not replace (a rotation added it
   * meanwhile) fails with KW_CONCURRENT_MODIFICATION whose `details.conflict` is STRAY_VERSION.
   */
  commitRootChange(tenantId: string, change: RootChange, guard?: StoreGuard<Tx>): Promise<void>;
}
