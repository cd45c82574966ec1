import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import * as fc from 'fast-check';
import { parse as parseYaml, parseDocument, visit } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isKeywardError, type KeywardError } from '../errors.js';
import { roleSessionNameFor } from '../keys/customer-kms-root-key.js';
import { cliChecks } from './cli-checks.js';
import { buildSetupKit, type SetupKit } from './kit.js';
import { platformIdentity, type KitInput, type KitValues } from './kit-input.js';
import { serviceRolePolicy, type PolicyDocument, type PolicyStatement } from './policies.js';

// ---- fixtures ---------------------------------------------------------------------------------

const SERVICE_ROLE = 'arn:aws:iam::111122223333:role/KeywardService';
const EXTERNAL_ID = 'kw-abcdefghijklmnopqrstuvwxyz234567';
const ROLE_ARN = 'arn:aws:iam::444455556666:role/KeywardByokAccess';
const KEY_ARN = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const TENANT = 'acme-prod';

const platform = platformIdentity(SERVICE_ROLE);
const fullInput: KitInput = {
  platform,
  tenantId: TENANT,
  externalId: EXTERNAL_ID,
  roleArn: ROLE_ARN,
  keyArn: KEY_ARN,
};
const placeholderInput: KitInput = { platform, tenantId: TENANT, externalId: EXTERNAL_ID };

const FIVE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];
const FOUR_CONTEXT_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** The documents the kit must produce, written out by hand. */
const expectedTrust = (serviceRoleArn: string, externalId: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowKeywardServiceRoleWithExternalId',
      Effect: 'Allow',
      Principal: { AWS: serviceRoleArn },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': externalId } },
    },
  ],
});
const expectedPermissions = (keyArn: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'UseTheByokKey', Effect: 'Allow', Action: FIVE_ACTIONS, Resource: keyArn }],
});
const expectedKeyStatement = (roleArn: string): PolicyStatement => ({
  Sid: 'AllowKeywardByokRole',
  Effect: 'Allow',
  Principal: { AWS: roleArn },
  Action: FIVE_ACTIONS,
  Resource: '*',
});

