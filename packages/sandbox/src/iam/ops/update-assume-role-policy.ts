import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { POLICY_DOCUMENT, ROLE_NAME, TRUST_POLICY_BYTES } from '../iam-rules.js';
import { checkIamPolicy, checkSize } from '../policy-documents.js';

export const updateAssumeRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const document = input.string('PolicyDocument', POLICY_DOCUMENT);
  input.done();
  const role = await roleForAction(context, name!, 'iam:UpdateAssumeRolePolicy');
  checkIamPolicy(context, document!, 'trust');
  checkSize(document!, TRUST_POLICY_BYTES, 'ACLSizePerRole');
  role.trustPolicy = document!;
  context.store.commit();
  return undefined;
};
