import { requireKeyPermission } from '../authorize-key.js';
import { POLICY_NAME_RULES, requireDefaultPolicyName } from '../key-policy-name.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, POLICY_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';
import { validateKeyPolicy } from '../validate-key-policy.js';

export const putKeyPolicy: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const policy = input.string('Policy', { ...POLICY_RULES, required: true });
  const name = input.string('PolicyName', POLICY_NAME_RULES);
  const bypass = input.boolean('BypassPolicyLockoutSafetyCheck') ?? false;
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:PutKeyPolicy',
  });
  requireKeyPermission(context, key, 'kms:PutKeyPolicy');
  requireDefaultPolicyName(name);
  requireNotPendingDeletion(key);
  validateKeyPolicy(context, policy!, key, bypass);
  key.policy = policy!;
  context.store.commit();
  return undefined;
};
