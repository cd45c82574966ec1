import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, CheckId, DiagnosisCode, PolicyDocument, SetupKit } from '@keyward/core';
import {
  ADMIN_STATEMENT,
  onboarding,
  ROOT_STATEMENT,
  TENANT,
  type Mistake,
  type Onboarding,
} from './fixture.js';

/**
 * The onboarding test against the sandbox: the setup built verbatim from the kit passes, and each
 * deliberate mistake is named by the right check, with the right code, after the earlier checks
 * passed, and with a remediation that names the artifact and guide step to fix.
 */
const ORDER: CheckId[] = [
  'arn-syntax',
  'assume-role',
  'external-id-required',
  'describe-key',
  'round-trip',
  'reencrypt',
];

const withoutCondition = (kit: SetupKit): PolicyDocument => ({
  ...kit.trustPolicy,
  Statement: [{ ...kit.trustPolicy.Statement[0]!, Condition: undefined }],
});
const withCondition = (
  kit: SetupKit,
  condition: NonNullable<PolicyDocument['Statement'][number]['Condition']>,
): PolicyDocument => ({
  ...kit.trustPolicy,
  Statement: [{ ...kit.trustPolicy.Statement[0]!, Condition: condition }],
});
const onlyActions = (kit: SetupKit, actions: string[]): PolicyDocument => ({
  ...kit.permissionsPolicy,
  Statement: [{ ...kit.permissionsPolicy.Statement[0]!, Action: actions }],
});
const tenantCondition = (tenant: string) => ({
  StringEquals: { 'kms:EncryptionContext:keyward:tenant': tenant },
});

