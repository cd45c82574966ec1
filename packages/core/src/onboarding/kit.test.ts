import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseHcl } from '@cdktf/hcl2json';
import * as fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../errors.js';
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
const fullInput: KitInput = { platform, tenantId: TENANT, externalId: EXTERNAL_ID, roleArn: ROLE_ARN, keyArn: KEY_ARN };
const placeholderInput: KitInput = { platform, tenantId: TENANT, externalId: EXTERNAL_ID };

const FIVE_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
const FOUR_CONTEXT_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

/** The documents the kit must produce, written out by hand. */
const expectedTrust = (serviceRoleArn: string, externalId: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{
    Sid: 'AllowKeywardServiceRoleWithExternalId',
    Effect: 'Allow',
    Principal: { AWS: serviceRoleArn },
    Action: 'sts:AssumeRole',
    Condition: { StringEquals: { 'sts:ExternalId': externalId } },
  }],
});
const expectedPermissions = (keyArn: string): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'UseTheByokKey', Effect: 'Allow', Action: FIVE_ACTIONS, Resource: keyArn }],
});
const expectedKeyStatement = (roleArn: string): PolicyStatement => ({
  Sid: 'AllowKeywardByokRole', Effect: 'Allow', Principal: { AWS: roleArn }, Action: FIVE_ACTIONS, Resource: '*',
});

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
      roleArn: ROLE_ARN,
      keyArn: KEY_ARN,
      region: 'eu-west-1',
      customerAccountId: '444455556666',
      placeholders: false,
    });
  });

  it('without role and key, fills in clearly marked placeholders in the platform\'s partition', () => {
    expect(kits.placeholders.values).toStrictEqual<KitValues>({
      partition: 'aws',
      tenantId: TENANT,
      externalId: EXTERNAL_ID,
      serviceRoleArn: SERVICE_ROLE,
      roleName: 'KeywardByokAccess',
      roleArn: 'arn:aws:iam::CUSTOMER_ACCOUNT_ID:role/KeywardByokAccess',
      keyArn: 'arn:aws:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID',
      region: 'REGION',
      customerAccountId: 'CUSTOMER_ACCOUNT_ID',
      placeholders: true,
    });
    const china = buildSetupKit({ platform: platformIdentity('arn:aws-cn:iam::111122223333:role/S'), tenantId: 't', externalId: EXTERNAL_ID, roleName: 'Custom' });
    expect(china.values.roleArn).toBe('arn:aws-cn:iam::CUSTOMER_ACCOUNT_ID:role/Custom');
    expect(china.values.keyArn).toBe('arn:aws-cn:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID');
  });

  it('with only the role known, puts the role\'s account into the key placeholder', () => {
    const kit = buildSetupKit({ ...placeholderInput, roleArn: 'arn:aws:iam::444455556666:role/a/b/Named' });
    expect(kit.values.roleName).toBe('Named');
    expect(kit.values.keyArn).toBe('arn:aws:kms:REGION:444455556666:key/KEY_ID');
    expect(kit.values.placeholders).toBe(true);
  });

  it('refuses an External ID outside AWS\'s limits', () => {
    let caught: unknown;
    try {
      buildSetupKit({ ...fullInput, externalId: 'x' });
    } catch (error) {
      caught = error;
    }
    expect(isKeywardError(caught, 'KW_INVALID_ARGUMENT')).toBe(true);
  });

  it('platformIdentity takes partition and account from the Service Role ARN, and refuses non-role ARNs', () => {
    expect(platform).toStrictEqual({ partition: 'aws', accountId: '111122223333', serviceRoleArn: SERVICE_ROLE });
    expect(() => platformIdentity('arn:aws:iam::111122223333:user/x')).toThrow(/not an IAM role ARN/);
    expect(() => platformIdentity('arn:aws:kms:us-east-1:111122223333:key/x')).toThrow(/not an IAM role ARN/);
  });
});

// ---- JSON artifacts ---------------------------------------------------------------------------

