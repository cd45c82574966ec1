import { iamArn } from '../../arn.js';
import { newUniqueId } from '../../ids.js';
import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { requireIam } from '../iam-lookups.js';
import { DESCRIPTION, MANAGED_POLICY_BYTES, PATH, POLICY_DOCUMENT, POLICY_NAME } from '../iam-rules.js';
import { managedPolicyXml } from '../iam-xml.js';
import { checkIamPolicy, checkSize } from '../policy-documents.js';

/** Customer managed policies: version 2012-10-17 required, 6,144 characters at most. */
export const createPolicy: QueryHandler = async (context, input) => {
  const name = input.string('PolicyName', POLICY_NAME);
  const document = input.string('PolicyDocument', POLICY_DOCUMENT);
  const path = input.string('Path', PATH) ?? '/';
  const description = input.string('Description', DESCRIPTION);
  input.done();
  const arn = iamArn('aws', context.caller.account, 'policy', path, name!);
  requireIam(context, 'iam:CreatePolicy', arn);
  await context.touch({ account: context.caller.account, resource: arn });
  const account = context.store.account(context.caller.account)!;
  if (Object.values(account.policies).some((policy) => policy.name === name)) {
    throw new AwsError(
      'EntityAlreadyExists',
      `A policy called ${name!} already exists. Duplicate names are not allowed.`,
      { status: 409 },
    );
  }
  checkIamPolicy(context, document!, 'identity', true);
  checkSize(document!, MANAGED_POLICY_BYTES, 'PolicySize');
  const now = context.now();
  const policy = {
    name: name!,
    path,
    policyId: newUniqueId('ANPA'),
    arn,
    description,
    document: document!,
    createDate: now,
    updateDate: now,
  };
  account.policies[arn] = policy;
  context.store.commit();
  return { Policy: managedPolicyXml(context.store, policy) };
};
