import type { QueryHandler } from '../../query-handler.js';
import { requireManagedPolicy, roleForAction } from '../iam-lookups.js';
import { POLICY_ARN, ROLE_NAME } from '../iam-rules.js';

/** Attaching is idempotent, as in IAM. */
export const attachRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const arn = input.string('PolicyArn', POLICY_ARN);
  input.done();
  const role = await roleForAction(context, name!, 'iam:AttachRolePolicy');
  requireManagedPolicy(context, arn!, `Policy ${arn!} does not exist or is not attachable.`);
  if (!role.attachedPolicies.includes(arn!)) role.attachedPolicies.push(arn!);
  context.store.commit();
  return undefined;
};
