import { AwsError } from '../protocol/aws-error.js';
import type { KmsKeyState } from '../state/types.js';

/** Symmetric keys only take the SYMMETRIC_DEFAULT encryption algorithm. */
export function requireSymmetricAlgorithm(key: KmsKeyState, algorithm: string | undefined): void {
  if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'InvalidKeyUsageException',
      `The requested algorithm ${algorithm} is not compatible with the KMS key ${key.arn}.`,
    );
  }
}
