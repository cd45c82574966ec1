import { timingSafeEqual } from 'node:crypto';
import { KeywardError } from '../errors.js';
import type { RootKey } from './root-key.js';
import type { SecretKey } from './secret-key.js';
import type { ReplacedVersion, WrappedKeyVersion } from './tenant-key-store.js';

/**
 * One version's wrapped key re-wrapped from one root key to another, checked by unwrapping it
 * again: the caller may drop the old wrapped key only once this returns.
 */
export async function rewrapWrappedKey(
  tenantId: string,
  record: WrappedKeyVersion,
  from: RootKey,
  to: RootKey,
): Promise<Uint8Array> {
  const context = { tenantId, version: record.version };
  const key = await from.unwrap(record.wrappedKey, context);
  let check: SecretKey | undefined;
  try {
    const wrapped = await to.wrap(key, context);
    check = await to.unwrap(wrapped, context);
    /* Precondition: the new wrapped key unwraps to the same tenant key before the old one is dropped. */
    if (check.length !== key.length || !timingSafeEqual(check.bytes(), key.bytes())) {
      throw new KeywardError('KW_ROOT_KEY_UNWRAP_FAILED', {
        message: `Re-wrapped version ${record.version} did not unwrap to the same key; nothing was replaced.`,
      });
    }
    return wrapped;
  } finally {
    key.zero();
    check?.zero();
  }
}

/**
 * Re-wraps each pending version from the root `sources` names for it to `to`, reporting progress.
 * Nothing is written here: the keyring commits them all at once.
 */
export async function rewrapAllPending(
  tenantId: string,
  pending: Array<{ record: WrappedKeyVersion; from: RootKey }>,
  to: RootKey,
  progress?: (done: number, total: number) => Promise<void>,
): Promise<ReplacedVersion[]> {
  const replaced: ReplacedVersion[] = [];
  await progress?.(0, pending.length);
  for (const { record, from } of pending) {
    replaced.push({
      version: record.version,
      wrappedKey: await rewrapWrappedKey(tenantId, record, from, to),
      rootKeyId: to.id,
      createdAt: record.createdAt,
      fromRootId: record.rootKeyId,
    });
    await progress?.(replaced.length, pending.length);
  }
  return replaced;
}

/** A key move's source that accepts only versions under one expected root key, refusing any other. */
export function onlyFrom(tenantId: string, from: RootKey): (record: WrappedKeyVersion) => RootKey {
  return (record) => {
    if (record.rootKeyId !== from.id)
      throw new KeywardError('KW_ROOT_KEY_MISMATCH', {
        details: { tenantId, version: record.version, wrappedBy: record.rootKeyId, expected: from.id },
      });
    return from;
  };
}
