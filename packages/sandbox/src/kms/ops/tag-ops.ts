import { AwsError } from '../../protocol/aws-error.js';
import { requireKeyPermission } from '../authorize-key.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { paginateKms } from '../paginate.js';
import { resolveKey } from '../resolve-key.js';
import { mergeTags, validateTags, wireTags } from '../tags.js';

export const tagResource: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const tags = input.tags('Tags');
  if (tags === undefined) input.string('Tags', { required: true });
  input.done();
  const key = await resolveKey(context, keyId!, { aliases: false, crossAccount: false, action: 'kms:TagResource' });
  requireKeyPermission(context, key, 'kms:TagResource');
  requireNotPendingDeletion(key);
  validateTags(tags!);
  key.tags = mergeTags(key.tags, tags!);
  context.store.commit();
  return undefined;
};

export const untagResource: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const tagKeys = input.stringList('TagKeys');
  if (tagKeys === undefined) input.string('TagKeys', { required: true });
  input.done();
  const key = await resolveKey(context, keyId!, { aliases: false, crossAccount: false, action: 'kms:UntagResource' });
  requireKeyPermission(context, key, 'kms:UntagResource');
  requireNotPendingDeletion(key);
  if (tagKeys!.some((tagKey) => tagKey.toLowerCase().startsWith('aws:'))) throw new AwsError('TagException', 'Tags beginning with aws: are reserved');
  key.tags = key.tags.filter((tag) => !tagKeys!.includes(tag.key));
  context.store.commit();
  return undefined;
};

export const listResourceTags: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const limit = input.integer('Limit', { min: 1, max: 50 });
  const marker = input.string('Marker', { min: 1, max: 1024 });
  input.done();
  const key = await resolveKey(context, keyId!, { aliases: false, crossAccount: false, action: 'kms:ListResourceTags' });
  requireKeyPermission(context, key, 'kms:ListResourceTags');
  const { page, ...rest } = paginateKms(key.tags, limit, marker, 50);
  return { Tags: wireTags(page), ...rest };
};
