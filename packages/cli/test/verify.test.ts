import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DetachRolePolicyCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CUSTOMER_ACCOUNT_ID, startSandbox, type RunningSandbox } from '@keyward/sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import {
  BYOK_ROLE_ARN,
  customerSetup,
  EXTERNAL_ID,
  SERVICE_ROLE_ARN,
  serviceRoleSession,
  type SetupChoices,
} from '@keyward/test-kit/byok-setup';

/**
 * `keyward verify` through the real binary against the sandbox (--endpoint-url), signed with the
 * caller's own credentials from the environment: as the platform's Service Role (the console's
 * Test in full) and as the customer's admin (the documents reviewed).
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Only these credentials: no profile, no config file, no instance metadata. */
function keyward(
  args: string[],
  credentials: Credentials | null,
  env: Record<string, string> = {},
): Promise<Run> {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('KEYWARD_') && !name.startsWith('AWS_')),
  );
  const aws =
    credentials === null
      ? {}
      : {
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
        };
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['packages/cli/bin/keyward.js', ...args],
      {
        cwd: REPO_ROOT,
        timeout: 60_000,
        env: {
          ...clean,
          NO_COLOR: '1',
          AWS_CONFIG_FILE: '/dev/null',
          AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
          AWS_EC2_METADATA_DISABLED: 'true',
          ...aws,
          ...env,
        },
      },
      (error, stdout, stderr) =>
        done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
    );
  });
}

