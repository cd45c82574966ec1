import type { SandboxStore } from '../state/store.js';
import type { Caller } from './caller.js';
import { storedPolicy } from './policy-cache.js';
import type { Policy } from './types.js';

/**
 * The identity-based policies that apply to a caller, read live from IAM state: a user's own
 * policies, or for a role session its role's (so editing a role's policy takes effect at once,
 * and a deleted role's sessions lose every permission).
 */
export function identityPoliciesOf(store: SandboxStore, caller: Caller): Policy[] {
  const owner =
    caller.kind === 'user'
      ? store.user(caller.account, caller.userName!)
      : store.role(caller.account, caller.roleName!);
  /* Precondition: a role recreated under the same name is a different role (AWS tracks the unique ID). */
  const ownerId = owner && ('roleId' in owner ? owner.roleId : owner.userId);
  if (!owner || ownerId !== caller.userId.split(':')[0]) return [];
  const texts = [...Object.values(owner.inlinePolicies)];
  for (const arn of owner.attachedPolicies) {
    const managed = store.managedPolicy(arn);
    if (managed) texts.push(managed.document);
  }
  return texts.map((text) => storedPolicy(text, 'identity'));
}
