import { AwsError } from '../../protocol/aws-error.js';
import { requireAccountPermission } from '../authorize-key.js';
import { POLICY_RULES, type KmsHandler } from '../kms-handler.js';
import { keyMetadata } from '../key-metadata.js';
import { newKey } from '../new-key.js';
import { validateTags } from '../tags.js';
import { validateKeyPolicy } from '../validate-key-policy.js';

const KEY_SPECS = [
  'SYMMETRIC_DEFAULT',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'ECC_NIST_P256',
  'ECC_NIST_P384',
  'ECC_NIST_P521',
  'ECC_SECG_P256K1',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'SM2',
  'ML_DSA_44',
  'ML_DSA_65',
  'ML_DSA_87',
] as const;
const KEY_USAGES = ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;

/** Which usages each kind of key spec supports. */
function usagesFor(spec: string): string[] {
  if (spec === 'SYMMETRIC_DEFAULT') return ['ENCRYPT_DECRYPT'];
  if (spec.startsWith('HMAC_')) return ['GENERATE_VERIFY_MAC'];
  if (spec.startsWith('RSA_')) return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY'];
  if (spec.startsWith('ML_DSA')) return ['SIGN_VERIFY'];
  if (spec === 'SM2') return ['ENCRYPT_DECRYPT', 'SIGN_VERIFY', 'KEY_AGREEMENT'];
  return ['SIGN_VERIFY', 'KEY_AGREEMENT'];
}

export const createKey: KmsHandler = async (context, input) => {
  const policy = input.string('Policy', POLICY_RULES);
  const description = input.string('Description', { max: 8192 });
  const keySpec =
    input.string('KeySpec', { values: KEY_SPECS }) ??
    input.string('CustomerMasterKeySpec', { values: KEY_SPECS }) ??
    'SYMMETRIC_DEFAULT';
  const origin = input.string('Origin', {
    values: ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'],
  });
  const tags = input.tags('Tags') ?? [];
  const multiRegion = input.boolean('MultiRegion');
  const bypass = input.boolean('BypassPolicyLockoutSafetyCheck') ?? false;
  let keyUsage = input.string('KeyUsage', { values: KEY_USAGES });
  input.done();

  const allowedUsages = usagesFor(keySpec);
  if (keyUsage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'ValidationException',
      'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
    );
  }
  keyUsage ??= allowedUsages[0]!;
  if (!allowedUsages.includes(keyUsage)) {
    throw new AwsError(
      'ValidationException',
      `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}.`,
    );
  }
  if (origin !== undefined && origin !== 'AWS_KMS')
    throw new AwsError(
      'UnsupportedOperationException',
      `Origin ${origin} is not supported by the Keyward sandbox.`,
    );
  if (multiRegion)
    throw new AwsError(
      'UnsupportedOperationException',
      'Multi-Region keys are not supported by the Keyward sandbox.',
    );
  validateTags(tags);
  requireAccountPermission(context, 'kms:CreateKey');

  const key = newKey({
    account: context.caller.account,
    region: context.region,
    now: context.now(),
    description,
    keySpec,
    keyUsage,
    tags,
  });
  if (policy !== undefined) {
    validateKeyPolicy(context, policy, key, bypass);
    key.policy = policy;
  }
  await context.touch({ account: key.account, keyArn: key.arn });
  context.store.data.keys[key.arn] = key;
  context.store.commit();
  return { KeyMetadata: keyMetadata(key) };
};
