import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { INLINE_ROLE_POLICY_BYTES, POLICY_DOCUMENT, POLICY_NAME, ROLE_NAME } from '../iam-rules.js';
import { checkIamPolicy, checkSize } from '../policy-documents.js';

/** Adds or replaces an inline policy; all of a role's inline policies share a 10,240-byte quota. */
export const putRolePolicy: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const policyName = input.string('PolicyName', POLICY_NAME);
  const document = input.string('PolicyDocument', POLICY_DOCUMENT);
  input.done();
  const role = await roleForAction(context, name!, 'iam:PutRolePolicy');
  checkIamPolicy(context, document!, 'identity');
  const others = Object.entries(role.inlinePolicies).filter(([existing]) => existing !== policyName);
  checkSize(others.map(([, text]) => text).join('') + document!, INLINE_ROLE_POLICY_BYTES, 'PolicySize');
  role.inlinePolicies[policyName!] = document!;
  context.store.commit();
  return undefined;
};
