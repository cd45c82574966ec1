import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { PATH, ROLE_NAME } from '../iam-rules.js';
import { paginateIam, readPaging } from '../paginate-iam.js';

export const listAttachedRolePolicies: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  const pathPrefix = input.string('PathPrefix', PATH) ?? '/';
  const paging = readPaging(input);
  input.done();
  const role = await roleForAction(context, name!, 'iam:ListAttachedRolePolicies');
  const attached = role.attachedPolicies
    .map((arn) => context.store.managedPolicy(arn))
    .filter((policy) => policy !== undefined && policy.path.startsWith(pathPrefix))
    .map((policy) => ({ PolicyName: policy!.name, PolicyArn: policy!.arn }));
  const { page, ...rest } = paginateIam(attached, paging);
  return { AttachedPolicies: page, ...rest };
};
