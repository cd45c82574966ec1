import { daysFrom, requireUsableForCrypto } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';
import { requireRotatable } from '../rotation-rules.js';

/** Rotation is applied lazily when the key is next used after NextRotationDate (see key-state.ts). */
export const enableKeyRotation: KmsHandler = async (context, input) => {
  const period = input.integer('RotationPeriodInDays', { min: 90, max: 2560 });
  const key = await managedKey(context, input, 'kms:EnableKeyRotation');
  requireUsableForCrypto(key);
  requireRotatable(key);
  key.rotation.enabled = true;
  key.rotation.periodDays = period ?? 365;
  key.rotation.nextRotationDate = daysFrom(context.now(), key.rotation.periodDays);
  context.store.commit();
  return undefined;
};