/** What `run` threw (undefined when it returned). */
function caught(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const kits = {
  full: buildSetupKit(fullInput),
  placeholders: buildSetupKit(placeholderInput),
};

// ---- values -----------------------------------------------------------------------------------

describe('kit values', () => {
  it('with full values, takes account, region and role name from the ARNs', () => {
    expect(kits.full.values).toStrictEqual<KitValues>({
      partition: 'aws',
      tenantId: TENANT,
      externalId: EXTERNAL_ID,
      serviceRoleArn: SERVICE_ROLE,
      roleName: 'KeywardByokAccess',
      rolePath: '/',
      roleArn: ROLE_ARN,
      keyArn: KEY_ARN,
      region: 'eu-west-1',
      customerAccountId: '444455556666',
      placeholders: false,
    });
  });

  it("without role and key, fills in clearly marked placeholders in the platform's partition", () => {
    expect(kits.placeholders.values).toStrictEqual<KitValues>({
      partition: 'aws',
      tenantId: TENANT,
      externalId: EXTERNAL_ID,
      serviceRoleArn: SERVICE_ROLE,
      roleName: 'KeywardByokAccess',
      rolePath: '/',
      roleArn: 'arn:aws:iam::CUSTOMER_ACCOUNT_ID:role/KeywardByokAccess',
      keyArn: 'arn:aws:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID',
      region: 'REGION',
      customerAccountId: 'CUSTOMER_ACCOUNT_ID',
      placeholders: true,
    });
    const china = buildSetupKit({
      platform: platformIdentity('arn:aws-cn:iam::111122223333:role/S'),
      tenantId: 't',
      externalId: EXTERNAL_ID,
      roleName: 'Custom',
    });
    expect(china.values.roleArn).toBe('arn:aws-cn:iam::CUSTOMER_ACCOUNT_ID:role/Custom');
    expect(china.values.keyArn).toBe('arn:aws-cn:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID');
  });

  it("with only the role known, puts the role's account into the key placeholder", () => {
    const kit = buildSetupKit({ ...placeholderInput, roleArn: 'arn:aws:iam::444455556666:role/a/b/Named' });
    expect(kit.values.roleName).toBe('Named');
    expect(kit.values.rolePath).toBe('/a/b/');
    expect(kit.values.keyArn).toBe('arn:aws:kms:REGION:444455556666:key/KEY_ID');
    expect(kit.values.placeholders).toBe(true);
  });

  it.each([
    ['role/KeywardByokAccess', 'KeywardByokAccess', '/'],
    ['role/team/KeywardByokAccess', 'KeywardByokAccess', '/team/'],
    ['role/a/b/c/N', 'N', '/a/b/c/'],
    ['role/service-role/role', 'role', '/service-role/'],
    ['role/role/role/role', 'role', '/role/role/'],
    ['role/we!rd$:path~/Name', 'Name', '/we!rd$:path~/'],
  ])('takes the role path from the Role ARN (%s)', (resource, roleName, rolePath) => {
    const values = buildSetupKit({ ...fullInput, roleArn: `arn:aws:iam::444455556666:${resource}` }).values;
    expect(values.roleName).toBe(roleName);
    expect(values.rolePath).toBe(rolePath);
    expect(`arn:aws:iam::444455556666:role${values.rolePath}${values.roleName}`).toBe(values.roleArn);
  });

  it('uses the path / while the role is unknown, whatever role name is suggested', () => {
    expect(buildSetupKit({ ...placeholderInput, roleName: 'Custom' }).values.rolePath).toBe('/');
    expect(buildSetupKit({ ...placeholderInput, keyArn: KEY_ARN }).values.rolePath).toBe('/');
  });

  it("refuses an External ID outside AWS's limits", () => {
    let caught: unknown;
    try {
      buildSetupKit({ ...fullInput, externalId: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(isKeywardError(caught, 'KW_INVALID_ARGUMENT')).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['a space', 'acme prod'],
    ['a leading "-"', '-acme'],
    ['a leading "."', '.acme'],
    ['a "/"', 'acme/prod'],
    ['a ":"', 'acme:prod'],
    ['"${x}"', '${x}'],
    ['a newline', 'acme\nprod'],
    ['a non-ASCII letter', 'acmé'],
    ['129 characters', `a${'b'.repeat(128)}`],
  ])('refuses a tenant ID with %s (KW_INVALID_TENANT_ID), with or without role and key', (_, tenantId) => {
    for (const input of [fullInput, placeholderInput]) {
      expect(
        isKeywardError(
          caught(() => buildSetupKit({ ...input, tenantId })),
          'KW_INVALID_TENANT_ID',
        ),
      ).toBe(true);
    }
  });

  it('accepts tenant IDs at the limits of the alphabet and length', () => {
    for (const tenantId of ['a', '0', 'A.b_c-9', `a${'b'.repeat(127)}`]) {
      expect(buildSetupKit({ ...fullInput, tenantId }).values.tenantId).toBe(tenantId);
    }
  });

  it.each([
    ['a user ARN', 'arn:aws:iam::444455556666:user/KeywardByokAccess'],
    ['an assumed-role ARN', 'arn:aws:sts::444455556666:assumed-role/KeywardByokAccess/session'],
    ['a role ARN with a region', 'arn:aws:iam:eu-west-1:444455556666:role/KeywardByokAccess'],
    ['a role ARN without an account', 'arn:aws:iam:::role/KeywardByokAccess'],
    ['an empty role name', 'arn:aws:iam::444455556666:role/team/'],
    ['a space in the role name', 'arn:aws:iam::444455556666:role/Keyward Access'],
    ['a 65-character role name', `arn:aws:iam::444455556666:role/${'n'.repeat(65)}`],
    ['a role name alone', 'KeywardByokAccess'],
  ])('refuses %s as Role ARN (KW_INVALID_ARN)', (_, roleArn) => {
    const error = caught(() => buildSetupKit({ ...fullInput, roleArn }));
    expect(isKeywardError(error, 'KW_INVALID_ARN')).toBe(true);
    expect((error as KeywardError).message).toBe(
      `"${roleArn}" is not an IAM role ARN such as arn:aws:iam::444455556666:role/KeywardAccess.`,
    );
    expect(
      isKeywardError(
        caught(() => buildSetupKit({ ...placeholderInput, roleArn })),
        'KW_INVALID_ARN',
      ),
    ).toBe(true);
  });

  it.each([
    ['an alias ARN', 'arn:aws:kms:eu-west-1:444455556666:alias/keyward'],
    [
      'an alias ARN named like a key',
      'arn:aws:kms:eu-west-1:444455556666:alias/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    ['a key ARN without a key ID', 'arn:aws:kms:eu-west-1:444455556666:key/'],
    ['a key ARN without a region', 'arn:aws:kms::444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    [
      'a key ARN with an upper-case key ID',
      'arn:aws:kms:eu-west-1:444455556666:key/1234ABCD-12AB-34CD-56EF-1234567890AB',
    ],
    ['an IAM ARN', ROLE_ARN],
    ['a bare key ID', '1234abcd-12ab-34cd-56ef-1234567890ab'],
  ])('refuses %s as CMK ARN (KW_INVALID_ARN)', (_, keyArn) => {
    const error = caught(() => buildSetupKit({ ...fullInput, keyArn }));
    expect(isKeywardError(error, 'KW_INVALID_ARN')).toBe(true);
    expect((error as KeywardError).message).toBe(
      `"${keyArn}" is not a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab.`,
    );
    expect(
      isKeywardError(
        caught(() => buildSetupKit({ ...placeholderInput, keyArn })),
        'KW_INVALID_ARN',
      ),
    ).toBe(true);
  });

  it('accepts a multi-Region key ARN and a role ARN with a path', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:444455556666:key/mrk-0123456789abcdef0123456789abcdef';
    const values = buildSetupKit({
      ...fullInput,
      roleArn: 'arn:aws:iam::444455556666:role/team/R',
      keyArn,
    }).values;
    expect([values.roleName, values.rolePath, values.keyArn, values.region]).toStrictEqual([
      'R',
      '/team/',
      keyArn,
      'eu-west-1',
    ]);
  });

  it('platformIdentity takes partition and account from the Service Role ARN, and refuses non-role ARNs', () => {
    expect(platform).toStrictEqual({
      partition: 'aws',
      accountId: '111122223333',
      serviceRoleArn: SERVICE_ROLE,
    });
    expect(() => platformIdentity('arn:aws:iam::111122223333:user/x')).toThrow(/not an IAM role ARN/);
    expect(() => platformIdentity('arn:aws:kms:us-east-1:111122223333:key/x')).toThrow(/not an IAM role ARN/);
  });
});

// ---- JSON artifacts ---------------------------------------------------------------------------

describe('JSON artifacts', () => {
  it.each([
    ['full', kits.full],
    ['placeholders', kits.placeholders],
  ] as const)('are minimal and exact (%s)', (_, kit) => {
    const v = kit.values;
    expect(kit.trustPolicy).toStrictEqual(expectedTrust(SERVICE_ROLE, EXTERNAL_ID));
    expect(kit.permissionsPolicy).toStrictEqual(expectedPermissions(v.keyArn));
    expect(kit.keyPolicyStatement).toStrictEqual(expectedKeyStatement(v.roleArn));
    expect(kit.trustPolicy.Statement).toHaveLength(1);
    expect(kit.permissionsPolicy.Statement).toHaveLength(1);
    expect(kit.keyPolicyWarning).toMatch(
      /^Add this statement to the key policy; do not replace the policy\./,
    );
  });

  it("name the tenant's real values", () => {
    expect(kits.full.permissionsPolicy.Statement[0]!.Resource).toBe(KEY_ARN);
    expect(kits.full.keyPolicyStatement.Principal).toStrictEqual({ AWS: ROLE_ARN });
    expect(kits.full.trustPolicy.Statement[0]!.Principal).toStrictEqual({ AWS: SERVICE_ROLE });
  });

  it('hardened statements keep DescribeKey unconditioned and condition the four context actions on the tenant', () => {
    const { hardening } = kits.full;
    expect(hardening.keyPolicyStatements).toStrictEqual<PolicyStatement[]>([
      {
        Sid: 'AllowKeywardByokRoleDescribe',
        Effect: 'Allow',
        Principal: { AWS: ROLE_ARN },
        Action: 'kms:DescribeKey',
        Resource: '*',
      },
      {
        Sid: 'AllowKeywardByokRoleForThisTenant',
        Effect: 'Allow',
        Principal: { AWS: ROLE_ARN },
        Action: FOUR_CONTEXT_ACTIONS,
        Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:keyward:tenant': TENANT } },
      },
    ]);
    expect(hardening.permissionsPolicy).toStrictEqual<PolicyDocument>({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DescribeTheByokKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY_ARN },
        {
          Sid: 'UseTheByokKeyForThisTenant',
          Effect: 'Allow',
          Action: FOUR_CONTEXT_ACTIONS,
          Resource: KEY_ARN,
          Condition: { StringEquals: { 'kms:EncryptionContext:keyward:tenant': TENANT } },
        },
      ],
    });
    expect(hardening.roleSessionName).toBe('keyward-acme-prod');
    expect(hardening.note).toBe(
      'Every KMS call for this tenant carries the encryption context keyward:tenant=acme-prod and comes from the role session keyward-acme-prod; the hardened statements allow the cryptographic actions only with that context. The platform does not set a SourceIdentity, so the trust policy needs no sts:SetSourceIdentity and must not require sts:SourceIdentity.',
    );
  });
});

describe('serviceRolePolicy', () => {
  it('returns null when no role is registered', () => {
    expect(serviceRolePolicy([])).toBeNull();
  });

  it('allows sts:AssumeRole on the registered roles, deduplicated and sorted', () => {
    const a = 'arn:aws:iam::111111111111:role/A';
    const b = 'arn:aws:iam::222222222222:role/B';
    const c = 'arn:aws:iam::222222222222:role/path/C';
    expect(serviceRolePolicy([c, a, b, a, c])).toStrictEqual<PolicyDocument>({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AssumeRegisteredCustomerRoles',
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Resource: [a, b, c],
        },
      ],
    });
    expect(serviceRolePolicy([b])!.Statement[0]!.Resource).toStrictEqual([b]);
  });

  it('does not modify its input, and gives the same document for any order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(
            'arn:aws:iam::1:role/a',
            'arn:aws:iam::1:role/b',
            'arn:aws:iam::2:role/a',
            'arn:aws:iam::2:role/Z',
          ),
          { minLength: 1 },
        ),
        (roles) => {
          const copy = [...roles];
          const policy = serviceRolePolicy(roles)!;
          expect(roles).toStrictEqual(copy);
          expect(policy.Statement[0]!.Resource).toStrictEqual([...new Set(roles)].sort());
          expect(serviceRolePolicy([...roles].reverse())).toStrictEqual(policy);
        },
      ),
    );
  });
});

