import { KeywardError } from '../errors.js';
import type { KeyVersionPolicy, TenantKeyStore, WrappedKeyVersion } from './tenant-key-store.js';

interface Keyring {
  policy: KeyVersionPolicy;
  versions: Map<number, WrappedKeyVersion>;
}

function copy(record: WrappedKeyVersion): WrappedKeyVersion {
  return { ...record, wrappedKey: Uint8Array.from(record.wrappedKey), createdAt: new Date(record.createdAt) };
}

function samePolicy(a: KeyVersionPolicy, b: KeyVersionPolicy): boolean {
  return (
    a.latestVersion === b.latestVersion &&
    a.minEncryptionVersion === b.minEncryptionVersion &&
    a.minDecryptionVersion === b.minDecryptionVersion
  );
}

/** An in-memory TenantKeyStore with the same semantics as the server's, for tests and examples. */
export class MemoryTenantKeyStore implements TenantKeyStore {
  readonly #keyrings = new Map<string, Keyring>();

  getPolicy(tenantId: string): Promise<KeyVersionPolicy | undefined> {
    const keyring = this.#keyrings.get(tenantId);
    return Promise.resolve(keyring === undefined ? undefined : { ...keyring.policy });
  }

  getVersion(tenantId: string, version: number): Promise<WrappedKeyVersion | undefined> {
    const record = this.#keyrings.get(tenantId)?.versions.get(version);
    return Promise.resolve(record === undefined ? undefined : copy(record));
  }

  listVersions(tenantId: string): Promise<WrappedKeyVersion[]> {
    const versions = [...(this.#keyrings.get(tenantId)?.versions.values() ?? [])];
    return Promise.resolve(versions.sort((a, b) => a.version - b.version).map(copy));
  }

  createKeyring(tenantId: string, first: WrappedKeyVersion): Promise<void> {
    if (this.#keyrings.has(tenantId)) return Promise.reject(new KeywardError('KW_TENANT_EXISTS'));
    const policy = { latestVersion: first.version, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    this.#keyrings.set(tenantId, { policy, versions: new Map([[first.version, copy(first)]]) });
    return Promise.resolve();
  }

  addVersion(tenantId: string, record: WrappedKeyVersion, expectedLatest: number): Promise<void> {
    const keyring = this.#keyrings.get(tenantId);
    if (keyring === undefined) return Promise.reject(new KeywardError('KW_TENANT_NOT_FOUND'));
    if (keyring.policy.latestVersion !== expectedLatest || record.version !== expectedLatest + 1) {
      return Promise.reject(new KeywardError('KW_CONCURRENT_MODIFICATION'));
    }
    keyring.versions.set(record.version, copy(record));
    keyring.policy = { ...keyring.policy, latestVersion: record.version };
    return Promise.resolve();
  }

  setPolicy(tenantId: string, policy: KeyVersionPolicy, expected: KeyVersionPolicy): Promise<void> {
    const keyring = this.#keyrings.get(tenantId);
    if (keyring === undefined) return Promise.reject(new KeywardError('KW_TENANT_NOT_FOUND'));
    if (!samePolicy(keyring.policy, expected))
      return Promise.reject(new KeywardError('KW_CONCURRENT_MODIFICATION'));
    keyring.policy = { ...policy };
    return Promise.resolve();
  }

  replaceWrappedKeys(
    tenantId: string,
    records: WrappedKeyVersion[],
    expectedRootKeyId?: string,
  ): Promise<void> {
    const keyring = this.#keyrings.get(tenantId);
    if (keyring === undefined) return Promise.reject(new KeywardError('KW_TENANT_NOT_FOUND'));
    // Check every version first so that a bad one leaves nothing half-replaced.
    const missing = records.find((record) => !keyring.versions.has(record.version));
    if (missing !== undefined)
      return Promise.reject(
        new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { version: missing.version } }),
      );
    const moved =
      expectedRootKeyId !== undefined &&
      records.some((record) => keyring.versions.get(record.version)?.rootKeyId !== expectedRootKeyId);
    if (moved)
      return Promise.reject(
        new KeywardError('KW_CONCURRENT_MODIFICATION', {
          message: 'A tenant key version was re-wrapped concurrently; nothing was replaced.',
        }),
      );
    for (const record of records) keyring.versions.set(record.version, copy(record));
    return Promise.resolve();
  }
}
