import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { checkPolicyArn, roleForAction } from '../iam-lookups.js';
import { POLICY_ARN, ROLE_NAME } from '../iam-rules.js';

export const detachRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const arn = input.string('PolicyArn', POLICY_ARN);
  input.done();
  checkPolicyArn(arn!);
  const role = await roleForAction(context, name!, 'iam:DetachRolePolicy');
  if (!role.attachedPolicies.includes(arn!))
    throw new AwsError('NoSuchEntity', `Policy ${arn!} was not found.`, { status: 404 });
  role.attachedPolicies = role.attachedPolicies.filter((attached) => attached !== arn);
  context.store.commit();
  return undefined;
};
