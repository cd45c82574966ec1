/**
 * Every operation the sandbox serves, by service: a leaf module that imports nothing, so that
 * fault rules, routing and the handler tables can all depend on it without an import circle.
 * The handler tables (`kms/operations.ts`, `sts/operations.ts`, `iam/operations.ts`) are typed
 * `Record<…OperationName, Handler>`, so the compiler refuses a name without a handler and a
 * handler without a name.
 */

/** The services the sandbox serves (they answer authentication failures with different codes: KMS's awsJson names vs STS/IAM's query names). */
export type ServiceName = 'kms' | 'sts' | 'iam';

/** KMS operations by their X-Amz-Target name (TrentService.<name>). */
export const KMS_OPERATION_NAMES = [
  'CreateKey',
  'DescribeKey',
  'ListKeys',
  'Encrypt',
  'Decrypt',
  'ReEncrypt',
  'GenerateDataKey',
  'GenerateDataKeyWithoutPlaintext',
  'EnableKey',
  'DisableKey',
  'ScheduleKeyDeletion',
  'CancelKeyDeletion',
  'GetKeyPolicy',
  'PutKeyPolicy',
  'CreateAlias',
  'DeleteAlias',
  'ListAliases',
  'EnableKeyRotation',
  'DisableKeyRotation',
  'GetKeyRotationStatus',
  'RotateKeyOnDemand',
  'TagResource',
  'UntagResource',
  'ListResourceTags',
] as const;

/** STS operations by their `Action` name. */
export const STS_OPERATION_NAMES = ['AssumeRole', 'GetCallerIdentity'] as const;

/** IAM operations by their `Action` name. */
export const IAM_OPERATION_NAMES = [
  'CreateRole',
  'GetRole',
  'DeleteRole',
  'UpdateAssumeRolePolicy',
  'PutRolePolicy',
  'GetRolePolicy',
  'DeleteRolePolicy',
  'ListRolePolicies',
  'CreatePolicy',
  'GetPolicy',
  'GetPolicyVersion',
  'AttachRolePolicy',
  'DetachRolePolicy',
  'ListAttachedRolePolicies',
] as const;

export type KmsOperationName = (typeof KMS_OPERATION_NAMES)[number];
export type StsOperationName = (typeof STS_OPERATION_NAMES)[number];
export type IamOperationName = (typeof IAM_OPERATION_NAMES)[number];

/** Every operation the sandbox serves, by service (for routing and for validating fault rules). */
export const OPERATION_NAMES = {
  kms: KMS_OPERATION_NAMES,
  sts: STS_OPERATION_NAMES,
  iam: IAM_OPERATION_NAMES,
} as const;

/** The operation names of one service, as the handler tables of that service are keyed. */
export type OperationName<Service extends keyof typeof OPERATION_NAMES> =
  (typeof OPERATION_NAMES)[Service][number];

/** Exact, case-sensitive match on a listed name: `constructor` or `__proto__` is never an operation. */
export function isOperationOf<Service extends keyof typeof OPERATION_NAMES>(
  service: Service,
  name: string,
): name is OperationName<Service> {
  return (OPERATION_NAMES[service] as readonly string[]).includes(name);
}

export function isKnownOperation(
  service: keyof typeof OPERATION_NAMES | undefined,
  operation: string,
): boolean {
  const services = service ? [service] : (Object.keys(OPERATION_NAMES) as (keyof typeof OPERATION_NAMES)[]);
  return services.some((name) => isOperationOf(name, operation));
}
