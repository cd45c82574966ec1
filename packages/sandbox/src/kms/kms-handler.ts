import type { OperationContext } from '../operation-context.js';
import type { KmsInput } from './kms-input.js';

/** One KMS operation: validated input in, the JSON output (or nothing, for void operations) out. */
export type KmsHandler = (
  context: OperationContext,
  input: KmsInput,
) => Promise<Record<string, unknown> | undefined>;

/** Shared parameter rules from the KMS API model. */
export const KEY_ID_RULES = { required: true, min: 1, max: 2048 } as const;
export const POLICY_RULES = { min: 1, max: 32768 } as const;
export const ALGORITHM_VALUES = [
  'SYMMETRIC_DEFAULT',
  'RSAES_OAEP_SHA_1',
  'RSAES_OAEP_SHA_256',
  'SM2PKE',
] as const;
