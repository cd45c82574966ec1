import { requireUsableForCrypto } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';
import { requireRotatable } from '../rotation-rules.js';

export const disableKeyRotation: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:DisableKeyRotation');
  requireUsableForCrypto(key);
  requireRotatable(key);
  key.rotation.enabled = false;
  delete key.rotation.nextRotationDate;
  context.store.commit();
  return undefined;
};
