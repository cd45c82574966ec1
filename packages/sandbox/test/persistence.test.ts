import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  ListAliasesCommand,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, GetRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  clients,
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  expectAwsError,
  json,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
  type Credentials,
} from '@keyward/test-kit/sandbox-clients';

const STATE_FILE = 'sandbox-state.json';
const PLAINTEXT = 'persisted across restarts';
const CONTEXT = { tenant: 'persistence' };

describe('persistence with dataDir', () => {
  let root: string;
  let dataDir: string;
  const running: RunningSandbox[] = [];

  const start = async (options: Parameters<typeof sandbox>[0] = {}) => {
    const box = await sandbox({ dataDir, ...options });
    running.push(box);
    return box;
  };
  const stop = async (box: RunningSandbox) => {
    running.splice(running.indexOf(box), 1);
    await box.close();
  };

  // What the first run made, for the second run to find.
  let keyArn: string;
  let keyId: string;
  let roleArn: string;
  let ciphertext: Uint8Array;
  let session: Credentials;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'keyward-persistence-'));
    dataDir = join(root, 'nested', 'state');
  });
  afterEach(async () => {
    for (const box of running.splice(0)) await box.close();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a first run writes the state file, mode 0600, in a directory it creates', async () => {
    expect(existsSync(dataDir)).toBe(false);
    const box = await start();
    expect(box.config.dataDir).toBe(dataDir);
    const file = join(dataDir, STATE_FILE);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dataDir).mode & 0o077).toBe(0);

    const customer = clients(box, customerAdmin(box));
    const created = await customer.kms.send(
      new CreateKeyCommand({ Description: 'customer BYOK key, persisted' }),
    );
    keyArn = created.KeyMetadata!.Arn!;
    keyId = created.KeyMetadata!.KeyId!;
    await customer.kms.send(new CreateAliasCommand({ AliasName: 'alias/persisted', TargetKeyId: keyId }));
    const role = await customer.iam.send(
      new CreateRoleCommand({
        RoleName: 'byok-persisted',
        AssumeRolePolicyDocument: json({
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
    roleArn = role.Role!.Arn!;
    await customer.iam.send(
      new PutRolePolicyCommand({
        RoleName: 'byok-persisted',
        PolicyName: 'decrypt',
        PolicyDocument: json({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: keyArn }],
        }),
      }),
    );
    ciphertext = (
      await customer.kms.send(
        new EncryptCommand({
          KeyId: 'alias/persisted',
          Plaintext: Buffer.from(PLAINTEXT),
          EncryptionContext: CONTEXT,
        }),
      )
    ).CiphertextBlob!;
    const assumed = await customer.sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'survivor', DurationSeconds: 3600 }),
    );
    session = {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    };

    // Every change was written through, and the file is still owner-only after the rewrites.
    const saved = readFileSync(file, 'utf8');
    expect(saved).toContain(keyArn);
    expect(saved).toContain('alias/persisted');
    expect(saved).toContain(roleArn);
    expect(saved).toContain(session.accessKeyId);
    expect(saved).not.toContain(PLAINTEXT);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await stop(box);
  });

  it('a second run on the same dataDir has the key, alias, role and session, and decrypts the old ciphertext', async () => {
    expect(keyArn, 'the first test must run first').toBeDefined();
    const box = await start();
    const customer = clients(box, customerAdmin(box));

    const described = await customer.kms.send(new DescribeKeyCommand({ KeyId: 'alias/persisted' }));
    expect(described.KeyMetadata).toMatchObject({
      Arn: keyArn,
      KeyId: keyId,
      Description: 'customer BYOK key, persisted',
      KeyState: 'Enabled',
    });
    const aliases = await customer.kms.send(new ListAliasesCommand({ KeyId: keyId }));
    expect(aliases.Aliases!.map((alias) => alias.AliasName)).toEqual(['alias/persisted']);

    const role = await customer.iam.send(new GetRoleCommand({ RoleName: 'byok-persisted' }));
    expect(role.Role!.Arn).toBe(roleArn);

    const decrypted = await customer.kms.send(
      new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: CONTEXT }),
    );
    expect(Buffer.from(decrypted.Plaintext!).toString('utf8')).toBe(PLAINTEXT);
    expect(decrypted.KeyId).toBe(keyArn);

    // The session issued before the restart is still valid, with the role's permissions.
    const asRole = clients(box, session);
    const identity = await asRole.sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(`arn:aws:sts::${CUSTOMER_ACCOUNT_ID}:assumed-role/byok-persisted/survivor`);
    const byRole = await asRole.kms.send(
      new DecryptCommand({ CiphertextBlob: ciphertext, EncryptionContext: CONTEXT }),
    );
    expect(Buffer.from(byRole.Plaintext!).toString('utf8')).toBe(PLAINTEXT);
    await expectAwsError(
      asRole.kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('no') })),
      { name: 'AccessDeniedException' },
    );

    // The seeded world is there too, and the trail starts empty.
    const platform = clients(box, platformAdmin(box));
    expect((await platform.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(PLATFORM_ACCOUNT_ID);
    expect(
      (await platform.kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }))).KeyMetadata!
        .KeyState,
    ).toBe('Enabled');
    expect((await box.admin.trail({ operation: 'AssumeRole' })).length).toBe(0);
    await stop(box);
  });

  it('the platform key keeps its identity across restarts', async () => {
    const first = await start();
    const platform = clients(first, platformAdmin(first));
    const before = await platform.kms.send(
      new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: Buffer.from('platform') }),
    );
    await stop(first);

    const second = await start();
    const decrypted = await clients(second, platformAdmin(second)).kms.send(
      new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }),
    );
    expect(decrypted.KeyId).toBe(before.KeyId);
    expect(Buffer.from(decrypted.Plaintext!).toString('utf8')).toBe('platform');
  });

  it('a reset is persisted: the next run starts from the seed', async () => {
    const box = await start();
    await box.admin.reset();
    await stop(box);

    const next = await start();
    const customer = clients(next, customerAdmin(next));
    await expectAwsError(customer.kms.send(new DescribeKeyCommand({ KeyId: keyArn })), {
      name: 'NotFoundException',
    });
    expect((await customer.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    await expectAwsError(customer.iam.send(new GetRoleCommand({ RoleName: 'byok-persisted' })), {
      name: 'NoSuchEntityException',
      status: 404,
    });
    await expectAwsError(clients(next, session).sts.send(new GetCallerIdentityCommand({})), {
      name: 'InvalidClientTokenId',
      status: 403,
    });
    expect(statSync(join(dataDir, STATE_FILE)).mode & 0o777).toBe(0o600);
  });

  it('refuses a state file of another version', async () => {
    const other = mkdtempSync(join(tmpdir(), 'keyward-persistence-version-'));
    try {
      writeFileSync(join(other, STATE_FILE), JSON.stringify({ version: 99 }));
      await expect(sandbox({ dataDir: other })).rejects.toThrow(/unsupported sandbox state version 99/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('a damaged state file', () => {
  it('stops start-up with a SandboxStateError naming the file, and leaves the file alone', async () => {
    const other = mkdtempSync(join(tmpdir(), 'keyward-persistence-corrupt-'));
    try {
      const path = join(other, STATE_FILE);
      writeFileSync(path, '{"version":1,"accounts":');
      const error = await sandbox({ dataDir: other }).then(
        () => undefined,
        (caught: unknown) => caught as Error & { code?: string },
      );
      expect(error?.name).toBe('SandboxStateError');
      expect(error?.code).toBe('KW_SANDBOX_STATE');
      expect(error?.message).toContain(path);
      expect(readFileSync(path, 'utf8')).toBe('{"version":1,"accounts":');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('without dataDir', () => {
  it('keeps nothing between runs', async () => {
    const first = await sandbox();
    expect(first.config.dataDir).toBeUndefined();
    const customer = clients(first, customerAdmin(first));
    const created = await customer.kms.send(new CreateKeyCommand({ Description: 'ephemeral' }));
    await customer.kms.send(
      new CreateAliasCommand({ AliasName: 'alias/ephemeral', TargetKeyId: created.KeyMetadata!.KeyId }),
    );
    expect((await customer.kms.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    await first.close();

    const second = await sandbox();
    try {
      const again = clients(second, customerAdmin(second));
      expect((await again.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
      await expectAwsError(again.kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata!.Arn })), {
        name: 'NotFoundException',
      });
      await expectAwsError(again.kms.send(new DescribeKeyCommand({ KeyId: 'alias/ephemeral' })), {
        name: 'NotFoundException',
      });
    } finally {
      await second.close();
    }
  });
});
