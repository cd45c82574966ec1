import type { QueryHandler } from '../../query-handler.js';
import { requireIam, requireManagedPolicy } from '../iam-lookups.js';
import { POLICY_ARN } from '../iam-rules.js';
import { managedPolicyXml } from '../iam-xml.js';

export const getPolicy: QueryHandler = async (context, input) => {
  const arn = input.string('PolicyArn', POLICY_ARN);
  input.done();
  requireIam(context, 'iam:GetPolicy', arn!);
  const policy = requireManagedPolicy(context, arn!);
  await context.touch({ account: context.caller.account, resource: arn });
  return { Policy: managedPolicyXml(context.store, policy) };
};
