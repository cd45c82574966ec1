import { requireKeyPermission } from '../authorize-key.js';
import { POLICY_NAME_RULES, requireDefaultPolicyName } from '../key-policy-name.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';

export const getKeyPolicy: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const name = input.string('PolicyName', POLICY_NAME_RULES);
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:GetKeyPolicy',
  });
  requireKeyPermission(context, key, 'kms:GetKeyPolicy');
  requireDefaultPolicyName(name);
  return { Policy: key.policy, PolicyName: 'default' };
};
