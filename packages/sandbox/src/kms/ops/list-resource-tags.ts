import { requireKeyPermission } from '../authorize-key.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { paginateKms } from '../paginate.js';
import { resolveKey } from '../resolve-key.js';
import { wireTags } from '../tags.js';

export const listResourceTags: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const limit = input.integer('Limit', { min: 1, max: 50 });
  const marker = input.string('Marker', { min: 1, max: 1024 });
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:ListResourceTags',
  });
  requireKeyPermission(context, key, 'kms:ListResourceTags');
  const { page, ...rest } = paginateKms(key.tags, limit, marker, 50);
  return { Tags: wireTags(page), ...rest };
};
