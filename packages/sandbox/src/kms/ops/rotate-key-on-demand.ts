import { AwsError } from '../../protocol/aws-error.js';
import { requireUsableForCrypto, rotateKeyMaterial } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';
import { ON_DEMAND_ROTATION_LIMIT, requireRotatable } from '../rotation-rules.js';

/** On-demand rotation completes immediately in the sandbox; older material still decrypts. */
export const rotateKeyOnDemand: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:RotateKeyOnDemand');
  requireUsableForCrypto(key);
  requireRotatable(key);
  if (key.rotation.onDemandCount >= ON_DEMAND_ROTATION_LIMIT) {
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
