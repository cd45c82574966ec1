import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import { roleForAction } from '../iam-lookups.js';
import { ROLE_NAME } from '../iam-rules.js';

/** As in IAM, a role with policies cannot be deleted; its sessions lose every permission once it is. */
export const deleteRole: QueryHandler = async (context, input) => {
  const name = input.string('RoleName', ROLE_NAME);
  input.done();
  const role = await roleForAction(context, name!, 'iam:DeleteRole');
  if (Object.keys(role.inlinePolicies).length > 0)
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.', {
      status: 409,
    });
  if (role.attachedPolicies.length > 0)
    throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.', {
      status: 409,
    });
  delete context.store.account(context.caller.account)!.roles[role.name.toLowerCase()];
  context.store.commit();
  return undefined;
};
