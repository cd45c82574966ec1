import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { ROLE_NAME } from '../iam-rules.js';
import { roleXml } from '../iam-xml.js';

export const getRole: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  input.done();
  const role = await roleForAction(context, name!, 'iam:GetRole');
  return { Role: roleXml(role) };
};
