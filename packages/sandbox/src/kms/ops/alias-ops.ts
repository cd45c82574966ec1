import { kmsAliasArn, kmsKeyArn, partitionOf } from '../../arn.js';
import type { OperationContext } from '../../operation-context.js';
import { AwsError } from '../../protocol/aws-error.js';
import { requireAccountPermission, requireKeyPermission } from '../authorize-key.js';
import { epochSeconds } from '../key-metadata.js';
import { requireNotPendingDeletion } from '../key-state.js';
import { KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import type { KmsInput } from '../kms-input.js';
import { paginateKms } from '../paginate.js';
import { resolveKey } from '../resolve-key.js';

const ALIAS_RULES = { required: true, min: 1, max: 256, pattern: { regex: /^[a-zA-Z0-9:/_-]+$/, text: '^[a-zA-Z0-9:/_-]+$' } };

function aliasArnFor(context: OperationContext, input: KmsInput): { name: string; arn: string } {
  const name = input.string('AliasName', ALIAS_RULES);
  return { name: name!, arn: kmsAliasArn(partitionOf(context.region), context.region, context.caller.account, name ?? '') };
}

function requirePrefix(name: string): void {
  if (!name.startsWith('alias/')) {
    throw new AwsError('ValidationException', 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html');
  }
}

/** Creating an alias needs kms:CreateAlias on the alias (IAM) and on the key (key policy). */
export const createAlias: KmsHandler = async (context, input) => {
  const alias = aliasArnFor(context, input);
  const targetKeyId = input.string('TargetKeyId', KEY_ID_RULES);
  input.done();
  requirePrefix(alias.name);
  if (alias.name.startsWith('alias/aws/')) throw new AwsError('InvalidAliasNameException', `Alias names that begin with alias/aws/ are reserved for AWS managed keys: ${alias.name}`);
  const key = await resolveKey(context, targetKeyId!, { aliases: false, crossAccount: false, action: 'kms:CreateAlias' });
  requireAccountPermission(context, 'kms:CreateAlias', alias.arn);
  requireKeyPermission(context, key, 'kms:CreateAlias');
  requireNotPendingDeletion(key);
  if (context.store.alias(alias.arn)) throw new AwsError('AlreadyExistsException', `An alias with the name ${alias.arn} already exists`);
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

export const deleteAlias: KmsHandler = async (context, input) => {
  const alias = aliasArnFor(context, input);
  input.done();
  requirePrefix(alias.name);
  const existing = context.store.alias(alias.arn);
  if (!existing) throw new AwsError('NotFoundException', `Alias ${alias.arn} is not found.`);
  requireAccountPermission(context, 'kms:DeleteAlias', alias.arn);
  const key = context.store.key(kmsKeyArn(partitionOf(existing.region), existing.region, existing.account, existing.targetKeyId));
  if (key) {
    await context.touch({ account: key.account, keyArn: key.arn });
    requireKeyPermission(context, key, 'kms:DeleteAlias');
  }
  delete context.store.data.aliases[alias.arn];
  context.store.commit();
  return undefined;
};

export const listAliases: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', { min: 1, max: 2048 });
  const limit = input.integer('Limit', { min: 1, max: 1000 });
  const marker = input.string('Marker', { min: 1, max: 1024 });
  input.done();
  requireAccountPermission(context, 'kms:ListAliases');
  let aliases = context.store.aliasesIn(context.caller.account, context.region);
  if (keyId !== undefined) {
    const key = await resolveKey(context, keyId, { aliases: false, crossAccount: false, action: 'kms:ListAliases' });
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
