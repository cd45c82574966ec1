import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID, type RunningSandbox } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox, type Credentials } from '@keyward/test-kit/sandbox-clients';
import { awsCli, findAwsCliV2 } from '@keyward/test-kit/aws-cli';
import {
  BYOK_ROLE_ARN,
  BYOK_ROLE_NAME,
  EXTERNAL_ID,
  keyPolicy,
  permissionsPolicy,
  serviceRoleSession,
  SERVICE_ROLE_ARN,
  trustPolicy,
} from '@keyward/test-kit/byok-setup';

/**
 * The setup guide followed with the AWS CLI v2 against the sandbox (`--endpoint-url`): the customer
 * creates the CMK, role, permissions policy and key policy statement with the CLI, then runs the
 * guide's own checks (step 4) with the platform's Service Role credentials.
 */
const cli = await findAwsCliV2();
/* CI installs the Debian awscli package, so there the CLI test must run; elsewhere it is optional. */
const requireCli = process.env.CI === 'true';
if (!cli && requireCli)
  throw new Error('AWS CLI v2 not found (install the Debian package awscli, or set KEYWARD_AWS_CLI)');

describe.skipIf(!cli)('AWS CLI v2 against the sandbox', () => {
  let box: RunningSandbox;
  let customer: Credentials;
  let service: Credentials;
  let keyArn: string;
  const aws = (args: string[], credentials: Credentials) =>
    awsCli(cli!, ['--endpoint-url', box.endpoint, ...args], credentials);

  beforeAll(async () => {
    box = await sandbox();
    customer = box.credentials(CUSTOMER_ACCOUNT_ID);
    service = await serviceRoleSession(box);
    const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
    const file = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value));
      return `file://${path}`;
    };

    const created = await aws(['kms', 'create-key', '--description', 'Customer CMK for Keyward'], customer);
    expect(created.code, created.stderr).toBe(0);
    keyArn = (JSON.parse(created.stdout) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn;
    const steps = [
      [
        'iam',
        'create-role',
        '--role-name',
        BYOK_ROLE_NAME,
        '--assume-role-policy-document',
        file('trust.json', trustPolicy(SERVICE_ROLE_ARN, EXTERNAL_ID)),
      ],
      [
        'iam',
        'put-role-policy',
        '--role-name',
        BYOK_ROLE_NAME,
        '--policy-name',
        'keyward-cmk-access',
        '--policy-document',
        file('permissions.json', permissionsPolicy(keyArn, false)),
      ],
      [
        'kms',
        'put-key-policy',
        '--key-id',
        keyArn,
        '--policy-name',
        'default',
        '--policy',
        file('key-policy.json', keyPolicy({})),
      ],
    ];
    for (const step of steps) {
      const result = await aws(step, customer);
      expect(result.code, `${step.join(' ')}: ${result.stderr}`).toBe(0);
    }
  });
  afterAll(() => box?.close());

  it('the customer reads the role back with its trust policy decoded', async () => {
    const result = await aws(['iam', 'get-role', '--role-name', BYOK_ROLE_NAME], customer);
    expect(result.code, result.stderr).toBe(0);
    const role = (JSON.parse(result.stdout) as { Role: { Arn: string; AssumeRolePolicyDocument: unknown } })
      .Role;
    expect(role.Arn).toBe(BYOK_ROLE_ARN);
    expect(role.AssumeRolePolicyDocument).toEqual(trustPolicy(SERVICE_ROLE_ARN, EXTERNAL_ID));
  });

  it('step 4: assume-role with the External ID, then describe-key with the session credentials', async () => {
    const assumed = await aws(
      [
        'sts',
        'assume-role',
        '--role-arn',
        BYOK_ROLE_ARN,
        '--role-session-name',
        'test-session',
        '--external-id',
        EXTERNAL_ID,
      ],
      service,
    );
    expect(assumed.code, assumed.stderr).toBe(0);
    const body = JSON.parse(assumed.stdout) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      AssumedRoleUser: { Arn: string };
    };
    expect(body.AssumedRoleUser.Arn).toBe(
      `arn:aws:sts::${CUSTOMER_ACCOUNT_ID}:assumed-role/${BYOK_ROLE_NAME}/test-session`,
    );
    const session = {
      accessKeyId: body.Credentials.AccessKeyId,
      secretAccessKey: body.Credentials.SecretAccessKey,
      sessionToken: body.Credentials.SessionToken,
    };

    const described = await aws(
      ['kms', 'describe-key', '--key-id', keyArn, '--region', 'us-east-1'],
      session,
    );
    expect(described.code, described.stderr).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      KeyMetadata: { Arn: keyArn, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT' },
    });
  });

  it('step 4 with a wrong External ID: AccessDenied, exit code 254', async () => {
    const result = await aws(
      [
        'sts',
        'assume-role',
        '--role-arn',
        BYOK_ROLE_ARN,
        '--role-session-name',
        'test-session',
        '--external-id',
        'kw-wrong-external-id',
      ],
      service,
    );
    expect(result.code).toBe(254);
    expect(result.stderr.trim()).toBe(
      `An error occurred (AccessDenied) when calling the AssumeRole operation: User: arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/keyward-platform is not authorized to perform: sts:AssumeRole on resource: ${BYOK_ROLE_ARN}`,
    );
  });

  it('describe-key as the platform itself (not through the role) is refused by the key policy', async () => {
    const result = await aws(['kms', 'describe-key', '--key-id', keyArn], service);
    expect(result.code).toBe(254);
    expect(result.stderr).toContain(
      'An error occurred (AccessDeniedException) when calling the DescribeKey operation',
    );
    expect(result.stderr).toContain('because no resource-based policy allows the kms:DescribeKey action');
  });
});
