import { requireNotPendingDeletion } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

export const enableKey: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:EnableKey');
  requireNotPendingDeletion(key);
  key.state = 'Enabled';
  context.store.commit();
  return undefined;
};
