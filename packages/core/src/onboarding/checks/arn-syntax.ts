import { parseArn, parseKmsKeyArn, parseRoleArn } from '../../aws/arns.js';
import { isKeywardError } from '../../errors.js';
import { roleIdentity } from '../kit-input.js';
import type { Check, Outcome } from './types.js';

/** The partitions Keyward supports: commercial, China and GovCloud. */
export const SUPPORTED_PARTITIONS = ['aws', 'aws-cn', 'aws-us-gov'] as const;

/** China regions are cn-*, GovCloud regions us-gov-*; the commercial partition has neither. */
function regionInPartition(region: string, partition: string): boolean {
  if (partition === 'aws-cn') return region.startsWith('cn-');
  if (partition === 'aws-us-gov') return region.startsWith('us-gov-');
  return !region.startsWith('cn-') && !region.startsWith('us-gov-');
}

const supported = (partition: string | undefined): boolean =>
  (SUPPORTED_PARTITIONS as readonly string[]).includes(partition ?? '');

function parses(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (isKeywardError(error, 'KW_INVALID_ARN')) return false;
    throw error;
  }
}

/** Before any AWS call: both ARNs well formed, in a supported partition shared with the platform, the role not another tenant's. */
export const arnSyntaxCheck: Check = {
  id: 'arn-syntax',
  title: 'Role ARN and CMK ARN',
  async run(subject, deps, state): Promise<Outcome> {
    const role = parseArn(subject.roleArn);
    if (!supported(role?.partition) || !parses(() => parseRoleArn(subject.roleArn))) {
      return {
        code: 'KW_CHECK_ROLE_ARN_INVALID',
        message: `"${subject.roleArn.slice(0, 300)}" is not an IAM role ARN in a supported partition (${SUPPORTED_PARTITIONS.join(', ')}).`,
        stop: true,
      };
    }
    const key = parseArn(subject.keyArn);
    if (key?.service === 'kms' && key.resource.startsWith('alias/')) {
      return {
        code: 'KW_CHECK_KEY_ARN_IS_ALIAS',
        message: `"${subject.keyArn.slice(0, 300)}" names the alias ${key.resource.slice(0, 260)}, not a key.`,
        stop: true,
      };
    }
    if (!supported(key?.partition) || !parses(() => parseKmsKeyArn(subject.keyArn))) {
      return {
        code: 'KW_CHECK_KEY_ARN_INVALID',
        message: `"${subject.keyArn.slice(0, 300)}" is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<UUID or mrk-…>).`,
        stop: true,
      };
    }
    if (!regionInPartition(key!.region, key!.partition)) {
      return {
        code: 'KW_CHECK_KEY_ARN_INVALID',
        message: `The region ${key!.region} is not in the ${key!.partition} partition.`,
        stop: true,
      };
    }
    const partitions = new Set([role!.partition, key!.partition, subject.platform.partition]);
    if (partitions.size > 1) {
      return {
        code: 'KW_CHECK_PARTITION_MISMATCH',
        message: `The role is in ${role!.partition}, the key in ${key!.partition}, the platform in ${subject.platform.partition}.`,
        stop: true,
      };
    }
    let owner: string | null | undefined;
    try {
      owner = await deps.roleOwner?.(roleIdentity(subject.roleArn));
    } catch {
      return { code: 'KW_CHECK_REGISTRY_UNAVAILABLE', stop: true };
    }
    if (owner !== undefined && owner !== null && owner !== subject.tenantId) {
      return {
        code: 'KW_CHECK_ROLE_ALREADY_REGISTERED',
        message: `The role ${subject.roleArn} is already registered to another tenant.`,
        stop: true,
      };
    }
    state.region = key!.region;
    return {
      code: 'KW_CHECK_ARNS_VALID',
      message: `Role in account ${role!.accountId}; key in account ${key!.accountId}, region ${key!.region}.`,
    };
  },
};
