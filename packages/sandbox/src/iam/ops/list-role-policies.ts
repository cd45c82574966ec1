import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { ROLE_NAME } from '../iam-rules.js';
import { paginateIam, readPaging } from '../paginate-iam.js';

export const listRolePolicies: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const paging = readPaging(input);
  input.done();
  const role = await roleForAction(context, name!, 'iam:ListRolePolicies');
  const { page, ...rest } = paginateIam(Object.keys(role.inlinePolicies).sort(), paging);
  return { PolicyNames: page, ...rest };
};
