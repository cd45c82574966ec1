import { kmsKeyArn, partitionOf } from '../../arn.js';
import { AwsError } from '../../protocol/aws-error.js';
import { readAlias, requireAliasPrefix } from '../alias-names.js';
import { requireAccountPermission, requireKeyPermission } from '../authorize-key.js';
import type { KmsHandler } from '../kms-handler.js';

export const deleteAlias: KmsHandler = async (context, input) => {
  const alias = readAlias(context, input);
  input.done();
  requireAliasPrefix(alias.name);
  const existing = context.store.alias(alias.arn);
  if (!existing) throw new AwsError('NotFoundException', `Alias ${alias.arn} is not found.`);
  requireAccountPermission(context, 'kms:DeleteAlias', alias.arn);
  const key = context.store.key(
    kmsKeyArn(partitionOf(existing.region), existing.region, existing.account, existing.targetKeyId),
  );
  if (key) {
    await context.touch({ account: key.account, keyArn: key.arn });
    requireKeyPermission(context, key, 'kms:DeleteAlias');
  }
  delete context.store.data.aliases[alias.arn];
  context.store.commit();
  return undefined;
};