describe('keyward verify', () => {
  let box: RunningSandbox | undefined;
  afterEach(async () => {
    await box?.close();
    box = undefined;
  });

  async function setUp(choices: SetupChoices = {}): Promise<{ keyArn: string; args: string[] }> {
    box = await startSandbox({ port: 0, env: {} });
    const { keyArn } = await customerSetup(box, choices);
    return {
      keyArn,
      args: [
        'verify',
        '--role-arn',
        BYOK_ROLE_ARN,
        '--cmk-arn',
        keyArn,
        '--external-id',
        EXTERNAL_ID,
        '--endpoint-url',
        box.endpoint,
        '--tenant',
        'acme',
      ],
    };
  }
  const customerAdmin = () => box!.credentials(CUSTOMER_ACCOUNT_ID);
  const statuses = (entries: Array<{ id: string; status: string }>) =>
    Object.fromEntries(entries.map((entry) => [entry.id, entry.status]));

  it("as the platform's Service Role: every check of the console's Test runs and passes (the role is found from the caller)", async () => {
    const { args } = await setUp();
    const run = await keyward([...args, '--json'], await serviceRoleSession(box!));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      mode: 'live',
      serviceRoleArn: SERVICE_ROLE_ARN,
      review: null,
      caller: { account: '111122223333', roleArn: SERVICE_ROLE_ARN },
    });
    expect(statuses(report.checks)).toEqual({
      'arn-syntax': 'pass',
      'assume-role': 'pass',
      'external-id-required': 'pass',
      'describe-key': 'pass',
      'round-trip': 'pass',
      reencrypt: 'pass',
    });
  });

  it('as the Service Role, a missing key-policy statement fails with the diagnosis the console gives: exit 3', async () => {
    const { args } = await setUp({ keyPolicyStatement: false, keepRootStatement: false });
    const run = await keyward(args, await serviceRoleSession(box!));
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/FAIL The key: exists, enabled, symmetric, customer managed/);
    expect(run.stdout).toContain('fix:');
    expect(run.stdout).toContain('Some checks failed');
  });

  it("as the customer's admin: AssumeRole refused as it should be, the key described with their credentials, the documents reviewed and passing", async () => {
    const { args } = await setUp();
    const run = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], customerAdmin());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      mode: 'review',
      caller: { account: CUSTOMER_ACCOUNT_ID, roleArn: null },
    });
    expect(statuses(report.checks)).toMatchObject({
      'arn-syntax': 'pass',
      'assume-role': 'skipped',
      'describe-key': 'pass',
      'round-trip': 'skipped',
    });
    expect(report.checks.find((check: { id: string }) => check.id === 'assume-role').message).toContain(
      'as it should',
    );
    expect(statuses(report.review)).toEqual({
      'trust-principal': 'pass',
      'trust-external-id': 'pass',
      'permissions-policy': 'pass',
      'key-policy': 'pass',
    });

    const text = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN], customerAdmin());
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Checked as arn:aws:iam::444455556666:user\/admin\n/);
    expect(text.stdout).toContain('The documents, read with your credentials:');
    expect(text.stdout).toContain('Every check passed.');
  });

  it("as the customer's admin: a trust policy without the External ID condition, and a key policy without the role, each fail by name: exit 3", async () => {
    const { args } = await setUp({
      externalIdCondition: null,
      keyPolicyStatement: false,
      keepRootStatement: false,
    });
    const run = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], customerAdmin());
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(statuses(report.review)).toMatchObject({
      'trust-principal': 'pass',
      'trust-external-id': 'fail',
      'key-policy': 'fail',
    });
    const keyPolicy = report.review.find((finding: { id: string }) => finding.id === 'key-policy');
    expect(keyPolicy).toMatchObject({ artifact: 'key-policy-statement', remediation: expect.any(String) });
  });

  it("as the customer's admin: a role that does not exist fails by name", async () => {
    const { keyArn } = await setUp();
    const missing = 'arn:aws:iam::444455556666:role/no-such-role';
    const run = await keyward(
      [
        'verify',
        '--role-arn',
        missing,
        '--cmk-arn',
        keyArn,
        '--external-id',
        EXTERNAL_ID,
        '--tenant',
        'acme',
        '--endpoint-url',
        box!.endpoint,
        '--service-role-arn',
        SERVICE_ROLE_ARN,
        '--json',
      ],
      customerAdmin(),
    );
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.review.find((finding: { id: string }) => finding.id === 'trust-principal')).toMatchObject({
      status: 'fail',
      message: 'The role no-such-role does not exist (NoSuchEntityException).',
    });
    // A missing role is no "refused as it should be".
    expect(report.checks.find((check: { id: string }) => check.id === 'assume-role')).toMatchObject({
      status: 'fail',
      code: 'KW_CHECK_ASSUME_ROLE_DENIED',
    });
  });

  it(
    'bad input, missing credentials and an unreachable endpoint: one line with the code and the documented exit code',
    { timeout: 120_000 },
    async () => {
      const { keyArn, args } = await setUp();
      const expectOneLine = (run: Run, code: number, pattern: RegExp) => {
        expect(run.code, run.stderr).toBe(code);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(pattern);
        expect(run.stderr.trim().split('\n')).toHaveLength(1);
      };
      const withEndpoint = (url: string) =>
        args.map((arg, index) => (args[index - 1] === '--endpoint-url' ? url : arg));
      const base = [
        'verify',
        '--external-id',
        EXTERNAL_ID,
        '--tenant',
        'acme',
        '--endpoint-url',
        box!.endpoint,
      ];
      expectOneLine(
        await keyward(
          [...base, '--role-arn', 'arn:aws:iam::444455556666:user/bob', '--cmk-arn', keyArn],
          customerAdmin(),
        ),
        2,
        /^keyward: KW_INVALID_ARN: "arn:aws:iam::444455556666:user\/bob" is not /,
      );
      expectOneLine(
        await keyward(
          [
            ...base,
            '--role-arn',
            BYOK_ROLE_ARN,
            '--cmk-arn',
            'arn:aws:kms:us-east-1:444455556666:alias/mine',
          ],
          customerAdmin(),
        ),
        2,
        /^keyward: KW_INVALID_ARN: .*KMS key ARN/,
      );
      expectOneLine(
        await keyward(
          ['verify', '--external-id', EXTERNAL_ID, '--role-arn', BYOK_ROLE_ARN, '--cmk-arn', keyArn],
          customerAdmin(),
        ),
        2,
        /^keyward: KW_USAGE: required option '--tenant <id>' not specified/,
      );
      expectOneLine(
        await keyward(
          [
            'verify',
            '--role-arn',
            BYOK_ROLE_ARN,
            '--cmk-arn',
            keyArn,
            '--external-id',
            'x',
            '--tenant',
            'acme',
            '--endpoint-url',
            box!.endpoint,
          ],
          customerAdmin(),
        ),
        2,
        /^keyward: KW_USAGE: --external-id "x" is not an External ID/,
      );
      expectOneLine(
        await keyward([...base, '--role-arn', BYOK_ROLE_ARN], customerAdmin()),
        2,
        /^keyward: KW_USAGE: required option '--cmk-arn <arn>' not specified/,
      );
      expectOneLine(
        await keyward(withEndpoint('ftp://x'), customerAdmin()),
        2,
        /^keyward: KW_USAGE: --endpoint-url must be an http\(s\) URL/,
      );
      expectOneLine(await keyward(args, null), 2, /^keyward: KW_AWS_CREDENTIALS: No AWS credentials: /);
      expectOneLine(
        await keyward(args, customerAdmin()),
        2,
        /^keyward: KW_USAGE: --service-role-arn is needed: you are arn:aws:iam::444455556666:user\/admin, not a role session/,
      );
      expectOneLine(
        await keyward([...args, '--region', 'nowhere'], customerAdmin()),
        2,
        /^keyward: KW_USAGE: --region must be a region/,
      );
      expectOneLine(
        await keyward(args, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wrong' }),
        2,
        /^keyward: KW_AWS_CREDENTIALS: AWS refused the credentials/,
      );
      const closed = 'http://127.0.0.1:9';
      expectOneLine(
        await keyward(withEndpoint(closed), customerAdmin()),
        1,
        /^keyward: KW_UNREACHABLE: Cannot reach AWS STS/,
      );
    },
  );

  it("reads every inline and attached managed policy of the role; --region moves STS only, KMS stays in the key's region", async () => {
    const { keyArn, args } = await setUp({ permissionsPolicy: false, keyPolicyStatement: false });
    const iam = clients(box!, customerAdmin()).iam;
    const roleName = BYOK_ROLE_ARN.split('/').pop()!;
    // Split across two inline policies and one managed policy; the key policy delegates to IAM (its root statement).
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'encrypt',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: keyArn }],
        }),
      }),
    );
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'decrypt',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }],
        }),
      }),
    );
    const managed = await iam.send(
      new CreatePolicyCommand({
        PolicyName: 'keyward-rest',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:ReEncrypt*'],
              Resource: keyArn,
            },
          ],
        }),
      }),
    );
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managed.Policy!.Arn! }));
    const asCustomer = JSON.parse(
      (await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], customerAdmin())).stdout,
    );
    expect(statuses(asCustomer.review)).toEqual({
      'trust-principal': 'pass',
      'trust-external-id': 'pass',
      'permissions-policy': 'pass',
      'key-policy': 'pass',
    });
    await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: managed.Policy!.Arn! }));
    const detached = JSON.parse(
      (await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], customerAdmin())).stdout,
    );
    expect(
      detached.review.find((finding: { id: string }) => finding.id === 'permissions-policy'),
    ).toMatchObject({ status: 'fail', message: expect.stringContaining('kms:DescribeKey') });
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: managed.Policy!.Arn! }));
    const elsewhere = await keyward(
      [...args, '--region', 'eu-west-1', '--json'],
      await serviceRoleSession(box!),
    );
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(JSON.parse(elsewhere.stdout)).toMatchObject({ ok: true, mode: 'live' });
  });

  it("the kit's tenant condition on DescribeKey too: the review names it, with the tenant given", async () => {
    const { args } = await setUp({ tenantCondition: true });
    const run = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], customerAdmin());
    expect(run.code).toBe(3);
    const finding = JSON.parse(run.stdout).review.find(
      (entry: { id: string }) => entry.id === 'permissions-policy',
    );
    expect(finding).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('DescribeKey carries no encryption context'),
    });
  });

  it('a key that does not exist fails by name', async () => {
    const { args } = await setUp();
    const missing = 'arn:aws:kms:us-east-1:444455556666:key/00000000-0000-4000-8000-000000000000';
    const run = await keyward(
      [
        ...args.map((arg) => (arg.startsWith('arn:aws:kms:') ? missing : arg)),
        '--service-role-arn',
        SERVICE_ROLE_ARN,
        '--json',
      ],
      customerAdmin(),
    );
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout);
    expect(report.review.find((entry: { id: string }) => entry.id === 'key-policy')).toMatchObject({
      status: 'fail',
      message: `The key ${missing} does not exist (NotFoundException).`,
    });
    expect(report.checks.find((entry: { id: string }) => entry.id === 'describe-key')).toMatchObject({
      status: 'fail',
      code: 'KW_CHECK_KEY_NOT_FOUND',
    });
  });

  it('credentials that may not read the documents, or of another account: nothing failed, but not everything was checked: exit 1 with the report', async () => {
    const { args } = await setUp();
    // An auditor role in the customer account that may only describe keys.
    const customer = clients(box!, customerAdmin());
    await customer.iam.send(
      new CreateRoleCommand({
        RoleName: 'key-auditor',
        AssumeRolePolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      }),
    );
    await customer.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'key-auditor',
        PolicyName: 'describe',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }],
        }),
      }),
    );
    const session = (
      await customer.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/key-auditor`,
          RoleSessionName: 'audit',
        }),
      )
    ).Credentials!;
    const auditor = {
      accessKeyId: session.AccessKeyId!,
      secretAccessKey: session.SecretAccessKey!,
      sessionToken: session.SessionToken!,
    };
    const limited = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'], auditor);
    expect(limited.code, limited.stderr).toBe(1);
    const report = JSON.parse(limited.stdout);
    expect(report).toMatchObject({ ok: true, complete: false, mode: 'review' });
    expect(statuses(report.review)).toEqual({
      'trust-principal': 'warn',
      'trust-external-id': 'warn',
      'permissions-policy': 'warn',
      'key-policy': 'warn',
    });
    expect(report.review[0].message).toMatch(
      /^Not checked\. Could not read The role keyward-byok: AccessDenied/,
    );
    expect(statuses(report.checks)).toMatchObject({ 'describe-key': 'pass' });
    const text = await keyward([...args, '--service-role-arn', SERVICE_ROLE_ARN], auditor);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('Nothing failed, but not everything could be checked');

    // The platform's administrator (not the Service Role, another account): nothing of the customer's can be read.
    const platform = await keyward(
      [...args, '--service-role-arn', SERVICE_ROLE_ARN, '--json'],
      box!.credentials('111122223333'),
    );
    expect(platform.code, platform.stderr).toBe(1);
    const across = JSON.parse(platform.stdout);
    expect(across.review[3].message).toBe(
      'Not checked. The key is in account 444455556666 and you are in 111122223333: it can be read only from its own account.',
    );
    expect(statuses(across.checks)).toMatchObject({ 'assume-role': 'skipped', 'describe-key': 'skipped' });
  });
});
