import type { OperationContext } from '../operation-context.js';
import { storedPolicy } from '../policy/policy-cache.js';
import type { RequestContext } from '../policy/context.js';
import type { KmsKeyState } from '../state/types.js';
import { addContextConditionKeys } from './encryption-context.js';

/** The condition keys KMS adds for a call on a key. */
export function keyConditionContext(
  context: OperationContext,
  key: KmsKeyState,
  encryptionContext?: Record<string, string>,
): RequestContext {
  const conditions = context
    .conditionContext()
    .set('kms:CallerAccount', context.caller.account)
    .set('kms:KeySpec', key.keySpec)
    .set('kms:KeyUsage', key.keyUsage)
    .set('kms:KeyOrigin', key.origin);
  return addContextConditionKeys(conditions, encryptionContext);
}

/**
 * A call on a key needs the key policy (and, through it or across accounts, the caller's IAM
 * policies) to allow the action, evaluated with the request's encryption context.
 */
export function requireKeyPermission(
  context: OperationContext,
  key: KmsKeyState,
  action: string,
  encryptionContext?: Record<string, string>,
): void {
  if (encryptionContext) context.event.encryptionContext = { ...encryptionContext };
  context.require({
    action,
    resource: key.arn,
    context: keyConditionContext(context, key, encryptionContext),
    resourcePolicy: { policy: storedPolicy(key.policy, 'key'), account: key.account },
  });
}

/** Calls on no particular key (CreateKey, ListKeys, ListAliases) are governed by IAM policies alone. */
export function requireAccountPermission(context: OperationContext, action: string, resource = '*'): void {
  context.require({
    action,
    resource,
    context: context.conditionContext().set('kms:CallerAccount', context.caller.account),
  });
}
