import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, DescribeKeyCommand, EncryptCommand, ListAliasesCommand } from '@aws-sdk/client-kms';
import { GetPolicyCommand, GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { stringify as toYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeedError, startSandbox, type RunningSandbox, type SeedInput } from '../src/index.js';
import { clients, expectAwsError, sandbox } from '@keyward/test-kit/sandbox-clients';

const ACCOUNT = '777788889999';
const ACCESS_KEY_ID = 'AKIA777788889999DEPL';
const SECRET = 'seed-file-secret-do-not-use';
const KEY_ID = '0b5c7a3e-2f4d-4c1b-9a8e-6d7f8e9a0b1c';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${KEY_ID}`;
const POLICY_ARN = `arn:aws:iam::${ACCOUNT}:policy/app/kms-use`;
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service/app-runtime`;

/** A seed with one custom account: a user with an access key, a managed policy, a role and a key with a fixed ID and alias. */
function customSeed(): SeedInput {
  return {
    accounts: [
      {
        id: ACCOUNT,
        alias: 'acme',
        policies: [
          {
            name: 'kms-use',
            path: '/app/',
            description: 'use the acme data key',
            document: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'UseKey',
                  Effect: 'Allow',
                  Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ListAliases'],
                  Resource: '*',
                },
                {
                  Sid: 'Assume',
                  Effect: 'Allow',
                  Action: 'sts:AssumeRole',
                  Resource: `arn:aws:iam::${ACCOUNT}:role/*`,
                },
                {
                  Sid: 'Read',
                  Effect: 'Allow',
                  Action: ['iam:GetRole', 'iam:GetPolicy', 'iam:ListAttachedRolePolicies'],
                  Resource: '*',
                },
              ],
            },
          },
        ],
        users: [
          {
            name: 'deployer',
            accessKeys: [{ id: ACCESS_KEY_ID, secret: SECRET }],
            managedPolicies: ['kms-use'],
          },
        ],
        roles: [
          {
            name: 'app-runtime',
            path: '/service/',
            description: 'the application at run time',
            maxSessionDuration: 7200,
            trustPolicy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Effect: 'Allow',
                  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/deployer` },
                  Action: 'sts:AssumeRole',
                },
              ],
            },
            managedPolicies: [POLICY_ARN],
          },
        ],
        keys: [
          { id: KEY_ID, description: 'acme data key', aliases: ['alias/acme-data'], tags: { team: 'data' } },
        ],
      },
    ],
  };
}

describe.each([
  ['YAML', 'seed.yaml', (seed: SeedInput) => toYaml(seed)],
  ['JSON', 'seed.json', (seed: SeedInput) => JSON.stringify(seed, null, 2)],
])('a %s seed file', (_format, fileName, render) => {
  let dir: string;
  let box: RunningSandbox;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keyward-seed-'));
    const path = join(dir, fileName);
    writeFileSync(path, render(customSeed()));
    box = await sandbox({ seed: path });
  });
  afterAll(async () => {
    await box.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists the seeded user and its access key', () => {
    expect(box.users).toEqual([
      {
        account: ACCOUNT,
        accountAlias: 'acme',
        userName: 'deployer',
        arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET,
      },
    ]);
    expect(box.credentials(ACCOUNT, 'deployer')).toEqual({
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: SECRET,
    });
    expect(() => box.credentials('111122223333')).toThrow(
      /no access key for user admin in account 111122223333/,
    );
  });

  it('authenticates the seeded access key', async () => {
    const identity = await clients(box, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }).sts.send(
      new GetCallerIdentityCommand({}),
    );
    expect(identity).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/deployer` });
    await expectAwsError(
      clients(box, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: 'wrong' }).sts.send(
        new GetCallerIdentityCommand({}),
      ),
      {
        name: 'SignatureDoesNotMatch',
        status: 403,
      },
    );
  });

  it('has the key with its fixed ID and alias, usable through the managed policy', async () => {
    const { kms } = clients(box, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/acme-data' }));
    expect(described.KeyMetadata).toMatchObject({
      KeyId: KEY_ID,
      Arn: KEY_ARN,
      AWSAccountId: ACCOUNT,
      Description: 'acme data key',
      KeyState: 'Enabled',
    });
    const aliases = await kms.send(new ListAliasesCommand({}));
    expect(aliases.Aliases).toEqual([
      expect.objectContaining({
        AliasName: 'alias/acme-data',
        AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/acme-data`,
        TargetKeyId: KEY_ID,
      }),
    ]);

    const encrypted = await kms.send(
      new EncryptCommand({
        KeyId: KEY_ID,
        Plaintext: Buffer.from('seeded'),
        EncryptionContext: { tenant: 'acme' },
      }),
    );
    expect(encrypted.KeyId).toBe(KEY_ARN);
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { tenant: 'acme' } }),
    );
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('seeded');
  });

  it('has the managed policy and the role, and the user may assume the role', async () => {
    const { iam, sts } = clients(box, { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET });
    const policy = await iam.send(new GetPolicyCommand({ PolicyArn: POLICY_ARN }));
    expect(policy.Policy).toMatchObject({
      PolicyName: 'kms-use',
      Path: '/app/',
      Arn: POLICY_ARN,
      Description: 'use the acme data key',
      AttachmentCount: 2,
    });
    const role = await iam.send(new GetRoleCommand({ RoleName: 'app-runtime' }));
    expect(role.Role).toMatchObject({
      RoleName: 'app-runtime',
      Path: '/service/',
      Arn: ROLE_ARN,
      MaxSessionDuration: 7200,
      Description: 'the application at run time',
    });
    const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'app-runtime' }));
    expect(attached.AttachedPolicies).toEqual([{ PolicyName: 'kms-use', PolicyArn: POLICY_ARN }]);

    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'runtime' }));
    expect(assumed.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/app-runtime/runtime`);
    const session = clients(box, {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    });
    const encrypted = await session.kms.send(
      new EncryptCommand({ KeyId: 'alias/acme-data', Plaintext: Buffer.from('by the role') }),
    );
    expect(encrypted.KeyId).toBe(KEY_ARN);
  });

  it('replaces the default world: no default accounts', async () => {
    await expectAwsError(
      clients(box, {
        accessKeyId: 'AKIA111122223333ADMN',
        secretAccessKey: 'sandbox-secret-111122223333',
      }).sts.send(new GetCallerIdentityCommand({})),
      {
        name: 'InvalidClientTokenId',
        status: 403,
      },
    );
  });
});

describe('seed file from KEYWARD_SANDBOX_SEED', () => {
  it('is read when no seed option is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-seed-env-'));
    try {
      const path = join(dir, 'world.yml');
      writeFileSync(path, toYaml(customSeed()));
      const box = await startSandbox({ port: 0, env: { KEYWARD_SANDBOX_SEED: path } });
      try {
        expect(box.config.seed).toBe(path);
        const described = await clients(box, box.credentials(ACCOUNT, 'deployer')).kms.send(
          new DescribeKeyCommand({ KeyId: KEY_ARN }),
        );
        expect(described.KeyMetadata?.KeyId).toBe(KEY_ID);
      } finally {
        await box.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an invalid seed file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'keyward-bad-seed-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type Mutate = (seed: ReturnType<typeof customSeed> & { accounts: Record<string, unknown>[] }) => void;
  const account = (seed: { accounts: unknown[] }) =>
    seed.accounts[0] as Record<string, Record<string, unknown>[]>;

  async function rejection(fileName: string, text: string): Promise<SeedError> {
    const path = join(dir, fileName);
    writeFileSync(path, text);
    const error = await sandbox({ seed: path }).then(
      (box) => box.close().then(() => undefined),
      (caught: unknown) => caught,
    );
    expect(error, 'startSandbox should have rejected').toBeInstanceOf(SeedError);
    const seedError = error as SeedError;
    expect(seedError.name).toBe('SeedError');
    expect(seedError.code).toBe('KW_SANDBOX_SEED');
    return seedError;
  }

  it.each<[string, Mutate, RegExp]>([
    [
      'a malformed access key ID',
      (seed) => (account(seed).users![0]!.accessKeys = [{ id: 'not-a-key', secret: 's' }]),
      /accounts\.0\.users\.0\.accessKeys\.0\.id: access key IDs look like AKIA/,
    ],
    [
      'a key ID that is not a UUID',
      (seed) => (account(seed).keys![0]!.id = 'key-1'),
      /accounts\.0\.keys\.0\.id/,
    ],
    [
      'a bad account ID',
      (seed) => ((seed.accounts[0] as Record<string, unknown>).id = '12345'),
      /accounts\.0\.id: account IDs are 12 digits/,
    ],
    ['an unknown field', (seed) => (account(seed).roles![0]!.trust = {}), /accounts\.0\.roles\.0/],
    [
      'a malformed policy document',
      (seed) =>
        (account(seed).policies![0]!.document = {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Maybe', Action: '*', Resource: '*' }],
        }),
      /accounts\.0\.policies\.0\.document: MalformedPolicyDocument/,
    ],
    [
      'an unknown managed policy',
      (seed) => (account(seed).roles![0]!.managedPolicies = ['NoSuchPolicy']),
      /accounts\.0\.roles\.0\.managedPolicies\.0: managed policy NoSuchPolicy does not exist/,
    ],
    [
      'a trust policy naming a principal that does not exist',
      (seed) =>
        (account(seed).roles![0]!.trustPolicy = {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/ghost` },
              Action: 'sts:AssumeRole',
            },
          ],
        }),
      /accounts\.0\.roles\.0\.trustPolicy: Invalid principal in policy/,
    ],
    [
      'a duplicate alias',
      (seed) => account(seed).keys!.push({ aliases: ['alias/acme-data'] }),
      /accounts\.0\.keys\.1\.aliases: alias\/acme-data is already used in us-east-1/,
    ],
    ['no accounts', (seed) => (seed.accounts = []), /accounts: a seed needs at least one account/],
  ])('%s: the message names the bad path', async (_label, mutate, message) => {
    const seed = structuredClone(customSeed()) as Parameters<Mutate>[0];
    mutate(seed);
    const yamlError = await rejection('bad.yaml', toYaml(seed));
    expect(yamlError.message).toMatch(/^Invalid seed: /);
    expect(yamlError.message).toMatch(message);
    const jsonError = await rejection('bad.json', JSON.stringify(seed));
    expect(jsonError.message).toMatch(message);
  });

  it('YAML that does not parse', async () => {
    const error = await rejection('broken.yaml', 'accounts:\n  - id: "777788889999\n    users: [\n');
    expect(error.message).toContain(`Seed file ${join(dir, 'broken.yaml')} is not valid YAML`);
  });

  it('JSON that does not parse', async () => {
    const error = await rejection('broken.json', '{"accounts": [');
    expect(error.message).toContain(`Seed file ${join(dir, 'broken.json')} is not valid JSON`);
  });

  it('a file that does not exist', async () => {
    const missing = join(dir, 'missing.yaml');
    const error = await sandbox({ seed: missing }).then(
      () => undefined,
      (caught: unknown) => caught as SeedError,
    );
    expect(error).toBeInstanceOf(SeedError);
    expect(error!.message).toMatch(
      new RegExp(`^Cannot read seed file ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ENOENT`),
    );
  });
});
