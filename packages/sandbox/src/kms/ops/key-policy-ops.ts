import { AwsError } from '../../protocol/aws-error.js';
import { requireKeyPermission } from '../authorize-key.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, POLICY_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';
import { validateKeyPolicy } from '../validate-key-policy.js';

/** KMS keys have exactly one policy, named "default". */
const POLICY_NAME = { min: 1, max: 128, pattern: { regex: /^[\w]+$/, text: '[\\w]+' } };

function requireDefaultName(name: string | undefined): void {
  if (name !== undefined && name !== 'default') throw new AwsError('NotFoundException', 'No such policy exists');
}

export const getKeyPolicy: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const name = input.string('PolicyName', POLICY_NAME);
  input.done();
  const key = await resolveKey(context, keyId!, { aliases: false, crossAccount: false, action: 'kms:GetKeyPolicy' });
  requireKeyPermission(context, key, 'kms:GetKeyPolicy');
  requireDefaultName(name);
  return { Policy: key.policy, PolicyName: 'default' };
};

export const putKeyPolicy: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const policy = input.string('Policy', { ...POLICY_RULES, required: true });
  const name = input.string('PolicyName', POLICY_NAME);
  const bypass = input.boolean('BypassPolicyLockoutSafetyCheck') ?? false;
  input.done();
  const key = await resolveKey(context, keyId!, { aliases: false, crossAccount: false, action: 'kms:PutKeyPolicy' });
  requireKeyPermission(context, key, 'kms:PutKeyPolicy');
  requireDefaultName(name);
  requireNotPendingDeletion(key);
  validateKeyPolicy(context, policy!, key, bypass);
  key.policy = policy!;
  context.store.commit();
  return undefined;
};
