import { ACCOUNT_ID_PATTERN, kmsAliasArn, kmsKeyArn, parseArn, partitionOf } from '../arn.js';
import type { OperationContext } from '../operation-context.js';
import { denialMessage } from '../policy/authorize.js';
import { AwsError } from '../protocol/aws-error.js';
import type { KmsKeyState } from '../state/types.js';
import { applyDueRotations } from './key-state.js';

/**
 * Resolves the four KeyId forms where AWS accepts them: key ID, key ARN, alias name, alias ARN.
 * A bare ID or alias names a key in the caller's own account and the request's region; another
 * account's key can only be named by ARN. Errors carry AWS's recorded wording.
 */
export interface ResolveOptions {
  /** DescribeKey, Encrypt, Decrypt, ReEncrypt, GenerateDataKey* take aliases; management calls do not. */
  aliases: boolean;
  /** Only cryptographic operations and DescribeKey/GetKeyRotationStatus work across accounts. */
  crossAccount: boolean;
  /** The IAM action name, for the denial message when a foreign key is used where it cannot be. */
  action: string;
}

const KEY_ID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;

export async function resolveKey(
  context: OperationContext,
  keyId: string,
  options: ResolveOptions,
): Promise<KmsKeyState> {
  const key = lookup(context, keyId, options.aliases);
  if (!options.crossAccount && key.account !== context.caller.account) {
    throw new AwsError(
      'AccessDeniedException',
      denialMessage(context.caller.arn, options.action, key.arn, 'no-resource'),
      { messageField: 'Message' },
    );
  }
  await context.touch({ account: key.account, keyArn: key.arn });
  if (applyDueRotations(key, context.now())) context.store.commit();
  return key;
}

function lookup(context: OperationContext, keyId: string, aliases: boolean): KmsKeyState {
  const account = context.caller.account;
  const region = context.region;
  const partition = partitionOf(region);
  if (keyId.startsWith('alias/')) {
    if (!aliases) throw invalidKeyId(keyId);
    return byAlias(context, kmsAliasArn(partition, region, account, keyId));
  }
  if (keyId.startsWith('arn:')) {
    const arn = parseArn(keyId);
    if (!arn || arn.service !== 'kms' || !ACCOUNT_ID_PATTERN.test(arn.account)) throw invalidKeyId(keyId);
    if (arn.region !== region) throw new AwsError('NotFoundException', `Invalid arn ${arn.region}`);
    if (arn.resource.startsWith('alias/')) {
      if (!aliases) throw invalidKeyId(keyId);
      return byAlias(context, keyId);
    }
    const id = arn.resource.startsWith('key/') ? arn.resource.slice(4) : '';
    if (!KEY_ID.test(id)) throw invalidKeyId(keyId);
    return byArn(context, kmsKeyArn(arn.partition, region, arn.account, id));
  }
  if (!KEY_ID.test(keyId)) throw invalidKeyId(keyId);
  return byArn(context, kmsKeyArn(partition, region, account, keyId));
}

function byArn(context: OperationContext, arn: string): KmsKeyState {
  const key = context.store.key(arn);
  if (!key) throw new AwsError('NotFoundException', `Key '${arn}' does not exist`);
  return key;
}

function byAlias(context: OperationContext, aliasArn: string): KmsKeyState {
  const alias = context.store.alias(aliasArn);
  if (!alias) throw new AwsError('NotFoundException', `Alias ${aliasArn} is not found.`);
  return byArn(context, kmsKeyArn(partitionOf(alias.region), alias.region, alias.account, alias.targetKeyId));
}

const invalidKeyId = (keyId: string): AwsError =>
  new AwsError('NotFoundException', `Invalid keyId '${keyId}'`);
