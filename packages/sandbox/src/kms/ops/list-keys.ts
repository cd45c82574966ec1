import { requireAccountPermission } from '../authorize-key.js';
import type { KmsHandler } from '../kms-handler.js';
import { paginateKms } from '../paginate.js';

export const listKeys: KmsHandler = async (context, input) => {
  const limit = input.integer('Limit', { min: 1, max: 1000 });
  const marker = input.string('Marker', { min: 1, max: 1024 });
  input.done();
  requireAccountPermission(context, 'kms:ListKeys');
  await context.touch({ account: context.caller.account });
  const keys = context.store
    .keysIn(context.caller.account, context.region)
    .sort((a, b) => a.creationDate - b.creationDate || a.keyId.localeCompare(b.keyId));
  const { page, ...rest } = paginateKms(keys, limit, marker, 1000);
  return { Keys: page.map((key) => ({ KeyId: key.keyId, KeyArn: key.arn })), ...rest };
};
