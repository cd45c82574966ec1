import { iamArn, parseArn } from '../arn.js';
import type { OperationContext } from '../operation-context.js';
import { AwsError } from '../protocol/aws-error.js';
import type { ManagedPolicyState, RoleState } from '../state/types.js';

/** IAM entities are looked up in the caller's own account; misses are NoSuchEntity (404). */
export function requireRole(context: OperationContext, name: string): RoleState {
  const role = context.store.role(context.caller.account, name);
  if (!role)
    throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`, { status: 404 });
  return role;
}

export function roleArnFor(context: OperationContext, path: string, name: string): string {
  return iamArn('aws', context.caller.account, 'role', path, name);
}

export function checkPolicyArn(arn: string): void {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || !parsed.resource.startsWith('policy/'))
    throw new AwsError('ValidationError', `ARN ${arn} is not valid.`);
}

export function requireManagedPolicy(
  context: OperationContext,
  arn: string,
  message = `Policy ${arn} was not found.`,
): ManagedPolicyState {
  checkPolicyArn(arn);
  const policy = context.store.managedPolicy(arn);
  if (!policy) throw new AwsError('NoSuchEntity', message, { status: 404 });
  return policy;
}

/** IAM actions are authorised by the caller's identity policies alone. */
export function requireIam(context: OperationContext, action: string, resource: string): void {
  context.require({ action, resource, context: context.conditionContext() });
}

/** The caller's own role `name`, once the caller may perform `action` on it (role-scoped faults fire here). */
export async function roleForAction(
  context: OperationContext,
  name: string,
  action: string,
): Promise<RoleState> {
  const role = requireRole(context, name);
  requireIam(context, action, role.arn);
  await context.touch({ account: context.caller.account, resource: role.arn });
  return role;
}
