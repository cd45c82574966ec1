import { epochSeconds } from '../key-metadata.js';
import { requireNotPendingDeletion } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** Works across accounts (by key ARN), unlike the other rotation calls. */
export const getKeyRotationStatus: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:GetKeyRotationStatus', true);
  requireNotPendingDeletion(key);
  const { rotation } = key;
  return {
    KeyRotationEnabled: rotation.enabled,
    KeyId: key.arn,
    ...(rotation.enabled ? { RotationPeriodInDays: rotation.periodDays } : {}),
    ...(rotation.enabled && rotation.nextRotationDate !== undefined
      ? { NextRotationDate: epochSeconds(rotation.nextRotationDate) }
      : {}),
  };
};