describe('JSON artifacts', () => {
  it.each([['full', kits.full], ['placeholders', kits.placeholders]] as const)('are minimal and exact (%s)', (_, kit) => {
    const v = kit.values;
    expect(kit.trustPolicy).toStrictEqual(expectedTrust(SERVICE_ROLE, EXTERNAL_ID));
    expect(kit.permissionsPolicy).toStrictEqual(expectedPermissions(v.keyArn));
    expect(kit.keyPolicyStatement).toStrictEqual(expectedKeyStatement(v.roleArn));
    expect(kit.trustPolicy.Statement).toHaveLength(1);
    expect(kit.permissionsPolicy.Statement).toHaveLength(1);
    expect(kit.keyPolicyWarning).toMatch(/^Add this statement to the key policy; do not replace the policy\./);
  });

  it('name the tenant\'s real values', () => {
    expect(kits.full.permissionsPolicy.Statement[0]!.Resource).toBe(KEY_ARN);
    expect(kits.full.keyPolicyStatement.Principal).toStrictEqual({ AWS: ROLE_ARN });
    expect(kits.full.trustPolicy.Statement[0]!.Principal).toStrictEqual({ AWS: SERVICE_ROLE });
  });

  it('hardened statements keep DescribeKey unconditioned and condition the four context actions on the tenant', () => {
    const { hardening } = kits.full;
    expect(hardening.keyPolicyStatements).toStrictEqual<PolicyStatement[]>([
      { Sid: 'AllowKeywardByokRoleDescribe', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 'kms:DescribeKey', Resource: '*' },
      {
        Sid: 'AllowKeywardByokRoleForThisTenant', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: FOUR_CONTEXT_ACTIONS, Resource: '*',
        Condition: { StringEquals: { 'kms:EncryptionContext:keyward:tenant': TENANT } },
      },
    ]);
    expect(hardening.permissionsPolicy).toStrictEqual<PolicyDocument>({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DescribeTheByokKey', Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY_ARN },
        {
          Sid: 'UseTheByokKeyForThisTenant', Effect: 'Allow', Action: FOUR_CONTEXT_ACTIONS, Resource: KEY_ARN,
          Condition: { StringEquals: { 'kms:EncryptionContext:keyward:tenant': TENANT } },
        },
      ],
    });
    expect(hardening.roleSessionName).toBe('keyward-acme-prod');
    expect(hardening.note).toBe('Every KMS call for this tenant carries the encryption context keyward:tenant=acme-prod and comes from the role session keyward-acme-prod; the hardened statements allow the cryptographic actions only with that context.');
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
      Statement: [{ Sid: 'AssumeRegisteredCustomerRoles', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: [a, b, c] }],
    });
    expect(serviceRolePolicy([b])!.Statement[0]!.Resource).toStrictEqual([b]);
  });

  it('does not modify its input, and gives the same document for any order', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('arn:aws:iam::1:role/a', 'arn:aws:iam::1:role/b', 'arn:aws:iam::2:role/a', 'arn:aws:iam::2:role/Z'), { minLength: 1 }), (roles) => {
      const copy = [...roles];
      const policy = serviceRolePolicy(roles)!;
      expect(roles).toStrictEqual(copy);
      expect(policy.Statement[0]!.Resource).toStrictEqual([...new Set(roles)].sort());
      expect(serviceRolePolicy([...roles].reverse())).toStrictEqual(policy);
    }));
  });
});

// ---- AWS CLI checks ---------------------------------------------------------------------------

/** The argv each `aws …` line of a command gets from bash: the real shell decides the quoting. */
function bashArgv(command: string): string[][] {
  // Each call prints its argument count, then its arguments, all NUL-terminated (NUL cannot occur in an argument).
  const fields = execFileSync('bash', ['-c', `aws() { printf '%s\\0' "$#" "$@"; }\n${command}`], { encoding: 'utf8' }).split('\0');
  fields.pop(); // after the last NUL
  const calls: string[][] = [];
  while (fields.length > 0) {
    const count = Number(fields.shift());
    calls.push(fields.splice(0, count));
  }
  return calls;
}

