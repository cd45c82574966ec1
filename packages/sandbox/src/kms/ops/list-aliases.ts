import { requireAccountPermission } from '../authorize-key.js';
import { epochSeconds } from '../key-metadata.js';
import type { KmsHandler } from '../kms-handler.js';
import { paginateKms } from '../paginate.js';
import { resolveKey } from '../resolve-key.js';

export const listAliases: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', { min: 1, max: 2048 });
  const limit = input.integer('Limit', { min: 1, max: 1000 });
  const marker = input.string('Marker', { min: 1, max: 1024 });
  input.done();
  requireAccountPermission(context, 'kms:ListAliases');
  let aliases = context.store.aliasesIn(context.caller.account, context.region);
  if (keyId !== undefined) {
    const key = await resolveKey(context, keyId, {
      aliases: false,
      crossAccount: false,
      action: 'kms:ListAliases',
    });
    aliases = aliases.filter((alias) => alias.targetKeyId === key.keyId);
  } else {
    await context.touch({ account: context.caller.account });
  }
  aliases.sort((a, b) => a.aliasName.localeCompare(b.aliasName));
  const { page, ...rest } = paginateKms(aliases, limit, marker, 100);
  return {
    Aliases: page.map((alias) => ({
      AliasName: alias.aliasName,
      AliasArn: alias.aliasArn,
      TargetKeyId: alias.targetKeyId,
      CreationDate: epochSeconds(alias.creationDate),
      LastUpdatedDate: epochSeconds(alias.lastUpdatedDate),
    })),
    ...rest,
  };
};
