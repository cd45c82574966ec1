import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { POLICY_NAME, ROLE_NAME } from '../iam-rules.js';

export const deleteRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const policyName = input.string('PolicyName', POLICY_NAME);
  input.done();
  const role = await roleForAction(context, name!, 'iam:DeleteRolePolicy');
  if (role.inlinePolicies[policyName!] === undefined) {
    throw new AwsError('NoSuchEntity', `The role policy with name ${policyName!} cannot be found.`, {
      status: 404,
    });
  }
  delete role.inlinePolicies[policyName!];
  context.store.commit();
  return undefined;
};
