import type { OperationContext } from '../operation-context.js';
import { parsePolicy, PolicyDocumentError } from '../policy/parse-policy.js';
import type { Policy, PolicyKind } from '../policy/types.js';
import { findInvalidPrincipal } from '../policy/validate-principals.js';
import { AwsError } from '../protocol/aws-error.js';

/**
 * IAM's checks on a policy document before it is stored, with IAM's MalformedPolicyDocument
 * wording; trust policies must also name principals that exist.
 */
export function checkIamPolicy(
  context: OperationContext,
  text: string,
  kind: Extract<PolicyKind, 'identity' | 'trust'>,
  managed = false,
): Policy {
  let policy: Policy;
  try {
    policy = parsePolicy(text, kind, { managed });
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw new AwsError('MalformedPolicyDocument', error.message);
    throw error;
  }
  if (kind === 'trust') {
    const invalid = findInvalidPrincipal(context.store, policy);
    if (invalid) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: ${invalid}`);
  }
  return policy;
}

/** IAM returns policy documents URL-encoded (RFC 3986); botocore and the AWS CLI decode them. */
export const encodePolicyDocument = (text: string): string => encodeURIComponent(text);

export function checkSize(text: string, limit: number, what: string): void {
  const size = text.replace(/\s/g, '').length;
  if (size > limit)
    throw new AwsError('LimitExceeded', `Cannot exceed quota for ${what}: ${limit}`, { status: 409 });
}
