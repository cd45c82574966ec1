import type { QueryHandler } from '../../protocol/query-handler.js';
import { requireIam, requireRole } from '../iam-lookups.js';
import { ROLE_NAME } from '../iam-rules.js';
import { roleXml } from '../iam-xml.js';

export const getRole: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  input.done();
  const role = requireRole(context, name!);
  requireIam(context, 'iam:GetRole', role.arn);
  await context.touch({ account: context.caller.account, resource: role.arn });
  return { Role: roleXml(role) };
};