describe('cliChecks', () => {
  it('are the exact commands for the tenant', () => {
    expect(kits.full.cliChecks.assumeRole).toBe([
      'aws sts assume-role \\',
      '  --role-arn arn:aws:iam::444455556666:role/KeywardByokAccess \\',
      '  --role-session-name keyward-check-acme-prod \\',
      `  --external-id ${EXTERNAL_ID}`,
    ].join('\n'));
    expect(kits.full.cliChecks.describeKey).toBe(`aws kms describe-key --region eu-west-1 --key-id ${KEY_ARN}`);
    for (const text of [kits.full.cliChecks.assumeRole, kits.full.cliChecks.script]) {
      expect(text).toContain('aws sts assume-role');
      expect(text).toContain(`--external-id ${EXTERNAL_ID}`);
      expect(text).toContain(`--role-arn ${ROLE_ARN}`);
    }
    expect(kits.full.cliChecks.script).toContain(`aws kms describe-key --region eu-west-1 --key-id ${KEY_ARN}`);
  });

  it('give the AWS CLI exactly the intended arguments (through bash)', () => {
    expect(bashArgv(kits.full.cliChecks.assumeRole)).toStrictEqual([
      ['sts', 'assume-role', '--role-arn', ROLE_ARN, '--role-session-name', 'keyward-check-acme-prod', '--external-id', EXTERNAL_ID],
    ]);
    expect(bashArgv(kits.full.cliChecks.describeKey)).toStrictEqual([['kms', 'describe-key', '--region', 'eu-west-1', '--key-id', KEY_ARN]]);
  });

  it('shell-quote odd values', () => {
    const oddRole = 'arn:aws:iam::444455556666:role/it\'s $(touch pwned) `id` "q" ;&|*?[a] ~/Name';
    const oddKey = 'arn:aws:kms:us-east-1:444455556666:key/x y\'z$HOME';
    const kit = buildSetupKit({ ...fullInput, roleArn: oddRole, keyArn: oddKey });
    expect(kit.cliChecks.assumeRole).toContain(`--role-arn 'arn:aws:iam::444455556666:role/it'\\''s $(touch pwned) \`id\` "q" ;&|*?[a] ~/Name'`);
    expect(kit.cliChecks.describeKey).toBe(`aws kms describe-key --region us-east-1 --key-id 'arn:aws:kms:us-east-1:444455556666:key/x y'\\''z$HOME'`);
    expect(bashArgv(kit.cliChecks.assumeRole)).toStrictEqual([
      ['sts', 'assume-role', '--role-arn', oddRole, '--role-session-name', 'keyward-check-acme-prod', '--external-id', EXTERNAL_ID],
    ]);
    expect(bashArgv(kit.cliChecks.describeKey)).toStrictEqual([['kms', 'describe-key', '--region', 'us-east-1', '--key-id', oddKey]]);
  });

  it('round-trip any values through the shell', () => {
    const word = fc.string({ minLength: 0, maxLength: 24, unit: fc.constantFrom(...'aZ09:/-_.@%+=, \t\n\'"\\$`!*?[]{}()<>|&;#~'.split('')) });
    fc.assert(fc.property(word, word, word, word, (roleArn, region, keyArn, externalId) => {
      const values = { ...kits.full.values, roleArn, region, keyArn, externalId };
      const checks = cliChecks(values);
      expect(bashArgv(`${checks.assumeRole}\n${checks.describeKey}`)).toStrictEqual([
        ['sts', 'assume-role', '--role-arn', roleArn, '--role-session-name', 'keyward-check-acme-prod', '--external-id', externalId],
        ['kms', 'describe-key', '--region', region, '--key-id', keyArn],
      ]);
    }), { numRuns: 40 });
  });

  it('the script is valid bash', () => {
    const result = spawnSync('bash', ['-n'], { input: kits.full.cliChecks.script, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  const hasPython = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' }).stdout.trim() === '1';
  it.skipIf(!hasPython)('the script describes the key with the assumed session\'s credentials (stub aws on PATH)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kw-cli-'));
    try {
      const stub = join(dir, 'aws');
      writeFileSync(stub, [
        '#!/usr/bin/env bash',
        'printf "%s|" "$@" >> "$KW_LOG"; printf "\\n" >> "$KW_LOG"',
        'if [ "$1" = sts ]; then echo \'{"AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":"secret","SessionToken":"token"}\'; fi',
        'if [ "$1" = kms ]; then echo "creds=$AWS_ACCESS_KEY_ID/$AWS_SECRET_ACCESS_KEY/$AWS_SESSION_TOKEN" >> "$KW_LOG"; fi',
        '',
      ].join('\n'));
      chmodSync(stub, 0o755);
      const log = join(dir, 'log');
      execFileSync('bash', ['-c', kits.full.cliChecks.script], { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, KW_LOG: log } });
      const lines = execFileSync('cat', [log], { encoding: 'utf8' }).trim().split('\n');
      expect(lines).toStrictEqual([
        `sts|assume-role|--role-arn|${ROLE_ARN}|--role-session-name|keyward-check-acme-prod|--external-id|${EXTERNAL_ID}|--query|Credentials|--output|json|`,
        `kms|describe-key|--region|eu-west-1|--key-id|${KEY_ARN}|`,
        'creds=ASIAEXAMPLE/secret/token',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- Markdown guide ---------------------------------------------------------------------------

const jsonBlocks = (markdown: string): unknown[] => [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]!) as unknown);

describe('setup guide', () => {
  it('has the six steps in order, each behind its anchor', () => {
    const guide = kits.full.guide;
    const anchors = [...guide.matchAll(/<a id="(step-\d)"><\/a>\n## Step (\d): /g)].map((m) => [m[1], m[2]]);
    expect(anchors).toStrictEqual([['step-1', '1'], ['step-2', '2'], ['step-3', '3'], ['step-4', '4'], ['step-5', '5'], ['step-6', '6']]);
    expect(guide.startsWith('# Bring your own key: setup for tenant `acme-prod`\n')).toBe(true);
  });

  it('fills in every value and has no placeholder text when all values are known', () => {
    const { guide, values } = kits.full;
    for (const value of [values.tenantId, values.serviceRoleArn, values.externalId, values.keyArn, values.roleArn, values.roleName, values.region]) {
      expect(guide).toContain(value);
    }
    expect(guide).toContain(`| **Service Role ARN** (the platform's identity) | \`${SERVICE_ROLE}\` |`);
    expect(guide).toContain(`| **External ID** (unique to your tenant) | \`${EXTERNAL_ID}\` |`);
    expect(guide).toContain(`| **Role ARN** | \`${ROLE_ARN}\` |`);
    expect(guide).toContain(`| **CMK ARN** | \`${KEY_ARN}\` |`);
    expect(guide).toContain(kits.full.cliChecks.assumeRole);
    expect(guide).toContain(kits.full.cliChecks.describeKey);
    expect(guide).toContain('`assumed-role/KeywardByokAccess/keyward-acme-prod`');
    for (const placeholder of ['CUSTOMER_ACCOUNT_ID', 'REGION', 'KEY_ID', 'CAPITALS', 'placeholder', '<', 'undefined', 'null', 'TODO']) {
      expect(guide.replace(/<\/?a[^>]*>/g, '')).not.toContain(placeholder);
    }
  });

  it('shows exactly the kit\'s JSON documents', () => {
    expect(jsonBlocks(kits.full.guide)).toStrictEqual([
      kits.full.trustPolicy, kits.full.permissionsPolicy, kits.full.keyPolicyStatement, kits.full.hardening.keyPolicyStatements,
    ]);
    expect(jsonBlocks(kits.placeholders.guide)).toStrictEqual([
      kits.placeholders.trustPolicy, kits.placeholders.permissionsPolicy, kits.placeholders.keyPolicyStatement, kits.placeholders.hardening.keyPolicyStatements,
    ]);
  });

  it('says which values are placeholders while role and key are unknown', () => {
    expect(kits.placeholders.guide).toContain('> Values in CAPITALS (CUSTOMER_ACCOUNT_ID, REGION, KEY_ID) are placeholders until you tell the platform your Role ARN and CMK ARN');
    expect(kits.placeholders.guide).toContain('`arn:aws:kms:REGION:CUSTOMER_ACCOUNT_ID:key/KEY_ID`');
    expect(kits.full.guide).not.toContain('> Values in CAPITALS');
  });
});

// ---- CloudFormation ---------------------------------------------------------------------------

type Yaml = unknown;
interface Template {
  AWSTemplateFormatVersion: unknown;
  Description: string;
  Parameters: Record<string, { Type: string; Default: string; AllowedPattern: string; Description: string }>;
  Resources: { KeywardByokRole: { Type: string; Properties: { RoleName: Yaml; Description: string; AssumeRolePolicyDocument: Yaml; Policies: Array<{ PolicyName: string; PolicyDocument: Yaml }> } } };
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
      expect(kit.cloudFormation.startsWith('# Keyward BYOK setup for tenant acme-prod: deploy with\n')).toBe(true);
    }
  });

  it.each([['full', kits.full], ['placeholders', kits.placeholders]] as const)('has policy documents equal to the JSON artifacts once parameters are resolved (%s)', (_, kit: SetupKit) => {
    for (const version of ['1.1', '1.2'] as const) {
      const template = parseYaml(kit.cloudFormation, { version }) as Template;
      const role = template.Resources.KeywardByokRole;
      expect(role.Type).toBe('AWS::IAM::Role');
      expect(role.Properties.AssumeRolePolicyDocument).toStrictEqual({ ...expectedTrust(SERVICE_ROLE, 'x'), Statement: [{ ...expectedTrust(SERVICE_ROLE, 'x').Statement[0], Condition: { StringEquals: { 'sts:ExternalId': { Ref: 'ExternalId' } } } }] });
      expect(role.Properties.Policies).toHaveLength(1);
      expect(role.Properties.Policies[0]!.PolicyName).toBe('keyward-byok-key-access');
      expect(resolveRefs(role.Properties.AssumeRolePolicyDocument, template.Parameters)).toStrictEqual(kit.trustPolicy);
      expect(resolveRefs(role.Properties.Policies[0]!.PolicyDocument, template.Parameters)).toStrictEqual(kit.permissionsPolicy);
      expect(resolveRefs(role.Properties.RoleName, template.Parameters)).toBe(kit.values.roleName);
    }
  });

  it('has the tenant\'s values as parameter defaults, each matching its AllowedPattern', () => {
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
    expect(new RegExp(`^(?:${template.Parameters.KmsKeyArn!.AllowedPattern})$`).test('arn:aws:kms:us-east-1:111122223333:alias/x')).toBe(false);
    expect(template.Resources.KeywardByokRole.Properties.Description).toBe('Lets Keyward use the BYOK key for tenant acme-prod');
    expect(template.Outputs).toStrictEqual({
      RoleArn: { Description: 'Give this Role ARN to the platform.', Value: { 'Fn::GetAtt': ['KeywardByokRole', 'Arn'] } },
      KmsKeyArn: { Description: 'Give this CMK ARN to the platform.', Value: { Ref: 'KmsKeyArn' } },
    });
  });

  it('keeps its Version strings strings, not dates, for a YAML 1.1 parser', () => {
    // A plain 2012-10-17 is a timestamp in YAML 1.1: the template must quote it.
    expect(parseYaml('v: 2012-10-17', { version: '1.1' })).toStrictEqual({ v: new Date('2012-10-17T00:00:00Z') });
    for (const version of ['1.1', '1.2'] as const) {
      const template = parseYaml(kits.full.cloudFormation, { version }) as Template;
      const role = template.Resources.KeywardByokRole.Properties;
      expect(template.AWSTemplateFormatVersion).toBe('2010-09-09');
      expect((role.AssumeRolePolicyDocument as PolicyDocument).Version).toBe('2012-10-17');
      expect((role.Policies[0]!.PolicyDocument as PolicyDocument).Version).toBe('2012-10-17');
    }
  });
});

// ---- Terraform --------------------------------------------------------------------------------

interface ParsedTerraform {
  variable: Record<string, Array<{ description: string; type: string; default: string }>>;
  resource: {
    aws_iam_role: Record<string, Array<{ name: string; description: string; assume_role_policy: string }>>;
    aws_iam_role_policy: Record<string, Array<{ name: string; role: string; policy: string }>>;
  };
  locals: Array<Record<string, string>>;
  output: Record<string, Array<{ description: string; value: string }>>;
}

/** Puts the values in for the references the snippet uses; anything else left as `${…}` fails the test. */
function substitute(text: string, values: KitValues): string {
  const out = text
    .split('${var.keyward_external_id}').join(values.externalId)
    .split('${var.kms_key_arn}').join(values.keyArn)
    .split('${aws_iam_role.keyward_byok.arn}').join(values.roleArn);
  expect(out).not.toContain('${');
  expect(out).not.toContain('%{');
  return out;
}

describe('Terraform snippet', () => {
  it.each([['full', kits.full], ['placeholders', kits.placeholders]] as const)('parses as HCL and its policies equal the JSON artifacts (%s)', async (_, kit: SetupKit) => {
    const tf = (await parseHcl('keyward-byok.tf', kit.terraform)) as ParsedTerraform;
    const v = kit.values;

    expect(Object.keys(tf).sort()).toStrictEqual(['locals', 'output', 'resource', 'variable']);
    expect(tf.variable).toStrictEqual({
      kms_key_arn: [{ description: 'ARN of your KMS key (a key ARN, not an alias)', type: '${string}', default: v.keyArn }],
      keyward_external_id: [{ description: 'The External ID Keyward issued for your tenant', type: '${string}', default: EXTERNAL_ID }],
    });

    expect(Object.keys(tf.resource.aws_iam_role)).toStrictEqual(['keyward_byok']);
    expect(Object.keys(tf.resource.aws_iam_role_policy)).toStrictEqual(['keyward_byok_key_access']);
    const role = tf.resource.aws_iam_role.keyward_byok![0]!;
    const policy = tf.resource.aws_iam_role_policy.keyward_byok_key_access![0]!;
    expect(role.name).toBe(v.roleName);
    expect(role.description).toBe('Lets Keyward use the BYOK key for tenant acme-prod');
    expect(policy.name).toBe('keyward-byok-key-access');
    expect(policy.role).toBe('${aws_iam_role.keyward_byok.id}');

    // The documents refer to the variables and to the role, not to literal copies of the values.
    expect(role.assume_role_policy).toContain('"sts:ExternalId": "${var.keyward_external_id}"');
    expect(policy.policy).toContain('"Resource": "${var.kms_key_arn}"');
    expect(tf.locals).toHaveLength(1);
    const statement = tf.locals[0]!.keyward_key_policy_statement!;
    expect(statement).toContain('"AWS": "${aws_iam_role.keyward_byok.arn}"');

    expect(JSON.parse(substitute(role.assume_role_policy, v))).toStrictEqual(kit.trustPolicy);
    expect(JSON.parse(substitute(policy.policy, v))).toStrictEqual(kit.permissionsPolicy);
    expect(JSON.parse(substitute(statement, v))).toStrictEqual(kit.keyPolicyStatement);

    expect(tf.output).toStrictEqual({ keyward_role_arn: [{ description: 'Give this Role ARN to the platform', value: '${aws_iam_role.keyward_byok.arn}' }] });
  });

  it('gives the variables the tenant\'s values as defaults', async () => {
    const tf = (await parseHcl('keyward-byok.tf', kits.full.terraform)) as ParsedTerraform;
    expect(tf.variable.kms_key_arn![0]!.default).toBe(KEY_ARN);
    expect(tf.variable.keyward_external_id![0]!.default).toBe(EXTERNAL_ID);
    expect(kits.full.terraform.startsWith('# Keyward BYOK setup for tenant acme-prod.\n')).toBe(true);
  });

  it('is refused by the parser when broken (the parser really checks)', async () => {
    await expect(parseHcl('broken.tf', kits.full.terraform.replace('resource "aws_iam_role" "keyward_byok" {', 'resource "aws_iam_role" "keyward_byok" {{'))).rejects.toBeDefined();
    await expect(parseHcl('broken.tf', `${kits.full.terraform}}\n`)).rejects.toBeDefined();
  });
});
