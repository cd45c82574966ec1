/**
 * The onboarding test's catalogue, the same pattern as errors.ts: every result a check can give
 * has a stable `KW_CHECK_…` code, the artifact of the setup kit to fix and the guide step it is
 * in. docs/onboarding.md lists them; diagnoses.test.ts keeps the two in step.
 */
export type Artifact =
  | 'role-arn'
  | 'cmk-arn'
  | 'trust-policy'
  | 'permissions-policy'
  | 'key-policy-statement'
  | 'kms-key'
  | 'aws-account'
  | 'platform';

export interface Diagnosis {
  readonly status: 'pass' | 'fail' | 'warn' | 'skipped';
  /** Which kit artifact the remediation is about (null when nothing is to be fixed). */
  readonly artifact: Artifact | null;
  /** The guide step (1–6) where that artifact is set up. */
  readonly step: number | null;
  /** True when retrying later may pass without changing anything (throttling, outages). */
  readonly retryable: boolean;
  readonly summary: string;
}

const pass = (summary: string): Diagnosis => ({
  status: 'pass',
  artifact: null,
  step: null,
  retryable: false,
  summary,
});
const fail = (artifact: Artifact, step: number, summary: string): Diagnosis => ({
  status: 'fail',
  artifact,
  step,
  retryable: false,
  summary,
});
const warn = (artifact: Artifact, step: number, summary: string): Diagnosis => ({
  status: 'warn',
  artifact,
  step,
  retryable: false,
  summary,
});

