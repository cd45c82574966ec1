import { newUniqueId } from '../../ids.js';
import { nullRecord } from '../../state/safe-records.js';
import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { requireIam, roleArnFor } from '../iam-lookups.js';
import { DESCRIPTION, PATH, POLICY_DOCUMENT, ROLE_NAME, TRUST_POLICY_BYTES } from '../iam-rules.js';
import { roleXml } from '../iam-xml.js';
import { checkIamPolicy, checkSize } from '../policy-documents.js';

export const createRole: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const document = input.string('AssumeRolePolicyDocument', POLICY_DOCUMENT);
  const path = input.string('Path', PATH) ?? '/';
  const description = input.string('Description', DESCRIPTION);
  const maxSessionDuration = input.integer('MaxSessionDuration', { min: 3600, max: 43200 }) ?? 3600;
  const tags = input
    .structList('Tags', ['Key', 'Value'])
    .map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
  input.done();
  const arn = roleArnFor(context, path, name!);
  requireIam(context, 'iam:CreateRole', arn);
  await context.touch({ account: context.caller.account, resource: arn });
  if (new Set(tags.map((tag) => tag.key.toLowerCase())).size !== tags.length) {
    throw new AwsError(
      'InvalidInput',
      'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
    );
  }
  const account = context.store.account(context.caller.account)!;
  if (account.roles[name!.toLowerCase()])
    throw new AwsError('EntityAlreadyExists', `Role with name ${name!} already exists.`, { status: 409 });
  checkIamPolicy(context, document!, 'trust');
  checkSize(document!, TRUST_POLICY_BYTES, 'ACLSizePerRole');
  const role = {
    name: name!,
    path,
    roleId: newUniqueId('AROA'),
    arn,
    createDate: context.now(),
    description,
    maxSessionDuration,
    trustPolicy: document!,
    inlinePolicies: nullRecord<string>(),
    attachedPolicies: [],
    tags,
  };
  account.roles[name!.toLowerCase()] = role;
  context.store.commit();
  return { Role: roleXml(role) };
};
