import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { requireIam, requireManagedPolicy } from '../iam-lookups.js';
import { POLICY_ARN } from '../iam-rules.js';
import { encodePolicyDocument } from '../policy-documents.js';

/** Sandbox managed policies have one version, v1: this is how a client reads a policy's document. */
export const getPolicyVersion: QueryHandler = async (context, input) => {
  const arn = input.string('PolicyArn', POLICY_ARN);
  const versionId = input.string('VersionId', {
    required: true,
    pattern: { regex: /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, text: 'v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?' },
  });
  input.done();
  requireIam(context, 'iam:GetPolicyVersion', arn!);
  const policy = requireManagedPolicy(context, arn!);
  await context.touch({ account: context.caller.account, resource: arn });
  if (versionId !== 'v1')
    throw new AwsError(
      'NoSuchEntity',
      `Policy ${arn!} version ${versionId!} does not exist or is not attachable.`,
      { status: 404 },
    );
  return {
    PolicyVersion: {
      Document: encodePolicyDocument(policy.document),
      VersionId: 'v1',
      IsDefaultVersion: true,
      CreateDate: new Date(policy.createDate),
    },
  };
};
