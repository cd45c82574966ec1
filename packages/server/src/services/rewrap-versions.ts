import { KeywardError, rewrapWrappedKey, type RootKey, type WrappedKeyVersion } from '@keyward/core';
import type { ReplacedVersion } from './key-transition.js';

/**
 * Re-wraps every version not yet under `to`, each from the root `fromFor` names for it, checking
 * each by unwrapping it again (core's `rewrapWrappedKey`). Nothing is written here: the caller
 * commits all of them at once, so an interruption leaves every version where it was.
 */
export async function rewrapVersions(
  tenantId: string,
  records: WrappedKeyVersion[],
  fromFor: (record: WrappedKeyVersion) => RootKey | Promise<RootKey>,
  to: RootKey,
  progress?: (done: number, total: number) => Promise<void>,
): Promise<ReplacedVersion[]> {
  if (records.length === 0) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
  const pending = records.filter((record) => record.rootKeyId !== to.id);
  const replaced: ReplacedVersion[] = [];
  await progress?.(0, pending.length);
  for (const record of pending) {
    const from = await fromFor(record);
    replaced.push({
      ...record,
      wrappedKey: await rewrapWrappedKey(tenantId, record, from, to),
      rootKeyId: to.id,
      fromRootId: record.rootKeyId,
    });
    await progress?.(replaced.length, pending.length);
  }
  return replaced;
}

/** `fromFor` that accepts only versions under one expected root. */
export function onlyFrom(from: RootKey): (record: WrappedKeyVersion & { tenantId?: string }) => RootKey {
  return (record) => {
    if (record.rootKeyId !== from.id)
      throw new KeywardError('KW_ROOT_KEY_MISMATCH', {
        details: { version: record.version, wrappedBy: record.rootKeyId, expected: from.id },
      });
    return from;
  };
}
