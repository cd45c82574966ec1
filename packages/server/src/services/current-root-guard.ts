import { isKeywardError, KeywardError } from '@keyward/core';
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Inside a transaction that writes something wrapped by a platform key (a new tenant's key, a
 * revert, a rotation's re-wrap, a webhook secret): refuses unless that key is still the current
 * one, and holds its row (FOR SHARE) until the commit. A rotation's switch of the current key waits
 * for such writes and sees them; a write that started under the old key fails and is retried with
 * the new one, so nothing is ever written under a key that is retiring or retired.
 */
export async function requireCurrentPlatformKey(
  trx: Transaction<Database>,
  rootKeyId: string,
): Promise<void> {
  const row = await trx
    .selectFrom('platform_root_keys')
    .select('state')
    .where('id', '=', rootKeyId)
    .forShare()
    .executeTakeFirst();
  // Not a platform key at all (a customer's CMK): nothing to hold.
  if (row === undefined) return;
  if (row.state !== 'current') {
    throw new KeywardError('KW_CONCURRENT_MODIFICATION', {
      message: 'The platform root key was rotated meanwhile; retry (the new key is used).',
      details: { rootKeyId },
    });
  }
}

/** Runs a write that chooses the current platform key, again (up to three times) if a rotation refused it meanwhile. */
export async function retryAcrossRotation<T>(write: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!isKeywardError(error, 'KW_CONCURRENT_MODIFICATION') || attempt >= 3) throw error;
    }
  }
}
