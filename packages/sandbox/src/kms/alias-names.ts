import { kmsAliasArn, partitionOf } from '../arn.js';
import type { OperationContext } from '../operation-context.js';
import { AwsError } from '../protocol/aws-error.js';
import type { KmsInput } from './kms-input.js';

const ALIAS_RULES = {
  required: true,
  min: 1,
  max: 256,
  pattern: { regex: /^[a-zA-Z0-9:/_-]+$/, text: '^[a-zA-Z0-9:/_-]+$' },
};

/** Reads AliasName and returns it with its ARN in the caller's account and the request's region. */
export function readAlias(context: OperationContext, input: KmsInput): { name: string; arn: string } {
  const name = input.string('AliasName', ALIAS_RULES);
  return {
    name: name ?? '',
    arn: kmsAliasArn(partitionOf(context.region), context.region, context.caller.account, name ?? ''),
  };
}

export function requireAliasPrefix(name: string): void {
  if (!name.startsWith('alias/')) {
    throw new AwsError(
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
}