// ---- AWS CLI checks ---------------------------------------------------------------------------

/** What the fake `aws` answers to assume-role: the session, as `--output text` prints the script's query. */
const SESSION = {
  accessKeyId: 'ASIAEXAMPLESESSION',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYsession',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//token==',
};
const ASSUME_QUERY = [
  '--query',
  'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]',
  '--output',
  'text',
];

/**
 * The argv each `aws …` call of a command gets from bash: the real shell decides the quoting. `aws`
 * is a function writing to fd 3, so calls inside `$(…)` are seen too; it answers `sts` calls with
 * SESSION as tab-separated text, as the AWS CLI does.
 */
function bashArgv(command: string): string[][] {
  const fake = [
    'exec 3>&1 >/dev/null',
    // Each call prints its argument count, then its arguments, all NUL-terminated (NUL cannot occur in an argument).
    `aws() { printf '%s\\0' "$#" "$@" >&3; if [ "$1" = sts ]; then printf '%s\\t%s\\t%s\\n' '${SESSION.accessKeyId}' '${SESSION.secretAccessKey}' '${SESSION.sessionToken}'; fi; }`,
  ].join('\n');
  const fields = execFileSync('bash', ['-c', `${fake}\n${command}`], { encoding: 'utf8' }).split('\0');
  fields.pop(); // after the last NUL
  const calls: string[][] = [];
  while (fields.length > 0) {
    const count = Number(fields.shift());
    calls.push(fields.splice(0, count));
  }
  return calls;
}

