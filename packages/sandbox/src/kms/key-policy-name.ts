import { AwsError } from '../protocol/aws-error.js';

/** KMS keys have exactly one policy, named "default". */
export const POLICY_NAME_RULES = { min: 1, max: 128, pattern: { regex: /^[\w]+$/, text: '[\\w]+' } };

export function requireDefaultPolicyName(name: string | undefined): void {
  if (name !== undefined && name !== 'default')
    throw new AwsError('NotFoundException', 'No such policy exists');
}