interface Case {
  name: string;
  mistake: Mistake;
  check: CheckId;
  code: DiagnosisCode;
  artifact: Artifact;
  step: number;
  status?: 'fail' | 'warn';
  /** Words the remediation must contain: the artifact and the step. */
  remediation: RegExp[];
  message?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'the Role ARN is mistyped as a user ARN',
    mistake: { subject: ({ roleArn }) => ({ roleArn: roleArn.replace(':role/', ':user/') }) },
    check: 'arn-syntax',
    code: 'KW_CHECK_ROLE_ARN_INVALID',
    artifact: 'role-arn',
    step: 6,
    remediation: [/Role ARN/, /step 6/],
  },
  {
    name: 'the CMK ARN is an alias ARN',
    mistake: { subject: () => ({ keyArn: 'arn:aws:kms:us-east-1:444455556666:alias/my-byok-key' }) },
    check: 'arn-syntax',
    code: 'KW_CHECK_KEY_ARN_IS_ALIAS',
    artifact: 'cmk-arn',
    step: 6,
    remediation: [/key ARN/, /alias/, /step 6/],
  },
  {
    name: 'the role is registered to another tenant',
    mistake: { roleOwner: 'globex' },
    check: 'arn-syntax',
    code: 'KW_CHECK_ROLE_ALREADY_REGISTERED',
    artifact: 'role-arn',
    step: 3,
    remediation: [/separate role/, /step 3/],
  },
  // KMS refuses a key policy naming a role that does not exist, so the customer could not add the statement either.
  {
    name: 'the role was never created',
    mistake: { createRole: false, keyPolicy: () => [ADMIN_STATEMENT] },
    check: 'assume-role',
    code: 'KW_CHECK_ASSUME_ROLE_DENIED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/, /exists/],
    message: /AccessDenied/,
  },
  {
    name: 'the trust policy trusts another principal',
    mistake: {
      trustPolicy: (kit) => ({
        ...kit.trustPolicy,
        Statement: [
          { ...kit.trustPolicy.Statement[0]!, Principal: { AWS: 'arn:aws:iam::999988887777:root' } },
        ],
      }),
    },
    check: 'assume-role',
    code: 'KW_CHECK_ASSUME_ROLE_DENIED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/, /keyward-service/],
  },
  {
    name: 'the trust policy names another External ID',
    mistake: {
      trustPolicy: (kit) => withCondition(kit, { StringEquals: { 'sts:ExternalId': 'kw-someoneelse' } }),
    },
    check: 'assume-role',
    code: 'KW_CHECK_ASSUME_ROLE_DENIED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/, /sts:ExternalId/],
  },
  {
    name: 'the trust policy has no External ID condition',
    mistake: { trustPolicy: withoutCondition },
    check: 'external-id-required',
    code: 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/, /"StringEquals":\{"sts:ExternalId":"kw-/],
    message: /without an External ID/,
  },
  {
    name: 'the trust policy accepts any External ID',
    mistake: { trustPolicy: (kit) => withCondition(kit, { StringLike: { 'sts:ExternalId': '*' } }) },
    check: 'external-id-required',
    code: 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/],
  },
  {
    name: 'the CMK ARN names another region',
    mistake: { subject: ({ keyArn }) => ({ keyArn: keyArn.replace('us-east-1', 'eu-west-1') }) },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_NOT_FOUND',
    artifact: 'cmk-arn',
    step: 2,
    remediation: [/CMK ARN/, /steps 2 and 6/, /eu-west-1/],
  },
  {
    name: 'the key is disabled',
    mistake: { keyState: 'Disabled' },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_DISABLED',
    artifact: 'kms-key',
    step: 2,
    remediation: [/Enable the key/, /step 2/],
  },
  {
    name: 'the key is pending deletion',
    mistake: { keyState: 'PendingDeletion' },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_PENDING_DELETION',
    artifact: 'kms-key',
    step: 2,
    remediation: [/Cancel the key deletion/, /step 2/],
    message: /scheduled for deletion on \d{4}-\d{2}-\d{2}T/,
  },
  {
    name: 'the key is asymmetric',
    mistake: { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_SPEC',
    artifact: 'kms-key',
    step: 2,
    remediation: [/symmetric/, /step 2/],
    message: /RSA_2048/,
  },
  {
    name: 'the key policy lacks the role (and does not delegate to IAM)',
    mistake: { keyPolicy: () => [ADMIN_STATEMENT] },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_POLICY_MISSING_ROLE',
    artifact: 'key-policy-statement',
    step: 3,
    remediation: [/key policy/, /step 3/, /AllowKeywardByokRole/],
    message: /no resource-based policy/,
  },
  {
    name: 'the key delegates to IAM but the role has no permissions policy',
    mistake: { keyPolicy: () => [ROOT_STATEMENT], permissionsPolicy: () => null },
    check: 'describe-key',
    code: 'KW_CHECK_PERMISSIONS_MISSING_ACTION',
    artifact: 'permissions-policy',
    step: 3,
    remediation: [/permissions policy/, /step 3/],
    message: /no identity-based policy/,
  },
  {
    name: 'an explicit deny in the key policy',
    mistake: {
      keyPolicy: (kit) => [
        ADMIN_STATEMENT,
        kit.keyPolicyStatement,
        {
          Sid: 'NoDescribe',
          Effect: 'Deny',
          Principal: { AWS: kit.values.roleArn },
          Action: 'kms:DescribeKey',
          Resource: '*',
        },
      ],
    },
    check: 'describe-key',
    code: 'KW_CHECK_EXPLICIT_DENY',
    artifact: 'key-policy-statement',
    step: 3,
    remediation: [/Deny/, /step 3/],
    message: /explicit deny/,
  },
  {
    name: 'the tenant condition also covers DescribeKey',
    mistake: {
      keyPolicy: (kit) => [
        ADMIN_STATEMENT,
        { ...kit.keyPolicyStatement, Condition: tenantCondition(TENANT) },
      ],
    },
    check: 'describe-key',
    code: 'KW_CHECK_CONTEXT_CONDITION_ON_DESCRIBE',
    artifact: 'key-policy-statement',
    step: 3,
    remediation: [/kms:DescribeKey/, /step 3/, /AllowKeywardByokRoleDescribe/],
  },
  {
    name: 'the tenant condition names another tenant',
    mistake: {
      keyPolicy: (kit) => [
        ADMIN_STATEMENT,
        kit.hardening.keyPolicyStatements[0]!,
        { ...kit.hardening.keyPolicyStatements[1]!, Condition: tenantCondition('globex') },
      ],
    },
    check: 'round-trip',
    code: 'KW_CHECK_KEY_POLICY_DENIES_USE',
    artifact: 'key-policy-statement',
    step: 3,
    remediation: [/key policy/, /step 3/, /"acme"/],
  },
  {
    name: 'the permissions policy allows only DescribeKey',
    mistake: {
      keyPolicy: () => [ROOT_STATEMENT],
      permissionsPolicy: (kit) => onlyActions(kit, ['kms:DescribeKey']),
    },
    check: 'round-trip',
    code: 'KW_CHECK_PERMISSIONS_DENY_USE',
    artifact: 'permissions-policy',
    step: 3,
    remediation: [/permissions policy/, /step 3/],
  },
  {
    name: 'the trust policy checks the session name instead of the External ID',
    mistake: {
      trustPolicy: (kit) =>
        withCondition(kit, { StringEquals: { 'sts:RoleSessionName': `keyward-${TENANT}` } }),
    },
    check: 'external-id-required',
    code: 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED',
    artifact: 'trust-policy',
    step: 3,
    remediation: [/trust policy/, /step 3/],
  },
  {
    name: 'the platform has not yet allowed itself to assume the role (step 5)',
    mistake: { platformAllows: false },
    check: 'assume-role',
    code: 'KW_CHECK_PLATFORM_POLICY_MISSING_ROLE',
    artifact: 'platform',
    step: 5,
    remediation: [/Nothing to change on your side/, /step 5/],
  },
  {
    name: 'the permissions policy leaves out DescribeKey',
    mistake: {
      keyPolicy: () => [ROOT_STATEMENT],
      permissionsPolicy: (kit) =>
        onlyActions(kit, ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*']),
    },
    check: 'describe-key',
    code: 'KW_CHECK_PERMISSIONS_MISSING_ACTION',
    artifact: 'permissions-policy',
    step: 3,
    remediation: [/permissions policy/, /kms:DescribeKey/],
  },
  {
    name: 'the key policy statement leaves out DescribeKey',
    mistake: {
      keyPolicy: (kit) => [
        ADMIN_STATEMENT,
        {
          ...kit.keyPolicyStatement,
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'],
        },
      ],
    },
    check: 'describe-key',
    code: 'KW_CHECK_KEY_POLICY_MISSING_ROLE',
    artifact: 'key-policy-statement',
    step: 3,
    remediation: [/key policy/, /kms:DescribeKey/],
  },
  {
    name: "an explicit deny in the role's permissions",
    mistake: {
      keyPolicy: () => [ROOT_STATEMENT],
      permissionsPolicy: (kit) => ({
        ...kit.permissionsPolicy,
        Statement: [
          ...kit.permissionsPolicy.Statement,
          { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' },
        ],
      }),
    },
    check: 'round-trip',
    code: 'KW_CHECK_EXPLICIT_DENY_IN_PERMISSIONS',
    artifact: 'permissions-policy',
    step: 3,
    remediation: [/policies attached to the role/, /step 3/],
    message: /explicit deny in an identity-based policy/,
  },
  {
    name: 'the key policy leaves out ReEncrypt (a warning only)',
    mistake: {
      keyPolicy: (kit) => [
        ADMIN_STATEMENT,
        {
          ...kit.keyPolicyStatement,
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        },
      ],
    },
    check: 'reencrypt',
    code: 'KW_CHECK_REENCRYPT_DENIED',
    artifact: 'key-policy-statement',
    step: 3,
    status: 'warn',
    remediation: [/kms:ReEncrypt\*/, /step 3/],
  },
];

describe('onboarding checks against the sandbox', () => {
  let world: Onboarding;
  beforeAll(async () => {
    world = await onboarding();
  });
  afterAll(() => world.close());

  it('a setup built verbatim from the generated artifacts passes every check, each reported as it finishes', async () => {
    const seen: string[] = [];
    const { report } = await world.run({}, (result) => seen.push(result.id));
    expect(seen).toEqual(ORDER);
    expect(report.results.map((result) => [result.id, result.status, result.code])).toEqual([
      ['arn-syntax', 'pass', 'KW_CHECK_ARNS_VALID'],
      ['assume-role', 'pass', 'KW_CHECK_ROLE_ASSUMED'],
      ['external-id-required', 'pass', 'KW_CHECK_EXTERNAL_ID_ENFORCED'],
      ['describe-key', 'pass', 'KW_CHECK_KEY_USABLE'],
      ['round-trip', 'pass', 'KW_CHECK_ROUND_TRIP_OK'],
      ['reencrypt', 'pass', 'KW_CHECK_REENCRYPT_OK'],
    ]);
    expect(report.ok).toBe(true);
    expect(report.results.every((result) => result.remediation === null && result.durationMs >= 0)).toBe(
      true,
    );
  });

  it("the hardened statements from the kit pass too, with AWS's default root statement kept", async () => {
    const { report } = await world.run({
      keyPolicy: (kit) => [ROOT_STATEMENT, ...kit.hardening.keyPolicyStatements],
      permissionsPolicy: (kit) => kit.hardening.permissionsPolicy,
    });
    expect(report.ok).toBe(true);
    expect(report.results.filter((result) => result.status !== 'pass')).toEqual([]);
  });

  it.each(CASES)(
    '$name → $check: $code',
    async ({ mistake, check, code, artifact, step, status, remediation, message }) => {
      const { report } = await world.run(mistake);
      const index = ORDER.indexOf(check);
      const found = report.results[index]!;
      expect({ id: found.id, code: found.code, status: found.status }).toEqual({
        id: check,
        code,
        status: status ?? 'fail',
      });
      // Every check before it passed.
      expect(report.results.slice(0, index).map((result) => [result.id, result.status])).toEqual(
        ORDER.slice(0, index).map((id) => [id, 'pass']),
      );
      for (const words of remediation) expect(found.remediation).toMatch(words);
      if (message) expect(found.message).toMatch(message);
      expect({ artifact: found.artifact, step: found.step }).toEqual({ artifact, step });
      expect(report.ok).toBe((status ?? 'fail') !== 'fail');
    },
  );

  it('throttling is reported as retryable, not as a misconfiguration, and stops the run', async () => {
    await world.box.admin.addFault({ mode: 'throttle', service: 'sts', operation: 'AssumeRole' });
    try {
      const { report } = await world.run();
      const [syntax, assume, ...rest] = report.results;
      expect(syntax!.status).toBe('pass');
      expect(assume).toMatchObject({
        id: 'assume-role',
        status: 'fail',
        code: 'KW_CHECK_AWS_UNAVAILABLE',
        retryable: true,
        artifact: null,
        step: null,
        aws: { errorName: 'Throttling' },
      });
      expect(assume!.remediation).toMatch(/run the test again/);
      expect(rest.map((result) => [result.status, result.code])).toEqual(
        rest.map(() => ['skipped', 'KW_CHECK_SKIPPED']),
      );
      expect(report.ok).toBe(false);
    } finally {
      await world.box.admin.clearFaults();
    }
  });
});
