import { parseArn, parseKmsKeyArn, parseRoleArn } from '../aws/arns.js';
import { checkTenantId } from '../tenant-id.js';
import { KeywardError } from '../errors.js';
import { isValidExternalId } from './external-id.js';

/** The platform's side of every kit. */
export interface PlatformIdentity {
  partition: string;
  accountId: string;
  /** The role Keyward runs as; the customer's trust policy names it. */
  serviceRoleArn: string;
}

/** What one tenant's kit is made from. Before the customer names them, role and key are placeholders. */
export interface KitInput {
  platform: PlatformIdentity;
  tenantId: string;
  externalId: string;
  /** The customer's role, once known. */
  roleArn?: string;
  /** The customer's CMK, once known. */
  keyArn?: string;
  /** Suggested name of the role the customer creates; default KeywardByokAccess. */
  roleName?: string;
}

export const DEFAULT_ROLE_NAME = 'KeywardByokAccess';

/** The values every artifact is filled with: real ones where known, clearly marked placeholders otherwise. */
export interface KitValues {
  partition: string;
  tenantId: string;
  externalId: string;
  serviceRoleArn: string;
  roleName: string;
  /** The role's IAM path, `/` unless the Role ARN has one (e.g. `/team/`). */
  rolePath: string;
  roleArn: string;
  keyArn: string;
  region: string;
  customerAccountId: string;
  /** True while the role or key ARN is still a placeholder. */
  placeholders: boolean;
}

export const PLACEHOLDER_ACCOUNT = 'CUSTOMER_ACCOUNT_ID';
export const PLACEHOLDER_REGION = 'REGION';
export const PLACEHOLDER_KEY_ID = 'KEY_ID';

/** The platform identity from the Service Role ARN (partition and account come from it). */
export function platformIdentity(serviceRoleArn: string): PlatformIdentity {
  const arn = parseArn(serviceRoleArn);
  if (arn?.service !== 'iam' || !arn.resource.startsWith('role/') || arn.accountId === '') {
    throw new KeywardError('KW_INVALID_ARN', {
      message: `The platform's Service Role ARN "${serviceRoleArn}" is not an IAM role ARN.`,
    });
  }
  return { partition: arn.partition, accountId: arn.accountId, serviceRoleArn };
}

export function kitValues(input: KitInput): KitValues {
  checkTenantId(input.tenantId);
  if (!isValidExternalId(input.externalId))
    throw new KeywardError('KW_INVALID_ARGUMENT', { message: "The External ID is not within AWS's limits." });
  const partition = input.platform.partition;
  // Refused here rather than written into the customer's documents: a kit for a user ARN or an alias would mislead.
  const role = input.roleArn === undefined ? undefined : parseRoleArn(input.roleArn);
  const key = input.keyArn === undefined ? undefined : parseKmsKeyArn(input.keyArn);
  const customerAccountId = role?.accountId ?? key?.accountId ?? PLACEHOLDER_ACCOUNT;
  const roleName = role?.roleName ?? input.roleName ?? DEFAULT_ROLE_NAME;
  /* Precondition: the role name is one IAM accepts (it goes into ARNs, templates and shell commands). */
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: `"${roleName.slice(0, 80)}" is not an IAM role name (1–64 characters of letters, digits and +=,.@_-).`,
    });
  for (const arn of [role, key]) {
    if (arn !== undefined && arn.partition !== partition)
      throw new KeywardError('KW_INVALID_ARN', {
        message: `${arn.service === 'iam' ? 'The role' : 'The key'} is in the ${arn.partition} partition; the platform is in ${partition}.`,
      });
  }
  const rolePath =
    role === undefined ? '/' : role.resource.slice('role'.length, role.resource.length - roleName.length);
  const region = key?.region ?? PLACEHOLDER_REGION;
  return {
    partition,
    tenantId: input.tenantId,
    externalId: input.externalId,
    serviceRoleArn: input.platform.serviceRoleArn,
    roleName,
    rolePath,
    roleArn: input.roleArn ?? `arn:${partition}:iam::${customerAccountId}:role/${roleName}`,
    keyArn: input.keyArn ?? `arn:${partition}:kms:${region}:${customerAccountId}:key/${PLACEHOLDER_KEY_ID}`,
    region,
    customerAccountId,
    placeholders: input.roleArn === undefined || input.keyArn === undefined,
  };
}

/**
 * What identifies a role for "one role, one tenant": IAM role names are unique per account
 * regardless of case and path, so `role/Foo` and `role/team/foo` are the same role.
 */
export function roleIdentity(roleArn: string): string {
  const role = parseRoleArn(roleArn);
  return `${role.partition}:${role.accountId}:${role.roleName.toLowerCase()}`;
}
