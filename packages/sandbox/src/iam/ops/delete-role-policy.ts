import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../protocol/query-handler.js';
import { requireIam, requireRole } from '../iam-lookups.js';
import { POLICY_NAME, ROLE_NAME } from '../iam-rules.js';

export const deleteRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const policyName = input.string('PolicyName', POLICY_NAME);
  input.done();
  const role = requireRole(context, name!);
  requireIam(context, 'iam:DeleteRolePolicy', role.arn);
  await context.touch({ account: context.caller.account, resource: role.arn });
  if (role.inlinePolicies[policyName!] === undefined) {
    throw new AwsError('NoSuchEntity', `The role policy with name ${policyName!} cannot be found.`, { status: 404 });
  }
  delete role.inlinePolicies[policyName!];
  context.store.commit();
  return undefined;
};
