/**
 * The IAM and KMS policy documents of the setup kit. Each is minimal: the actions Keyward uses, on
 * the one resource it needs, for the one principal that needs them.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { AWS: string | string[] };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** What the role may do with the CMK: exactly what the data plane and the test call. */
export const KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
] as const;
/** The actions that carry an encryption context, and so can be restricted to one tenant. */
export const CONTEXT_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
] as const;
export const TENANT_CONTEXT_KEY = 'kms:EncryptionContext:keyward:tenant';

const document = (...statements: PolicyStatement[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: statements,
});
const tenantCondition = (tenantId: string) => ({ StringEquals: { [TENANT_CONTEXT_KEY]: tenantId } });

/** The role's trust policy: only the platform's Service Role, and only with this tenant's External ID. */
export function trustPolicy(serviceRoleArn: string, externalId: string): PolicyDocument {
  return document({
    Sid: 'AllowKeywardServiceRoleWithExternalId',
    Effect: 'Allow',
    Principal: { AWS: serviceRoleArn },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  });
}

/** The role's permissions policy: the key actions on the CMK, nothing else. */
export function permissionsPolicy(keyArn: string): PolicyDocument {
  return document({ Sid: 'UseTheByokKey', Effect: 'Allow', Action: [...KEY_ACTIONS], Resource: keyArn });
}

/** The statement to add to the CMK's key policy; "Resource": "*" in a key policy means this key. */
export function keyPolicyStatement(roleArn: string): PolicyStatement {
  return {
    Sid: 'AllowKeywardByokRole',
    Effect: 'Allow',
    Principal: { AWS: roleArn },
    Action: [...KEY_ACTIONS],
    Resource: '*',
  };
}

export const KEY_POLICY_WARNING =
  'Add this statement to the key policy; do not replace the policy. Keep the existing statements that give your key administrators (or the account root) access, or nobody will be able to manage the key.';

/**
 * Optional hardening: the cryptographic actions only with this tenant's encryption context.
 * DescribeKey carries no context, so it stays in a statement of its own without the condition.
 */
export function hardenedKeyPolicyStatements(roleArn: string, tenantId: string): PolicyStatement[] {
  return [
    {
      Sid: 'AllowKeywardByokRoleDescribe',
      Effect: 'Allow',
      Principal: { AWS: roleArn },
      Action: 'kms:DescribeKey',
      Resource: '*',
    },
    {
      Sid: 'AllowKeywardByokRoleForThisTenant',
      Effect: 'Allow',
      Principal: { AWS: roleArn },
      Action: [...CONTEXT_ACTIONS],
      Resource: '*',
      Condition: tenantCondition(tenantId),
    },
  ];
}

export function hardenedPermissionsPolicy(keyArn: string, tenantId: string): PolicyDocument {
  return document(
    { Sid: 'DescribeTheByokKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: keyArn },
    {
      Sid: 'UseTheByokKeyForThisTenant',
      Effect: 'Allow',
      Action: [...CONTEXT_ACTIONS],
      Resource: keyArn,
      Condition: tenantCondition(tenantId),
    },
  );
}

/**
 * The platform side (the step other vendors handle by support ticket): the Service Role's identity
 * policy allowing sts:AssumeRole on exactly the registered customer roles. Null when none are
 * registered, because IAM refuses a policy without statements.
 */
export function serviceRolePolicy(registeredRoleArns: readonly string[]): PolicyDocument | null {
  return serviceRolePolicies(registeredRoleArns, Number.MAX_SAFE_INTEGER)[0] ?? null;
}

/** IAM's limit on the size of a role's inline policies, in characters without whitespace. */
export const INLINE_POLICY_MAX_CHARS = 10_240;

/**
 * The same policy split into documents that each fit `maxChars` (default: one inline policy), for
 * platforms with more registered roles than one policy can list (about 190 at the default).
 * Attach them all; each allows sts:AssumeRole on its share of the roles.
 */
export function serviceRolePolicies(
  registeredRoleArns: readonly string[],
  maxChars = INLINE_POLICY_MAX_CHARS,
): PolicyDocument[] {
  const roles = [...new Set(registeredRoleArns)].sort();
  const documents: PolicyDocument[] = [];
  let share: string[] = [];
  const make = (resources: string[]) =>
    document({
      Sid: 'AssumeRegisteredCustomerRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: resources,
    });
  for (const role of roles) {
    if (share.length > 0 && JSON.stringify(make([...share, role])).length > maxChars) {
      documents.push(make(share));
      share = [];
    }
    share.push(role);
  }
  if (share.length > 0) documents.push(make(share));
  return documents;
}
