import { AwsError } from '../../protocol/aws-error.js';
import type { KmsKeyState } from '../../state/types.js';
import { epochSeconds } from '../key-metadata.js';
import { daysFrom, requireNotPendingDeletion, requireUsableForCrypto, rotateKeyMaterial } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** Only symmetric encryption keys with AWS-generated material rotate. */
function requireRotatable(key: KmsKeyState): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS') throw new AwsError('UnsupportedOperationException');
}

const ON_DEMAND_LIMIT = 10;

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

export const disableKeyRotation: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:DisableKeyRotation');
  requireUsableForCrypto(key);
  requireRotatable(key);
  key.rotation.enabled = false;
  delete key.rotation.nextRotationDate;
  context.store.commit();
  return undefined;
};

export const getKeyRotationStatus: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:GetKeyRotationStatus', true);
  requireNotPendingDeletion(key);
  const { rotation } = key;
  return {
    KeyRotationEnabled: rotation.enabled,
    KeyId: key.arn,
    ...(rotation.enabled ? { RotationPeriodInDays: rotation.periodDays } : {}),
    ...(rotation.enabled && rotation.nextRotationDate !== undefined ? { NextRotationDate: epochSeconds(rotation.nextRotationDate) } : {}),
  };
};

/** On-demand rotation completes immediately in the sandbox; AWS allows ten per key. */
export const rotateKeyOnDemand: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:RotateKeyOnDemand');
  requireUsableForCrypto(key);
  requireRotatable(key);
  if (key.rotation.onDemandCount >= ON_DEMAND_LIMIT) {
    throw new AwsError(
      'LimitExceededException',
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`,
    );
  }
  key.rotation.onDemandCount++;
  rotateKeyMaterial(key, context.now(), 'ON_DEMAND');
  context.store.commit();
  return { KeyId: key.arn };
};
