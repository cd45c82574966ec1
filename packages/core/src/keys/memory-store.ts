import { KeywardError } from '../errors.js';
import {
  STRAY_VERSION,
  type KeyChange,
  type KeyVersionPolicy,
  type RootChange,
  type StoreGuard,
  type TenantKeyStore,
  type WrappedKeyVersion,
} from './tenant-key-store.js';

interface Keyring {
  policy: KeyVersionPolicy;
  versions: Map<number, WrappedKeyVersion>;
}

function copy(record: WrappedKeyVersion): WrappedKeyVersion {
  return {
    version: record.version,
    wrappedKey: Uint8Array.from(record.wrappedKey),
    rootKeyId: record.rootKeyId,
    createdAt: new Date(record.createdAt),
  };
}

function samePolicy(a: KeyVersionPolicy, b: KeyVersionPolicy): boolean {
  return (
    a.latestVersion === b.latestVersion &&
    a.minEncryptionVersion === b.minEncryptionVersion &&
    a.minDecryptionVersion === b.minDecryptionVersion
  );
}

const conflict = (message?: string, details?: Record<string, unknown>) =>
  new KeywardError('KW_CONCURRENT_MODIFICATION', {
    ...(message === undefined ? {} : { message }),
    ...(details === undefined ? {} : { details }),
  });

/**
 * An in-memory TenantKeyStore with the same semantics as the server's, for tests and examples.
 * It has no transactions: a change is checked, then its guard runs (with `undefined` for a
 * transaction), then it is checked again and applied in one synchronous turn. A guard's own effects
 * are therefore not undone when the second check fails; the server's store undoes them.
 */
export class MemoryTenantKeyStore implements TenantKeyStore<undefined> {
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

  createKeyring(tenantId: string, first: WrappedKeyVersion, guard?: StoreGuard<undefined>): Promise<void> {
    return this.#commit({ kind: 'create', record: first }, guard, () => {
      if (this.#keyrings.has(tenantId)) throw new KeywardError('KW_TENANT_EXISTS');
      return () => {
        const policy = { latestVersion: first.version, minEncryptionVersion: 0, minDecryptionVersion: 1 };
        this.#keyrings.set(tenantId, { policy, versions: new Map([[first.version, copy(first)]]) });
      };
    });
  }

  addVersion(
    tenantId: string,
    record: WrappedKeyVersion,
    expectedLatest: number,
    guard?: StoreGuard<undefined>,
  ): Promise<void> {
    return this.#commit({ kind: 'rotate', record, expectedLatest }, guard, () => {
      const keyring = this.#keyring(tenantId);
      /* Precondition: a new version is the next one above the latest, which is still `expectedLatest`. */
      if (keyring.policy.latestVersion !== expectedLatest || record.version !== expectedLatest + 1)
        throw conflict();
      /* Precondition: a new version is under the root key its predecessor is under. */
      if (keyring.versions.get(expectedLatest)?.rootKeyId !== record.rootKeyId)
        throw conflict('The tenant moved to another root key during the rotation; nothing was added.');
      return () => {
        keyring.versions.set(record.version, copy(record));
        keyring.policy = { ...keyring.policy, latestVersion: record.version };
      };
    });
  }

  setPolicy(
    tenantId: string,
    policy: KeyVersionPolicy,
    expected: KeyVersionPolicy,
    guard?: StoreGuard<undefined>,
  ): Promise<void> {
    return this.#commit({ kind: 'floors', policy, expected }, guard, () => {
      const keyring = this.#keyring(tenantId);
      if (!samePolicy(keyring.policy, expected)) throw conflict();
      return () => {
        keyring.policy = { ...policy };
      };
    });
  }

  commitRootChange(tenantId: string, change: RootChange, guard?: StoreGuard<undefined>): Promise<void> {
    return this.#commit({ kind: 'root', change }, guard, () => {
      const keyring = this.#keyring(tenantId);
      for (const record of change.replaced) {
        const current = keyring.versions.get(record.version);
        if (current === undefined)
          throw new KeywardError('KW_KEY_VERSION_NOT_FOUND', { details: { version: record.version } });
        /* Precondition: a re-wrapped version replaces its old wrapped key only if it is still under the root it was re-wrapped from. */
        if (current.rootKeyId !== record.fromRootId)
          throw conflict(`Key version ${record.version} was re-wrapped concurrently; nothing was changed.`);
      }
      const added = change.added;
      if (added !== undefined && keyring.policy.latestVersion !== added.expectedLatest)
        throw conflict('A key version was added meanwhile (a rotation); run the operation again.');
      const replaced = new Set(change.replaced.map((record) => record.version));
      const stray = [...keyring.versions.values()].find(
        (record) => !replaced.has(record.version) && record.rootKeyId !== change.toRootId,
      );
      /* Precondition: no version is left under another root after a root change. */
      if (stray !== undefined)
        throw conflict(
          `Key version ${stray.version} appeared under the old root key meanwhile (a rotation); run the operation again.`,
          { tenantId, version: stray.version, conflict: STRAY_VERSION },
        );
      return () => {
        for (const { fromRootId: _from, ...record } of change.replaced)
          keyring.versions.set(record.version, copy(record));
        if (added === undefined) return;
        keyring.versions.set(added.record.version, copy(added.record));
        const version = added.record.version;
        keyring.policy = { ...keyring.policy, latestVersion: version, minEncryptionVersion: version };
      };
    });
  }

  /**
   * Not part of the port (the keyring moves versions only with commitRootChange): replaces the
   * wrapped form of the given versions, all or none, each still under `expectedRootKeyId` if given.
   * Tests use it to play a database writer.
   */
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
        conflict('A tenant key version was re-wrapped concurrently; nothing was replaced.'),
      );
    for (const record of records) keyring.versions.set(record.version, copy(record));
    return Promise.resolve();
  }

  #keyring(tenantId: string): Keyring {
    const keyring = this.#keyrings.get(tenantId);
    if (keyring === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND');
    return keyring;
  }

  /**
   * Checks (`check` throws, or returns how to apply the change), runs the guard, then checks again
   * and applies in the same turn: whatever ran while the guard awaited is seen by the second check.
   */
  async #commit(change: KeyChange, guard: StoreGuard<undefined> | undefined, check: () => () => void) {
    check();
    const finish = guard === undefined ? undefined : await guard(undefined, change);
    check()();
    if (finish !== undefined) await finish(undefined);
  }
}