export const DIAGNOSES = {
  KW_CHECK_ARNS_VALID: pass("The Role ARN and CMK ARN are well formed and in the platform's partition."),
  KW_CHECK_ROLE_ARN_INVALID: fail('role-arn', 6, 'The Role ARN is not an IAM role ARN.'),
  KW_CHECK_KEY_ARN_INVALID: fail('cmk-arn', 6, 'The CMK ARN is not a KMS key ARN.'),
  KW_CHECK_KEY_ARN_IS_ALIAS: fail(
    'cmk-arn',
    6,
    'The CMK ARN is an alias ARN; an alias can be re-pointed to another key.',
  ),
  KW_CHECK_PARTITION_MISMATCH: fail(
    'role-arn',
    6,
    'The role, the key and the platform are not all in one AWS partition.',
  ),
  KW_CHECK_ROLE_ALREADY_REGISTERED: fail(
    'role-arn',
    3,
    'The Role ARN is already registered to another tenant.',
  ),
  KW_CHECK_PLATFORM_POLICY_MISSING_ROLE: fail(
    'platform',
    5,
    "The platform's Service Role is not yet allowed to assume this role; this is the platform's step, not the customer's.",
  ),
  KW_CHECK_ROLE_ASSUMED: pass('The platform assumed the role with the External ID.'),
  KW_CHECK_ASSUME_ROLE_DENIED: fail(
    'trust-policy',
    3,
    'AWS STS refused AssumeRole: the role does not exist, or its trust policy does not allow the platform with this External ID.',
  ),
  KW_CHECK_STS_REGION_DISABLED: fail(
    'aws-account',
    3,
    "AWS STS is not activated in the platform's region for the customer's account.",
  ),
  KW_CHECK_EXTERNAL_ID_ENFORCED: pass(
    'The role cannot be assumed without the External ID or with a wrong one.',
  ),
  KW_CHECK_EXTERNAL_ID_NOT_REQUIRED: fail(
    'trust-policy',
    3,
    'Insecure: the role can be assumed without an External ID (confused-deputy risk).',
  ),
  KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED: fail(
    'trust-policy',
    3,
    'Insecure: the role can be assumed with a wrong External ID (confused-deputy risk).',
  ),
  KW_CHECK_KEY_USABLE: pass('The key exists, is enabled, symmetric, for encryption, and customer managed.'),
  KW_CHECK_KEY_MULTI_REGION: warn(
    'kms-key',
    2,
    'The key is a multi-Region key: its replicas in other regions can decrypt too.',
  ),
  KW_CHECK_KEY_NOT_FOUND: fail('cmk-arn', 2, 'The key does not exist in that account and region.'),
  KW_CHECK_KEY_DISABLED: fail('kms-key', 2, 'The key is disabled.'),
  KW_CHECK_KEY_PENDING_DELETION: fail('kms-key', 2, 'The key is scheduled for deletion.'),
  KW_CHECK_KEY_STATE: fail('kms-key', 2, 'The key is not in a usable state.'),
  KW_CHECK_KEY_SPEC: fail('kms-key', 2, 'The key is not a symmetric encryption key (SYMMETRIC_DEFAULT).'),
  KW_CHECK_KEY_USAGE: fail('kms-key', 2, "The key's usage is not ENCRYPT_DECRYPT."),
  KW_CHECK_AWS_MANAGED_KEY: fail(
    'cmk-arn',
    2,
    'The key is an AWS managed key; its policy cannot be changed to allow the role.',
  ),
  KW_CHECK_KEY_POLICY_MISSING_ROLE: fail(
    'key-policy-statement',
    3,
    'The key policy does not allow the role (no resource-based policy allows the action).',
  ),
  KW_CHECK_PERMISSIONS_MISSING_ACTION: fail(
    'permissions-policy',
    3,
    "The role's permissions policy does not allow the action on the key (no identity-based policy allows it).",
  ),
  KW_CHECK_EXPLICIT_DENY: fail(
    'key-policy-statement',
    3,
    'An explicit Deny in the key policy refuses the action.',
  ),
  KW_CHECK_EXPLICIT_DENY_IN_PERMISSIONS: fail(
    'permissions-policy',
    3,
    "An explicit Deny in the role's identity-based policies refuses the action.",
  ),
  KW_CHECK_GUARDRAIL_DENIES: fail(
    'aws-account',
    3,
    'A permissions boundary, service control policy or session policy does not allow the action.',
  ),
  KW_CHECK_CONTEXT_CONDITION_ON_DESCRIBE: fail(
    'key-policy-statement',
    3,
    'The encryption-context condition also covers kms:DescribeKey, which carries no encryption context.',
  ),
  KW_CHECK_ROUND_TRIP_OK: pass(
    "GenerateDataKey and Decrypt with the tenant's encryption context returned the same key.",
  ),
  KW_CHECK_KEY_POLICY_DENIES_USE: fail(
    'key-policy-statement',
    3,
    "The key policy lets the role describe the key but not use it with this tenant's encryption context.",
  ),
  KW_CHECK_PERMISSIONS_DENY_USE: fail(
    'permissions-policy',
    3,
    "The permissions policy lets the role describe the key but not use it with this tenant's encryption context.",
  ),
  KW_CHECK_ROUND_TRIP_MISMATCH: fail('kms-key', 2, 'Decrypt returned a different key than GenerateDataKey.'),
  KW_CHECK_REENCRYPT_OK: pass(
    'The role may ReEncrypt under the key (used to switch keys without decrypting).',
  ),
  KW_CHECK_REENCRYPT_DENIED: warn(
    'key-policy-statement',
    3,
    'The role may not ReEncrypt under the key; switching to a new CMK later will be slower.',
  ),
  KW_CHECK_AWS_UNAVAILABLE: {
    status: 'fail',
    artifact: null,
    step: null,
    retryable: true,
    summary:
      'AWS could not be reached or throttled the test; this is not a misconfiguration. Run the test again.',
  },
  KW_CHECK_PLATFORM_CREDENTIALS: {
    status: 'fail',
    artifact: 'platform',
    step: 5,
    retryable: false,
    summary: "The platform's own AWS credentials were refused; the operator must fix them.",
  },
  KW_CHECK_REGISTRY_UNAVAILABLE: {
    status: 'fail',
    artifact: 'platform',
    step: 5,
    retryable: true,
    summary:
      'The platform could not look up which tenant registered the role; this is not a misconfiguration.',
  },
  KW_CHECK_UNEXPECTED: {
    status: 'fail',
    artifact: null,
    step: null,
    retryable: false,
    summary: 'AWS answered in a way the test does not recognise.',
  },
  KW_CHECK_SKIPPED: {
    status: 'skipped',
    artifact: null,
    step: null,
    retryable: false,
    summary: 'Not run: an earlier check failed, so this one could not tell anything.',
  },
} as const satisfies Record<`KW_CHECK_${string}`, Diagnosis>;

export type DiagnosisCode = keyof typeof DIAGNOSES;
