import type { OperationContext } from '../operation-context.js';
import { parsePolicy, PolicyDocumentError } from '../policy/parse-policy.js';
import type { Policy } from '../policy/types.js';
import { findInvalidPrincipal } from '../policy/validate-principals.js';
import { AwsError } from '../protocol/aws-error.js';
import { keyConditionContext } from './authorize-key.js';
import type { KmsKeyState } from '../state/types.js';

/**
 * What KMS checks before it accepts a key policy (CreateKey, PutKeyPolicy): the document is
 * valid, every principal exists, and, unless BypassPolicyLockoutSafetyCheck is set, the caller
 * could still change the policy afterwards (KMS's lockout safety check).
 */
export function validateKeyPolicy(
  context: OperationContext,
  text: string,
  key: KmsKeyState,
  bypassLockoutCheck: boolean,
): Policy {
  let policy: Policy;
  try {
    policy = parsePolicy(text, 'key');
  } catch (error) {
    if (error instanceof PolicyDocumentError)
      throw new AwsError('MalformedPolicyDocumentException', error.message);
    throw error;
  }
  if (findInvalidPrincipal(context.store, policy)) {
    throw new AwsError(
      'MalformedPolicyDocumentException',
      'Policy contains a statement with one or more invalid principals.',
    );
  }
  if (!bypassLockoutCheck) {
    const decision = context.decide({
      action: 'kms:PutKeyPolicy',
      resource: key.arn,
      context: keyConditionContext(context, key),
      resourcePolicy: { policy, account: key.account },
    });
    if (!decision.allowed) {
      throw new AwsError(
        'MalformedPolicyDocumentException',
        'The new key policy will not allow you to update the key policy in the future.',
      );
    }
  }
  return policy;
}
