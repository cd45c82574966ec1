import { requireKeyPermission } from '../authorize-key.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { keyMetadata } from '../key-metadata.js';
import { resolveKey } from '../resolve-key.js';

/** DescribeKey works in every key state, across accounts, and with aliases. */
export const describeKey: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  input.stringList('GrantTokens');
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: true,
    crossAccount: true,
    action: 'kms:DescribeKey',
  });
  requireKeyPermission(context, key, 'kms:DescribeKey');
  return { KeyMetadata: keyMetadata(key) };
};
