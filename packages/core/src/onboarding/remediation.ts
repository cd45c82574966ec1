import { parseArn } from '../aws/arns.js';
import type { DiagnosisCode } from './diagnoses.js';
import type { OnboardingSubject } from './checks/types.js';
import {
  hardenedKeyPolicyStatements,
  keyPolicyStatement,
  permissionsPolicy,
  TENANT_CONTEXT_KEY,
  trustPolicy,
} from './policies.js';

const json = (value: unknown): string => JSON.stringify(value);

/**
 * What to change, for each failing or warning diagnosis: the artifact, the guide step, and the
 * exact document to use, filled in for this tenant. Null when there is nothing to fix.
 */
export function remediationFor(code: DiagnosisCode, subject: OnboardingSubject): string | null {
  const role = parseArn(subject.roleArn);
  const key = parseArn(subject.keyArn);
  const trust = json(trustPolicy(subject.platform.serviceRoleArn, subject.externalId));
  switch (code) {
    case 'KW_CHECK_ROLE_ARN_INVALID':
      return `Enter the Role ARN exactly as IAM shows it (step 6), in the form arn:${subject.platform.partition}:iam::<12-digit account>:role/<optional path/><name>.`;
    case 'KW_CHECK_KEY_ARN_INVALID':
      return `Enter the key ARN exactly as KMS shows it (step 6), in the form arn:${subject.platform.partition}:kms:<region>:<12-digit account>:key/<key id>; the key id is a UUID or mrk-….`;
    case 'KW_CHECK_KEY_ARN_IS_ALIAS':
      return "Enter the key ARN (arn:…:key/<key id>), not the alias ARN (step 6): an alias can later be pointed at another key, which would silently change which key protects your data. The KMS console shows the key ARN on the key's page.";
    case 'KW_CHECK_PARTITION_MISMATCH':
      return `The role and the key must be in the platform's partition, ${subject.platform.partition} (step 6): AWS cannot assume roles or use keys across partitions.`;
    case 'KW_CHECK_ROLE_ALREADY_REGISTERED':
      return "Create a separate role for this tenant (step 3): each tenant's role trusts the platform only with that tenant's External ID, so one role cannot serve two tenants.";
    case 'KW_CHECK_ASSUME_ROLE_DENIED':
      return `Fix the role's trust policy (step 3). Check that (1) the role ${subject.roleArn} exists, with exactly this ARN including its path; (2) its trust policy allows ${subject.platform.serviceRoleArn} to call sts:AssumeRole; (3) its condition is StringEquals sts:ExternalId = ${subject.externalId} (a regenerated External ID needs the policy updated). The trust policy to use: ${trust}`;
    case 'KW_CHECK_STS_REGION_DISABLED':
      return `Activate AWS STS in the platform's region for account ${role?.accountId ?? ''} (step 3: IAM console, Account settings, Security Token Service regions).`;
    case 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED':
    case 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED':
      return `Make the trust policy require this tenant's External ID exactly (step 3): add the condition {"StringEquals":{"sts:ExternalId":"${subject.externalId}"}} to the statement that allows ${subject.platform.serviceRoleArn}, and no other statement may allow it without that condition. Without it, anyone who can make the platform act on their behalf could use your key. The trust policy to use: ${trust}`;
    case 'KW_CHECK_KEY_NOT_FOUND':
      return `Check the CMK ARN (steps 2 and 6): no key ${key?.resource ?? ''} exists in account ${key?.accountId ?? ''}, region ${key?.region ?? ''}. If the key is in another region or account, enter that key's ARN.`;
    case 'KW_CHECK_KEY_DISABLED':
      return 'Enable the key in the KMS console (step 2), or choose an enabled key.';
    case 'KW_CHECK_KEY_PENDING_DELETION':
      return 'Cancel the key deletion and enable the key in the KMS console (step 2), or choose another key. Once deleted, data encrypted under it can never be read again.';
    case 'KW_CHECK_KEY_STATE':
      return 'Choose a key in the Enabled state (step 2).';
    case 'KW_CHECK_KEY_SPEC':
    case 'KW_CHECK_KEY_USAGE':
      return 'Create or choose a symmetric key: key type Symmetric, key usage Encrypt and decrypt (step 2). Asymmetric and HMAC keys cannot wrap data keys.';
    case 'KW_CHECK_AWS_MANAGED_KEY':
      return 'Create a customer managed key (step 2): the policy of an AWS managed key (alias aws/…) cannot be changed to allow the role.';
    case 'KW_CHECK_KEY_MULTI_REGION':
      return 'Nothing to fix if this is intended. Remember that disabling or deleting this key does not cut access through its replicas in other regions: revoke those too.';
    case 'KW_CHECK_KEY_POLICY_MISSING_ROLE':
      return `Add this statement to the key policy of ${subject.keyArn} (step 3), keeping the existing administrator statements: ${json(keyPolicyStatement(subject.roleArn))}`;
    case 'KW_CHECK_PERMISSIONS_MISSING_ACTION':
      return `Attach this permissions policy to the role ${subject.roleArn} (step 3): ${json(permissionsPolicy(subject.keyArn))}`;
    case 'KW_CHECK_EXPLICIT_DENY_IN_PERMISSIONS':
      return `Find the Deny statement in the policies attached to the role ${subject.roleArn} that matches the key, and narrow it so it does not cover the role's use of the key (step 3).`;
    case 'KW_CHECK_GUARDRAIL_DENIES':
      return `Allow the role's use of the key in the role's permissions boundary or your organization's service control policies (step 3): AWS's message names which one.`;
    case 'KW_CHECK_PLATFORM_POLICY_MISSING_ROLE':
      return 'Nothing to change on your side: the platform adds your role to its Service Role policy when you register the Role ARN (step 5). Register it, then run the test again.';
    case 'KW_CHECK_EXPLICIT_DENY':
      return `Find the Deny statement in the key policy of ${subject.keyArn} that matches the role ${subject.roleArn}, and narrow it so it does not cover the role's use of the key (step 3).`;
    case 'KW_CHECK_CONTEXT_CONDITION_ON_DESCRIBE':
      return `Keep kms:DescribeKey in a statement without the ${TENANT_CONTEXT_KEY} condition (step 3, optional hardening). Use these two key policy statements: ${json(hardenedKeyPolicyStatements(subject.roleArn, subject.tenantId))}`;
    case 'KW_CHECK_KEY_POLICY_DENIES_USE':
      return `The key policy statement for the role must allow kms:GenerateDataKey* and kms:Decrypt (step 3); if it has a ${TENANT_CONTEXT_KEY} condition, its value must be exactly "${subject.tenantId}". The statement to use: ${json(keyPolicyStatement(subject.roleArn))}, or for this tenant only: ${json(hardenedKeyPolicyStatements(subject.roleArn, subject.tenantId))}`;
    case 'KW_CHECK_PERMISSIONS_DENY_USE':
      return `The role's permissions policy must allow kms:GenerateDataKey* and kms:Decrypt on the key (step 3); if it has a ${TENANT_CONTEXT_KEY} condition, its value must be exactly "${subject.tenantId}". The policy to use: ${json(permissionsPolicy(subject.keyArn))}`;
    case 'KW_CHECK_REENCRYPT_DENIED':
      return `Allow kms:ReEncrypt* for the role in the key policy statement and the permissions policy (step 3), as in the kit's documents: ${json(keyPolicyStatement(subject.roleArn))}`;
    case 'KW_CHECK_ROUND_TRIP_MISMATCH':
    case 'KW_CHECK_UNEXPECTED':
      return 'Run the test again; if it persists, contact the platform with the AWS request id shown.';
    case 'KW_CHECK_REGISTRY_UNAVAILABLE':
      return "Nothing to change on your side: run the test again; if it persists, the platform operator must check the platform's database (step 5).";
    case 'KW_CHECK_AWS_UNAVAILABLE':
      return 'Nothing to change: run the test again in a minute.';
    case 'KW_CHECK_PLATFORM_CREDENTIALS':
      return "Nothing to change on your side: the platform operator must fix the platform's AWS credentials.";
    default:
      return null;
  }
}