describe('cliChecks', () => {
  const assumeArgs = [
    'sts',
    'assume-role',
    '--role-arn',
    ROLE_ARN,
    '--role-session-name',
    'keyward-acme-prod',
    '--external-id',
    EXTERNAL_ID,
  ];
  const describeArgs = ['kms', 'describe-key', '--region', 'eu-west-1', '--key-id', KEY_ARN];

  it('are the exact commands for the tenant', () => {
    expect(kits.full.cliChecks.assumeRole).toBe(
      [
        'aws sts assume-role \\',
        '  --role-arn arn:aws:iam::444455556666:role/KeywardByokAccess \\',
        '  --role-session-name keyward-acme-prod \\',
        `  --external-id ${EXTERNAL_ID}`,
      ].join('\n'),
    );
    expect(kits.full.cliChecks.describeKey).toBe(
      `aws kms describe-key --region eu-west-1 --key-id ${KEY_ARN}`,
    );
    expect(kits.full.cliChecks.script).toBe(
      [
        "# Run as the platform's Service Role (the only principal the trust policy allows).",
        '# 1. Assume the role with the External ID, as the platform will, and use the session from here on.',
        'read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< "$(aws sts assume-role \\',
        '    --role-arn arn:aws:iam::444455556666:role/KeywardByokAccess \\',
        '    --role-session-name keyward-acme-prod \\',
        `    --external-id ${EXTERNAL_ID} \\`,
        "    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)\"",
        'export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
        '# 2. As the role (never as yourself: stop if AssumeRole failed), describe the key: it must be Enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT.',
        `if [ -n "$AWS_SESSION_TOKEN" ]; then aws kms describe-key --region eu-west-1 --key-id ${KEY_ARN}; else echo 'AssumeRole failed: fix the trust policy (step 3) first.' >&2; fi`,
      ].join('\n'),
    );
    expect(kits.full.cliChecks.script).not.toMatch(/python|jq|keyward-check/);
  });

  it('give the AWS CLI exactly the intended arguments (through bash)', () => {
    expect(bashArgv(kits.full.cliChecks.assumeRole)).toStrictEqual([assumeArgs]);
    expect(bashArgv(kits.full.cliChecks.describeKey)).toStrictEqual([describeArgs]);
    expect(bashArgv(kits.full.cliChecks.script)).toStrictEqual([
      [...assumeArgs, ...ASSUME_QUERY],
      describeArgs,
    ]);
  });

  it("use the data plane's role session name: keyward-<tenant>, cut to 64 characters", () => {
    const tenantId = `T${'x'.repeat(127)}`;
    const session = `keyward-T${'x'.repeat(55)}`;
    expect(session).toHaveLength(64);
    expect(roleSessionNameFor(tenantId)).toBe(session);
    const kit = buildSetupKit({ ...fullInput, tenantId });
    expect(kit.hardening.roleSessionName).toBe(session);
    expect(bashArgv(kit.cliChecks.script)[0]).toStrictEqual([
      'sts',
      'assume-role',
      '--role-arn',
      ROLE_ARN,
      '--role-session-name',
      session,
      '--external-id',
      EXTERNAL_ID,
      ...ASSUME_QUERY,
    ]);
    expect(kit.guide).toContain(`\`assumed-role/KeywardByokAccess/${session}\``);
    expect(kit.hardening.note).toContain(`comes from the role session ${session};`);

    const dotted = buildSetupKit({ ...fullInput, tenantId: 'Acme.prod_1' });
    expect(dotted.hardening.roleSessionName).toBe('keyward-Acme.prod_1');
    expect(bashArgv(dotted.cliChecks.assumeRole)[0]![5]).toBe('keyward-Acme.prod_1');
  });

  it('shell-quote odd values', () => {
    // Printable ASCII is allowed in an IAM role path, so the Role ARN may carry shell syntax.
    const oddRole = 'arn:aws:iam::444455556666:role/it\'s$(reboot)`id`"q";&|*?[a]~!#\\$HOME/Name';
    const kit = buildSetupKit({ ...fullInput, roleArn: oddRole });
    expect(kit.cliChecks.assumeRole).toContain(
      "--role-arn 'arn:aws:iam::444455556666:role/it'\\''s$(reboot)`id`\"q\";&|*?[a]~!#\\$HOME/Name'",
    );
    expect(bashArgv(kit.cliChecks.script)).toStrictEqual([
      [
        'sts',
        'assume-role',
        '--role-arn',
        oddRole,
        '--role-session-name',
        'keyward-acme-prod',
        '--external-id',
        EXTERNAL_ID,
        ...ASSUME_QUERY,
      ],
      describeArgs,
    ]);
    // A CMK ARN cannot hold such characters any more (kitValues refuses it), but cliChecks still quotes what it is given.
    const oddKey = "arn:aws:kms:us-east-1:444455556666:key/x y'z$HOME";
    const checks = cliChecks({ ...kits.full.values, roleArn: oddRole, region: 'us-east-1', keyArn: oddKey });
    expect(checks.describeKey).toBe(
      `aws kms describe-key --region us-east-1 --key-id 'arn:aws:kms:us-east-1:444455556666:key/x y'\\''z$HOME'`,
    );
    expect(bashArgv(checks.assumeRole)).toStrictEqual([
      [
        'sts',
        'assume-role',
        '--role-arn',
        oddRole,
        '--role-session-name',
        'keyward-acme-prod',
        '--external-id',
        EXTERNAL_ID,
      ],
    ]);
    expect(bashArgv(checks.describeKey)).toStrictEqual([
      ['kms', 'describe-key', '--region', 'us-east-1', '--key-id', oddKey],
    ]);
  });

  it('round-trip any values through the shell, in the commands and in the script', () => {
    const word = fc.string({
      minLength: 0,
      maxLength: 24,
      unit: fc.constantFrom(...'aZ09:/-_.@%+=, \t\n\'"\\$`!*?[]{}()<>|&;#~'.split('')),
    });
    fc.assert(
      fc.property(word, word, word, word, (roleArn, region, keyArn, externalId) => {
        const values = { ...kits.full.values, roleArn, region, keyArn, externalId };
        const checks = cliChecks(values);
        const assume = [
          'sts',
          'assume-role',
          '--role-arn',
          roleArn,
          '--role-session-name',
          'keyward-acme-prod',
          '--external-id',
          externalId,
        ];
        const describeKey = ['kms', 'describe-key', '--region', region, '--key-id', keyArn];
        expect(bashArgv(`${checks.assumeRole}\n${checks.describeKey}`)).toStrictEqual([assume, describeKey]);
        expect(bashArgv(checks.script)).toStrictEqual([[...assume, ...ASSUME_QUERY], describeKey]);
      }),
      { numRuns: 40 },
    );
  });

  it('the script is valid bash', () => {
    const result = spawnSync('bash', ['-n'], { input: kits.full.cliChecks.script, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it("the script describes the key with the assumed session's credentials, with nothing but bash and aws on PATH", () => {
    const bash = execFileSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).trim();
    const dir = mkdtempSync(join(tmpdir(), 'kw-cli-'));
    try {
      const stub = join(dir, 'aws');
      writeFileSync(
        stub,
        [
          `#!${bash}`,
          '# Shell builtins only: this stub is all there is on PATH.',
          'printf "%s|" "$@" >> "$KW_LOG"',
          'printf "as %s %s %s\\n" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" >> "$KW_LOG"',
          `if [ "$1" = sts ]; then printf '%s\\t%s\\t%s\\n' '${SESSION.accessKeyId}' '${SESSION.secretAccessKey}' '${SESSION.sessionToken}'; fi`,
          '',
        ].join('\n'),
      );
      chmodSync(stub, 0o755);
      const log = join(dir, 'log');
      // The shell holds the Service Role's credentials, as the guide says it must.
      const env = {
        PATH: dir,
        KW_LOG: log,
        AWS_ACCESS_KEY_ID: 'AKIASERVICEROLE',
        AWS_SECRET_ACCESS_KEY: 'service-secret',
        AWS_SESSION_TOKEN: 'service-token',
      };
      expect(
        spawnSync(bash, ['-c', 'command -v python3 || command -v python || command -v jq'], { env }).status,
      ).toBe(1);
      execFileSync(bash, ['-c', kits.full.cliChecks.script], { env });
      expect(readFileSync(log, 'utf8').trim().split('\n')).toStrictEqual([
        `sts|assume-role|--role-arn|${ROLE_ARN}|--role-session-name|keyward-acme-prod|--external-id|${EXTERNAL_ID}|--query|Credentials.[AccessKeyId,SecretAccessKey,SessionToken]|--output|text|as AKIASERVICEROLE service-secret service-token`,
        `kms|describe-key|--region|eu-west-1|--key-id|${KEY_ARN}|as ${SESSION.accessKeyId} ${SESSION.secretAccessKey} ${SESSION.sessionToken}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- Markdown guide ---------------------------------------------------------------------------

const jsonBlocks = (markdown: string): unknown[] =>
  [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);
const shBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/```(?:sh|bash)\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
/** The text of one step, from its anchor to the next one. */
const step = (markdown: string, n: number): string =>
  markdown.slice(
    markdown.indexOf(`<a id="step-${n}">`),
    n === 6 ? undefined : markdown.indexOf(`<a id="step-${n + 1}">`),
  );

describe('setup guide', () => {
  it('has the six steps in order, each behind its anchor', () => {
    const guide = kits.full.guide;
    const anchors = [...guide.matchAll(/<a id="(step-\d)"><\/a>\n## Step (\d): /g)].map((m) => [m[1], m[2]]);
    expect(anchors).toStrictEqual([
      ['step-1', '1'],
      ['step-2', '2'],
      ['step-3', '3'],
      ['step-4', '4'],
      ['step-5', '5'],
      ['step-6', '6'],
    ]);
    expect(guide.startsWith('# Bring your own key: setup for tenant `acme-prod`\n')).toBe(true);
  });

  it('fills in every value and has no placeholder text when all values are known', () => {
    const { guide, values } = kits.full;
    for (const value of [
      values.tenantId,
      values.serviceRoleArn,
      values.externalId,
      values.keyArn,
      values.roleArn,
      values.roleName,
      values.region,
    ]) {
      expect(guide).toContain(value);
    }
    expect(guide).toContain(`| **Service Role ARN** (the platform's identity) | \`${SERVICE_ROLE}\` |`);
    expect(guide).toContain(`| **External ID** (unique to your tenant) | \`${EXTERNAL_ID}\` |`);
    expect(guide).toContain(`| **Role ARN** | \`${ROLE_ARN}\` |`);
    expect(guide).toContain(`| **CMK ARN** | \`${KEY_ARN}\` |`);
    expect(shBlocks(guide)).toStrictEqual([kits.full.cliChecks.script]);
    expect(guide).toContain('`assumed-role/KeywardByokAccess/keyward-acme-prod`');
    // Word boundaries: the script's AWS_ACCESS_KEY_ID is no KEY_ID placeholder, and its here-string no <…>.
    const text = guide.replace(/<\/?a[^>]*>/g, '').replace(' <<< "$(', ' "$(');
    for (const placeholder of [
      /\bCUSTOMER_ACCOUNT_ID\b/,
      /\bREGION\b/,
      /\bKEY_ID\b/,
      /CAPITALS/,
      /placeholder/,
      /</,
      /undefined/,
      /null/,
      /TODO/,
    ]) {
      expect(text).not.toMatch(placeholder);
    }
    expect(kits.placeholders.guide).toMatch(/\bKEY_ID\b/);
  });

  it("step 4 shows the whole script, so describe-key runs with the assumed session's credentials", () => {
    for (const kit of [kits.full, kits.placeholders]) {
      expect(step(kit.guide, 4)).toBe(
        [
          '<a id="step-4"></a>',
          '## Step 4: Check it with the AWS CLI (optional)',
          '',
          "These are the calls the platform's Test makes: assume the role with the External ID, then",
          "describe the key **as the role**. Run them as the platform's Service Role, the only principal your",
          'trust policy allows:',
          '',
          '```bash',
          kit.cliChecks.script,
          '```',
          '',
          '',
        ].join('\n'),
      );
      expect(shBlocks(kit.guide)).toStrictEqual([kit.cliChecks.script]);
    }
  });

  it('the optional hardening shows the hardened key policy statements and the hardened permissions policy', () => {
    const hardening = step(kits.full.guide, 3).slice(
      step(kits.full.guide, 3).indexOf('**Optional hardening.**'),
    );
    expect(hardening).toBe(
      [
        '**Optional hardening.** To let the role use the key only for this tenant, use these two statements',
        'instead of the one above: every call the platform makes for you carries the encryption context',
        '`keyward:tenant = acme-prod`, visible in your CloudTrail.',
        '',
        '```json',
        JSON.stringify(kits.full.hardening.keyPolicyStatements, null, 2),
        '```',
        '',
        'and this permissions policy instead of the one above:',
        '',
        '```json',
        JSON.stringify(kits.full.hardening.permissionsPolicy, null, 2),
        '```',
        '',
        'The platform names its sessions `keyward-acme-prod`, so CloudTrail shows',
        '`assumed-role/KeywardByokAccess/keyward-acme-prod` for every call made for you. The',
        'platform does not set a SourceIdentity: do not require one in the trust policy.',
        '',
        '',
      ].join('\n'),
    );
  });

  it("shows exactly the kit's JSON documents", () => {
    expect(jsonBlocks(kits.full.guide)).toStrictEqual([
      kits.full.trustPolicy,
      kits.full.permissionsPolicy,
      kits.full.keyPolicyStatement,
      kits.full.hardening.keyPolicyStatements,
      kits.full.hardening.permissionsPolicy,
    ]);
    expect(jsonBlocks(kits.placeholders.guide)).toStrictEqual([
      kits.placeholders.trustPolicy,
      kits.placeholders.permissionsPolicy,
      kits.placeholders.keyPolicyStatement,
      kits.placeholders.hardening.keyPolicyStatements,
      kits.placeholders.hardening.permissionsPolicy,
    ]);
  });

  it('says which values are placeholders while role and key are unknown', () => {
    expect(kits.placeholders.guide).toContain(
      '> Values in CAPITALS (CUSTOMER_ACCOUNT_ID, REGION, KEY_ID) are placeholders until you tell the platform your Role ARN and CMK ARN',
    );
    expect(kits.placeholders.guide).toContain('`arn:aws:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID`');
    expect(kits.full.guide).not.toContain('> Values in CAPITALS');
  });

  it('names only the placeholders still present', () => {
    const roleOnly = buildSetupKit({ ...placeholderInput, roleArn: ROLE_ARN }).guide;
    expect(roleOnly).toContain(
      '\n> Values in CAPITALS (REGION, KEY_ID) are placeholders until you tell the platform your Role ARN and CMK ARN; the kit is then generated again with them filled in.\n',
    );
    expect(roleOnly).toContain('`arn:aws:kms:REGION:444455556666:key/KEY_ID`');
    expect(roleOnly).not.toMatch(/\bCUSTOMER_ACCOUNT_ID\b/);
  });
});

// ---- CloudFormation ---------------------------------------------------------------------------

type Yaml = unknown;
interface Template {
  AWSTemplateFormatVersion: unknown;
  Description: string;
  Parameters: Record<string, { Type: string; Default: string; AllowedPattern: string; Description: string }>;
  Resources: {
    KeywardByokRole: {
      Type: string;
      Properties: {
        RoleName: Yaml;
        Path: unknown;
        Description: string;
        AssumeRolePolicyDocument: Yaml;
        Policies: Array<{ PolicyName: string; PolicyDocument: Yaml }>;
      };
    };
  };
  Outputs: Record<string, { Description: string; Value: Yaml }>;
}

/** Replaces every `{ Ref: Parameter }` by that parameter's default (the tiny part of CloudFormation the kit uses). */
function resolveRefs(node: Yaml, parameters: Template['Parameters']): Yaml {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, parameters));
  if (node !== null && typeof node === 'object') {
    const entries = Object.entries(node);
    if (entries.length === 1 && entries[0]![0] === 'Ref') {
      const name = entries[0]![1] as string;
      const parameter = parameters[name];
      if (parameter === undefined) throw new Error(`Ref to unknown parameter ${name}`);
      return parameter.Default;
    }
    return Object.fromEntries(entries.map(([key, value]) => [key, resolveRefs(value, parameters)]));
  }
  return node;
}

describe('CloudFormation template', () => {
  it('is YAML that parses the same as YAML 1.1 and 1.2', () => {
    for (const kit of [kits.full, kits.placeholders]) {
      const v11 = parseYaml(kit.cloudFormation, { version: '1.1' }) as Template;
      const v12 = parseYaml(kit.cloudFormation, { version: '1.2' }) as Template;
      expect(v11).toStrictEqual(v12);
      expect(kit.cloudFormation.startsWith('# Keyward BYOK setup for tenant acme-prod: deploy with\n')).toBe(
        true,
      );
    }
  });

  it.each([
    ['full', kits.full],
    ['placeholders', kits.placeholders],
  ] as const)(
    'has policy documents equal to the JSON artifacts once parameters are resolved (%s)',
    (_, kit: SetupKit) => {
      for (const version of ['1.1', '1.2'] as const) {
        const template = parseYaml(kit.cloudFormation, { version }) as Template;
        const role = template.Resources.KeywardByokRole;
        expect(role.Type).toBe('AWS::IAM::Role');
        expect(role.Properties.AssumeRolePolicyDocument).toStrictEqual({
          ...expectedTrust(SERVICE_ROLE, 'x'),
          Statement: [
            {
              ...expectedTrust(SERVICE_ROLE, 'x').Statement[0],
              Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } },
            },
          ],
        });
        expect(role.Properties.Policies).toHaveLength(1);
        expect(role.Properties.Policies[0]!.PolicyName).toBe('keyward-byok-key-access');
        expect(resolveRefs(role.Properties.AssumeRolePolicyDocument, template.Parameters)).toStrictEqual(
          kit.trustPolicy,
        );
        expect(resolveRefs(role.Properties.Policies[0]!.PolicyDocument, template.Parameters)).toStrictEqual(
          kit.permissionsPolicy,
        );
        expect(resolveRefs(role.Properties.RoleName, template.Parameters)).toBe(kit.values.roleName);
      }
    },
  );

  it("has the tenant's values as parameter defaults, each matching its AllowedPattern", () => {
    const template = parseYaml(kits.full.cloudFormation, { version: '1.1' }) as Template;
    expect(Object.keys(template.Parameters)).toStrictEqual(['RoleName', 'KmsKeyArn', 'ExternalId']);
    expect(template.Parameters.RoleName!.Default).toBe('KeywardByokAccess');
    expect(template.Parameters.KmsKeyArn!.Default).toBe(KEY_ARN);
    expect(template.Parameters.ExternalId!.Default).toBe(EXTERNAL_ID);
    for (const parameter of Object.values(template.Parameters)) {
      expect(parameter.Type).toBe('String');
      // CloudFormation matches AllowedPattern against the whole value.
      expect(new RegExp(`^(?:${parameter.AllowedPattern})$`).test(parameter.Default)).toBe(true);
    }
    expect(
      new RegExp(`^(?:${template.Parameters.KmsKeyArn!.AllowedPattern})$`).test(
        'arn:aws:kms:us-east-1:111122223333:alias/x',
      ),
    ).toBe(false);
    expect(template.Resources.KeywardByokRole.Properties.Description).toBe(
      'Lets Keyward use the BYOK key for tenant acme-prod',
    );
    expect(template.Outputs).toStrictEqual({
      RoleArn: {
        Description: 'Give this Role ARN to the platform.',
        Value: { 'Fn::GetAtt': ['KeywardByokRole', 'Arn'] },
      },
      KmsKeyArn: { Description: 'Give this CMK ARN to the platform.', Value: { Ref: 'KmsKeyArn' } },
    });
  });

  it('keeps its Version strings strings, not dates, for a YAML 1.1 parser', () => {
    // A plain 2012-10-17 is a timestamp in YAML 1.1: the template must quote it.
    expect(parseYaml('v: 2012-10-17', { version: '1.1' })).toStrictEqual({
      v: new Date('2012-10-17T00:00:00Z'),
    });
    for (const version of ['1.1', '1.2'] as const) {
      const template = parseYaml(kits.full.cloudFormation, { version }) as Template;
      const role = template.Resources.KeywardByokRole.Properties;
      expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect((role.AssumeRolePolicyDocument as PolicyDocument).Version).toBe('2012-10-17');
      expect((role.Policies[0]!.PolicyDocument as PolicyDocument).Version).toBe('2012-10-17');
    }
  });

  it("gives the role the Role ARN's path, and / while the role is unknown", () => {
    const team = buildSetupKit({
      ...fullInput,
      roleArn: 'arn:aws:iam::444455556666:role/team/a/KeywardByokAccess',
    });
    for (const version of ['1.1', '1.2'] as const) {
      const path = (kit: SetupKit): unknown =>
        (parseYaml(kit.cloudFormation, { version }) as Template).Resources.KeywardByokRole.Properties.Path;
      expect(path(team)).toBe('/team/a/');
      expect(path(kits.full)).toBe('/');
      expect(path(kits.placeholders)).toBe('/');
    }
    const properties = (parseYaml(team.cloudFormation) as Template).Resources.KeywardByokRole.Properties;
    expect(Object.keys(properties)).toStrictEqual([
      'RoleName',
      'Path',
      'Description',
      'AssumeRolePolicyDocument',
      'Policies',
    ]);
    expect(resolveRefs(properties.RoleName, (parseYaml(team.cloudFormation) as Template).Parameters)).toBe(
      'KeywardByokAccess',
    );
  });

  it('keeps a role name and External ID such as 0o17 strings under YAML 1.1 and 1.2', () => {
    // Plain, 0o17 is the number 15 in YAML 1.2: the template must quote it.
    expect(parseYaml('v: 0o17', { version: '1.2' })).toStrictEqual({ v: 15 });
    const kit = buildSetupKit({
      ...fullInput,
      roleArn: 'arn:aws:iam::444455556666:role/0o17',
      externalId: '0o17',
    });
    expect(kit.values.roleName).toBe('0o17');
    for (const version of ['1.1', '1.2'] as const) {
      const template = parseYaml(kit.cloudFormation, { version }) as Template;
      expect(template.Parameters.RoleName!.Default).toBe('0o17');
      expect(template.Parameters.ExternalId!.Default).toBe('0o17');
      const role = template.Resources.KeywardByokRole.Properties;
      expect(resolveRefs(role.RoleName, template.Parameters)).toBe('0o17');
      expect(resolveRefs(role.AssumeRolePolicyDocument, template.Parameters)).toStrictEqual(kit.trustPolicy);
      expect(resolveRefs(role.Policies[0]!.PolicyDocument, template.Parameters)).toStrictEqual(
        kit.permissionsPolicy,
      );
    }
  });

  it.each([
    // [role name, External ID]: each plain scalar is a number, boolean, null, float or date under YAML 1.1 or 1.2.
    ['0o17', '12:30'],
    ['0x1F', '2012-10-17'],
    ['012', '1_000'],
    ['1e3', 'yes'],
    ['true', 'null'],
    ['on', 'No'],
    ['null', '.inf'],
    ['.NaN', '-.5'],
    ['+1', '0b101'],
  ])('keeps the role name %s and External ID %s strings under YAML 1.1 and 1.2', (roleName, externalId) => {
    const kit = buildSetupKit({
      ...fullInput,
      roleArn: `arn:aws:iam::444455556666:role/${roleName}`,
      externalId,
    });
    for (const version of ['1.1', '1.2'] as const) {
      const template = parseYaml(kit.cloudFormation, { version }) as Template;
      expect(template.Parameters.RoleName!.Default).toBe(roleName);
      expect(template.Parameters.ExternalId!.Default).toBe(externalId);
    }
  });

  it('double-quotes every string value and leaves the keys plain', () => {
    for (const kit of [kits.full, kits.placeholders]) {
      const keys = new Set<unknown>();
      const values = new Set<unknown>();
      visit(parseDocument(kit.cloudFormation, { version: '1.1' }), {
        Scalar(key, node) {
          (key === 'key' ? keys : values).add(node.type);
        },
      });
      expect([...keys]).toStrictEqual(['PLAIN']);
      expect([...values]).toStrictEqual(['QUOTE_DOUBLE']);
    }
  });
});

// ---- Terraform --------------------------------------------------------------------------------

interface ParsedTerraform {
  variable: Record<string, Array<{ description: string; type: string; default: string }>>;
  resource: {
    aws_iam_role: Record<
      string,
      Array<{ name: string; path: string; description: string; assume_role_policy: string }>
    >;
    aws_iam_role_policy: Record<string, Array<{ name: string; role: string; policy: string }>>;
  };
  locals: Array<Record<string, string>>;
  output: Record<string, Array<{ description: string; value: string }>>;
}

/**
 * What Terraform makes of a string of hcl2json's output, which keeps the template form: `$${` and
 * `%%{` are a literal `${` and `%{` (read left to right, as HCL's scanner does), `${ref}` is
 * replaced by `references[ref]` and `${jsonencode(ref)}` by its JSON. Any other interpolation, and
 * any directive, fails the test.
 */
function evaluate(template: string, references: Record<string, string> = {}): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('$${', i) || template.startsWith('%%{', i)) {
      out += `${template[i]}{`;
      i += 3;
    } else if (template.startsWith('${', i)) {
      const end = template.indexOf('}', i);
      const expression = template.slice(i + 2, end);
      const reference = /^jsonencode\((.*)\)$/.exec(expression)?.[1] ?? expression;
      if (end < 0 || !Object.hasOwn(references, reference))
        throw new Error(`Terraform would interpolate \${${expression}} in ${template}`);
      out += reference === expression ? references[reference] : JSON.stringify(references[reference]);
      i = end + 1;
    } else if (template.startsWith('%{', i)) {
      throw new Error(`Terraform would read a template directive in ${template}`);
    } else {
      out += template[i];
      i += 1;
    }
  }
  return out;
}

/** `"field": "${reference}"`, or `"field": ${jsonencode(reference)}`, in a heredoc's JSON. */
function referenceAt(field: string, reference: string): RegExp {
  const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `${escaped(`"${field}": `)}(?:${escaped(`"\${${reference}}"`)}|${escaped(`\${jsonencode(${reference})}`)})`,
  );
}

/** The snippet as Terraform would apply it: the role's attributes, the variables' defaults and the three documents. */
async function applied(kit: SetupKit) {
  const tf = (await parseHcl('keyward-byok.tf', kit.terraform)) as ParsedTerraform;
  const role = tf.resource.aws_iam_role.keyward_byok![0]!;
  const policy = tf.resource.aws_iam_role_policy.keyward_byok_key_access![0]!;
  const name = evaluate(role.name);
  const path = evaluate(role.path);
  const defaults = {
    externalId: evaluate(tf.variable.keyward_external_id![0]!.default),
    keyArn: evaluate(tf.variable.kms_key_arn![0]!.default),
  };
  const references = {
    'var.keyward_external_id': defaults.externalId,
    'var.kms_key_arn': defaults.keyArn,
    // The ARN AWS gives the role Terraform creates, from its path and name.
    'aws_iam_role.keyward_byok.arn': `arn:${kit.values.partition}:iam::${kit.values.customerAccountId}:role${path}${name}`,
  };
  return {
    tf,
    role: { name, path, description: evaluate(role.description) },
    defaults,
    trustPolicy: JSON.parse(evaluate(role.assume_role_policy, references)) as unknown,
    permissionsPolicy: JSON.parse(evaluate(policy.policy, references)) as unknown,
    keyPolicyStatement: JSON.parse(
      evaluate(tf.locals[0]!.keyward_key_policy_statement!, references),
    ) as unknown,
  };
}

describe('Terraform snippet', () => {
  it("is read as Terraform reads it by the test's evaluate", () => {
    const references = { 'var.a': 'A' };
    expect(evaluate('x${var.a}y', references)).toBe('xAy');
    expect(evaluate('$${x}', references)).toBe('${x}');
    expect(evaluate('%%{x}', references)).toBe('%{x}');
    expect(evaluate('$$${var.a}', references)).toBe('$${var.a}');
    expect(evaluate('$$$${var.a}', references)).toBe('$$${var.a}');
    expect(evaluate('$$${var.a}$${var.a}${var.a}', references)).toBe('$${var.a}${var.a}A');
    expect(evaluate('{"a": ${jsonencode(var.a)}}', { 'var.a': 'x"\\y' })).toBe('{"a": "x\\"\\\\y"}');
    expect(evaluate('$x%y$$%%}{', references)).toBe('$x%y$$%%}{');
    expect(() => evaluate('${x}', references)).toThrow(/would interpolate \$\{x\}/);
    expect(() => evaluate('%{ if true }', references)).toThrow(/directive/);
  });

  it.each([
    ['full', kits.full],
    ['placeholders', kits.placeholders],
  ] as const)('parses as HCL and its policies equal the JSON artifacts (%s)', async (_, kit: SetupKit) => {
    const { tf, role, defaults, trustPolicy, permissionsPolicy, keyPolicyStatement } = await applied(kit);
    const v = kit.values;

    expect(Object.keys(tf).sort()).toStrictEqual(['locals', 'output', 'resource', 'variable']);
    expect(tf.variable).toStrictEqual({
      kms_key_arn: [
        {
          description: 'ARN of your KMS key (a key ARN, not an alias)',
          type: '${string}',
          default: v.keyArn,
        },
      ],
      keyward_external_id: [
        {
          description: 'The External ID Keyward issued for your tenant',
          type: '${string}',
          default: EXTERNAL_ID,
        },
      ],
    });
    expect(defaults).toStrictEqual({ externalId: EXTERNAL_ID, keyArn: v.keyArn });

    expect(Object.keys(tf.resource.aws_iam_role)).toStrictEqual(['keyward_byok']);
    expect(Object.keys(tf.resource.aws_iam_role_policy)).toStrictEqual(['keyward_byok_key_access']);
    expect(Object.keys(tf.resource.aws_iam_role.keyward_byok![0]!)).toStrictEqual([
      'assume_role_policy',
      'description',
      'name',
      'path',
    ]);
    expect(role).toStrictEqual({
      name: v.roleName,
      path: '/',
      description: 'Lets Keyward use the BYOK key for tenant acme-prod',
    });
    const policy = tf.resource.aws_iam_role_policy.keyward_byok_key_access![0]!;
    expect(policy.name).toBe('keyward-byok-key-access');
    expect(policy.role).toBe('${aws_iam_role.keyward_byok.id}');

    // The documents refer to the variables and to the role, not to literal copies of the values.
    expect(tf.resource.aws_iam_role.keyward_byok![0]!.assume_role_policy).toMatch(
      referenceAt('sts:ExternalId', 'var.keyward_external_id'),
    );
    expect(policy.policy).toMatch(referenceAt('Resource', 'var.kms_key_arn'));
    expect(tf.locals).toHaveLength(1);
    expect(tf.locals[0]!.keyward_key_policy_statement).toMatch(
      referenceAt('AWS', 'aws_iam_role.keyward_byok.arn'),
    );

    expect(trustPolicy).toStrictEqual(kit.trustPolicy);
    expect(permissionsPolicy).toStrictEqual(kit.permissionsPolicy);
    expect(keyPolicyStatement).toStrictEqual(kit.keyPolicyStatement);

    expect(tf.output).toStrictEqual({
      keyward_role_arn: [
        { description: 'Give this Role ARN to the platform', value: '${aws_iam_role.keyward_byok.arn}' },
      ],
    });
  });

  it("gives the variables the tenant's values as defaults", async () => {
    const tf = (await parseHcl('keyward-byok.tf', kits.full.terraform)) as ParsedTerraform;
    expect(tf.variable.kms_key_arn![0]!.default).toBe(KEY_ARN);
    expect(tf.variable.keyward_external_id![0]!.default).toBe(EXTERNAL_ID);
    expect(kits.full.terraform.startsWith('# Keyward BYOK setup for tenant acme-prod.\n')).toBe(true);
  });

  it("gives the role the Role ARN's path", async () => {
    const roleArn = 'arn:aws:iam::444455556666:role/team/a/KeywardByokAccess';
    const kit = buildSetupKit({ ...fullInput, roleArn });
    const { role, keyPolicyStatement } = await applied(kit);
    expect(role.path).toBe('/team/a/');
    expect(role.name).toBe('KeywardByokAccess');
    expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(roleArn));
    expect(kit.terraform).toContain('\n  path               = "/team/a/"\n');
  });

  it.each(['sts:AssumeRole', '2012-10-17', 'AllowKeywardServiceRoleWithExternalId', 'Allow', 'StringEquals'])(
    'keeps an External ID equal to another field (%s) apart from that field',
    async (externalId) => {
      const kit = buildSetupKit({ ...fullInput, externalId });
      expect(kit.trustPolicy).toStrictEqual(expectedTrust(SERVICE_ROLE, externalId));
      const { tf, defaults, trustPolicy, permissionsPolicy, keyPolicyStatement } = await applied(kit);
      expect(defaults.externalId).toBe(externalId);
      expect(trustPolicy).toStrictEqual(expectedTrust(SERVICE_ROLE, externalId));
      expect(permissionsPolicy).toStrictEqual(expectedPermissions(KEY_ARN));
      expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(ROLE_ARN));
      // Exactly one reference to the variable: the condition, not the field that has the same value.
      expect(kit.terraform.split('var.keyward_external_id')).toHaveLength(2);
      expect(tf.resource.aws_iam_role.keyward_byok![0]!.assume_role_policy).toMatch(
        referenceAt('sts:ExternalId', 'var.keyward_external_id'),
      );
    },
  );

  it("keeps ${ and %{ in the Service Role's path literal", async () => {
    const serviceRoleArn = 'arn:aws:iam::111122223333:role/${x}/%{y}/$${z}/KeywardService';
    const kit = buildSetupKit({ ...fullInput, platform: platformIdentity(serviceRoleArn) });
    const { trustPolicy, permissionsPolicy, keyPolicyStatement } = await applied(kit);
    expect(trustPolicy).toStrictEqual(expectedTrust(serviceRoleArn, EXTERNAL_ID));
    expect(permissionsPolicy).toStrictEqual(expectedPermissions(KEY_ARN));
    expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(ROLE_ARN));
  });

  it("keeps ${ and %{ in the role's path literal", async () => {
    const roleArn = 'arn:aws:iam::444455556666:role/${x}/%{y}/$${z}/KeywardByokAccess';
    const kit = buildSetupKit({ ...fullInput, roleArn });
    const { role, keyPolicyStatement } = await applied(kit);
    expect(role.path).toBe('/${x}/%{y}/$${z}/');
    expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(roleArn));
  });

  it('keeps any role and Service Role path literal', async () => {
    const segment = (chars: string) =>
      fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom(...chars.split('')) });
    const path = (chars: string) =>
      fc.array(segment(chars), { minLength: 1, maxLength: 3 }).map((segments) => `/${segments.join('/')}/`);
    // The Service Role ARN is written into the documents as a JSON string; the role's ARN is interpolated by Terraform.
    await fc.assert(
      fc.asyncProperty(path('$%{}~a#'), path('$%{}~a#"\\'), async (rolePath, servicePath) => {
        const roleArn = `arn:aws:iam::444455556666:role${rolePath}R`;
        const serviceRoleArn = `arn:aws:iam::111122223333:role${servicePath}KeywardService`;
        const kit = buildSetupKit({ ...fullInput, roleArn, platform: platformIdentity(serviceRoleArn) });
        const { role, trustPolicy, permissionsPolicy, keyPolicyStatement } = await applied(kit);
        expect(role.path).toBe(rolePath);
        expect(trustPolicy).toStrictEqual(expectedTrust(serviceRoleArn, EXTERNAL_ID));
        expect(permissionsPolicy).toStrictEqual(expectedPermissions(KEY_ARN));
        expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(roleArn));
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['a double quote', '/a"b/'],
    ['a backslash', '/a\\/b/'],
    ['\\" together', '/x\\"/'],
  ])('gives a key policy statement naming the role when its path holds %s', async (_, rolePath) => {
    // IAM paths may hold any printable ASCII; the Role ARN is interpolated into the heredoc's JSON by Terraform.
    const roleArn = `arn:aws:iam::444455556666:role${rolePath}KeywardByokAccess`;
    const kit = buildSetupKit({ ...fullInput, roleArn });
    expect(kit.keyPolicyStatement).toStrictEqual(expectedKeyStatement(roleArn));
    const { role, keyPolicyStatement } = await applied(kit);
    expect(role.path).toBe(rolePath);
    expect(keyPolicyStatement).toStrictEqual(expectedKeyStatement(roleArn));
  });

  it('is refused by the parser when broken (the parser really checks)', async () => {
    await expect(
      parseHcl(
        'broken.tf',
        kits.full.terraform.replace(
          'resource "aws_iam_role" "keyward_byok" {',
          'resource "aws_iam_role" "keyward_byok" {{',
        ),
      ),
    ).rejects.toBeDefined();
    await expect(parseHcl('broken.tf', `${kits.full.terraform}}\n`)).rejects.toBeDefined();
  });
});

