import { requireKeyPermission } from '../authorize-key.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';
import { mergeTags, validateTags } from '../tags.js';

export const tagResource: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const tags = input.tags('Tags');
  if (tags === undefined) input.string('Tags', { required: true });
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:TagResource',
  });
  requireKeyPermission(context, key, 'kms:TagResource');
  requireNotPendingDeletion(key);
  validateTags(tags!);
  key.tags = mergeTags(key.tags, tags!);
  context.store.commit();
  return undefined;
};
