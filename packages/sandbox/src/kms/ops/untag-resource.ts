import { AwsError } from '../../protocol/aws-error.js';
import { requireKeyPermission } from '../authorize-key.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';

export const untagResource: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const tagKeys = input.stringList('TagKeys');
  if (tagKeys === undefined) input.string('TagKeys', { required: true });
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:UntagResource',
  });
  requireKeyPermission(context, key, 'kms:UntagResource');
  requireNotPendingDeletion(key);
  if (tagKeys!.some((tagKey) => tagKey.toLowerCase().startsWith('aws:')))
    throw new AwsError('TagException', 'Tags beginning with aws: are reserved');
  key.tags = key.tags.filter((tag) => !tagKeys!.includes(tag.key));
  context.store.commit();
  return undefined;
};