describe('kit inputs refused before any document is written', () => {
  const platform = platformIdentity(SERVICE_ROLE);
  const refuses = (input: Partial<KitInput>, code: string) => {
    let caught: unknown;
    try {
      buildSetupKit({ platform, tenantId: 'acme', externalId: EXTERNAL_ID, ...input });
    } catch (error) {
      caught = error;
    }
    expect(isKeywardError(caught) && caught.code).toBe(code);
  };

  it('Precondition: the role name is one IAM accepts', () => {
    for (const roleName of ['bad name ${x}', '', 'x'.repeat(65), 'a/b'])
      refuses({ roleName }, 'KW_INVALID_ARGUMENT');
  });

  it('refuses a role or key in another partition than the platform', () => {
    refuses({ roleArn: 'arn:aws-cn:iam::444455556666:role/R' }, 'KW_INVALID_ARN');
    refuses(
      { keyArn: 'arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab' },
      'KW_INVALID_ARN',
    );
  });

  it("says nothing about placeholders when only the key is known (the role is guessed in the key's account)", () => {
    const kit = buildSetupKit({ platform, tenantId: 'acme', externalId: EXTERNAL_ID, keyArn: KEY_ARN });
    expect(kit.values.roleArn).toBe('arn:aws:iam::444455556666:role/KeywardByokAccess');
    expect(kit.guide).not.toMatch(/CAPITALS/);
  });
});
