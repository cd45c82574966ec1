import { AwsError } from '../protocol/aws-error.js';
import type { KmsKeyState } from '../state/types.js';

/** Only symmetric encryption keys with AWS-generated material rotate. */
export function requireRotatable(key: KmsKeyState): void {
  if (key.keySpec !== 'SYMMETRIC_DEFAULT' || key.origin !== 'AWS_KMS')
    throw new AwsError('UnsupportedOperationException');
}

/** AWS allows ten on-demand rotations per key. */
export const ON_DEMAND_ROTATION_LIMIT = 10;
