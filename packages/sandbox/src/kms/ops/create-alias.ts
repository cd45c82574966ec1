import { AwsError } from '../../protocol/aws-error.js';
import { readAlias, requireAliasPrefix } from '../alias-names.js';
import { requireAccountPermission, requireKeyPermission } from '../authorize-key.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { resolveKey } from '../resolve-key.js';

/** Creating an alias needs kms:CreateAlias on the alias (IAM) and on the key (key policy). */
export const createAlias: KmsHandler = async (context, input) => {
  const alias = readAlias(context, input);
  const targetKeyId = input.string('TargetKeyId', KEY_ID_RULES);
  input.done();
  requireAliasPrefix(alias.name);
  if (alias.name.startsWith('alias/aws/'))
    throw new AwsError(
      'InvalidAliasNameException',
      `Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${alias.name}`,
    );
  const key = await resolveKey(context, targetKeyId!, {
    aliases: false,
    crossAccount: false,
    action: 'kms:CreateAlias',
  });
  requireAccountPermission(context, 'kms:CreateAlias', alias.arn);
  requireKeyPermission(context, key, 'kms:CreateAlias');
  requireNotPendingDeletion(key);
  if (context.store.alias(alias.arn))
    throw new AwsError('AlreadyExistsException', `An alias with the name ${alias.arn} already exists`);
  const now = context.now();
  context.store.data.aliases[alias.arn] = {
    aliasName: alias.name,
    aliasArn: alias.arn,
    account: key.account,
    region: key.region,
    targetKeyId: key.keyId,
    creationDate: now,
    lastUpdatedDate: now,
  };
  context.store.commit();
  return undefined;
};
