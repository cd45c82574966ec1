import { requireNotPendingDeletion } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** A disabled key refuses every cryptographic operation (DisabledException) until enabled again. */
export const disableKey: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:DisableKey');
  requireNotPendingDeletion(key);
  key.state = 'Disabled';
  context.store.commit();
  return undefined;
};
