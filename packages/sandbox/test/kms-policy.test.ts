import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  clients,
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  expectAwsError,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
} from '@keyward/test-kit/sandbox-clients';
import { kmsCall } from './signed-request.js';
import {
  assumeNewRole,
  bytes,
  createKey,
  denied,
  keyArn,
  policyDocument,
  rootArn,
  rootStatement,
  text,
  type RoleSession,
} from './kms-fixtures.js';

type Key = Awaited<ReturnType<typeof createKey>>;

const PLATFORM_ADMIN_ARN = 'arn:aws:iam::111122223333:user/admin';
const INVALID_PRINCIPALS = {
  name: 'MalformedPolicyDocumentException',
  status: 400,
  message: 'Policy contains a statement with one or more invalid principals.',
};
const LOCKOUT = {
  name: 'MalformedPolicyDocumentException',
  status: 400,
  message: 'The new key policy will not allow you to update the key policy in the future.',
};

describe('KMS key policies and access control', () => {
  let box: RunningSandbox;
  let kms: KMSClient;
  let customerKms: KMSClient;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
    customerKms = clients(box, customerAdmin(box)).kms;
  });
  afterAll(() => box.close());

  const kmsFor = (session: RoleSession): KMSClient => clients(box, session.credentials).kms;

  describe('GetKeyPolicy and PutKeyPolicy', () => {
    it('stores the policy text as sent and returns it under the name "default"', async () => {
      const key = await createKey(kms);
      const policy = JSON.stringify(
        {
          Version: '2012-10-17',
          Id: 'custom',
          Statement: [
            rootStatement(PLATFORM_ACCOUNT_ID),
            {
              Sid: 'Customer reads',
              Effect: 'Allow',
              Principal: { AWS: rootArn(CUSTOMER_ACCOUNT_ID) },
              Action: 'kms:DescribeKey',
              Resource: '*',
            },
          ],
        },
        null,
        4,
      );
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: policy }));
      const read = await kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default' }));
      expect(read.Policy).toBe(policy);
      expect(read.PolicyName).toBe('default');
      /* PolicyName "default" is accepted on PutKeyPolicy as well. */
      const compact = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID));
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.Arn, Policy: compact, PolicyName: 'default' }));
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(compact);
    });

    it('knows no policy name other than "default"', async () => {
      const key = await createKey(kms);
      const noSuchPolicy = { name: 'NotFoundException', status: 400, message: 'No such policy exists' };
      await expectAwsError(
        kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'other' })),
        noSuchPolicy,
      );
      await expectAwsError(
        kms.send(
          new PutKeyPolicyCommand({
            KeyId: key.KeyId,
            PolicyName: 'other',
            Policy: policyDocument(rootStatement(PLATFORM_ACCOUNT_ID)),
          }),
        ),
        noSuchPolicy,
      );
    });

    it('refuses a policy that is not JSON, and keeps the old one', async () => {
      const key = await createKey(kms);
      const before = (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy;
      await expectAwsError(
        kms.send(
          new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: '{"Version": "2012-10-17", "Statement": [' }),
        ),
        {
          name: 'MalformedPolicyDocumentException',
          status: 400,
        },
      );
      await expectAwsError(kms.send(new CreateKeyCommand({ Policy: 'not json' })), {
        name: 'MalformedPolicyDocumentException',
        status: 400,
      });
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(before);
    });

    it('refuses a policy naming a principal that does not exist', async () => {
      const key = await createKey(kms);
      const withMissingRole = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID), {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::444455556666:role/does-not-exist' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
      await expectAwsError(
        kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: withMissingRole })),
        INVALID_PRINCIPALS,
      );
      await expectAwsError(kms.send(new CreateKeyCommand({ Policy: withMissingRole })), INVALID_PRINCIPALS);
      const withMissingUser = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID), {
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:user/nobody' },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
      await expectAwsError(
        kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: withMissingUser })),
        INVALID_PRINCIPALS,
      );
      /* Principals that exist are fine. */
      const withRealPrincipals = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID), {
        Effect: 'Allow',
        Principal: {
          AWS: [
            'arn:aws:iam::111122223333:role/keyward-service',
            'arn:aws:iam::444455556666:user/admin',
            rootArn(CUSTOMER_ACCOUNT_ID),
          ],
        },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: withRealPrincipals }));
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(withRealPrincipals);
    });

    it('refuses a policy that would lock the caller out, unless BypassPolicyLockoutSafetyCheck', async () => {
      const key = await createKey(kms);
      const encryptOnly = policyDocument({
        Effect: 'Allow',
        Principal: { AWS: rootArn(PLATFORM_ACCOUNT_ID) },
        Action: ['kms:Encrypt', 'kms:Decrypt'],
        Resource: '*',
      });
      await expectAwsError(
        kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: encryptOnly })),
        LOCKOUT,
      );
      await expectAwsError(kms.send(new CreateKeyCommand({ Policy: encryptOnly })), LOCKOUT);
      expect(
        JSON.parse((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy!).Statement[0]
          .Action,
      ).toBe('kms:*');

      await kms.send(
        new PutKeyPolicyCommand({
          KeyId: key.KeyId,
          Policy: encryptOnly,
          BypassPolicyLockoutSafetyCheck: true,
        }),
      );
      /* The caller is now locked out of the policy, but may still use the key as the policy says. */
      await expectAwsError(kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId })), {
        name: 'AccessDeniedException',
        status: 400,
        message: denied(PLATFORM_ADMIN_ARN, 'kms:GetKeyPolicy', key.Arn, 'no-resource'),
      });
      await expectAwsError(
        kms.send(
          new PutKeyPolicyCommand({
            KeyId: key.KeyId,
            Policy: policyDocument(rootStatement(PLATFORM_ACCOUNT_ID)),
          }),
        ),
        {
          name: 'AccessDeniedException',
          status: 400,
          message: denied(PLATFORM_ADMIN_ARN, 'kms:PutKeyPolicy', key.Arn, 'no-resource'),
        },
      );
      const blob = (
        await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('still usable') }))
      ).CiphertextBlob;
      expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe(
        'still usable',
      );

      const created = await kms.send(
        new CreateKeyCommand({ Policy: encryptOnly, BypassPolicyLockoutSafetyCheck: true }),
      );
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata!.KeyId })), {
        name: 'AccessDeniedException',
        status: 400,
        message: denied(PLATFORM_ADMIN_ARN, 'kms:DescribeKey', created.KeyMetadata!.Arn!, 'no-resource'),
      });
    });

    it("counts the caller's IAM policies in the lockout check when the policy delegates to the account", async () => {
      const rootOnly = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID));
      const createOnly = await assumeNewRole(box, platformAdmin(box), PLATFORM_ACCOUNT_ID, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:CreateKey', Resource: '*' }],
      });
      await expectAwsError(kmsFor(createOnly).send(new CreateKeyCommand({ Policy: rootOnly })), LOCKOUT);
      const keyAdmin = await assumeNewRole(box, platformAdmin(box), PLATFORM_ACCOUNT_ID, {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['kms:CreateKey', 'kms:PutKeyPolicy'], Resource: '*' }],
      });
      const created = await kmsFor(keyAdmin).send(new CreateKeyCommand({ Policy: rootOnly }));
      expect(created.KeyMetadata!.AWSAccountId).toBe(PLATFORM_ACCOUNT_ID);
    });

    it('accepts a policy that keeps the caller in by naming the caller directly', async () => {
      const key = await createKey(kms);
      const adminOnly = policyDocument({
        Effect: 'Allow',
        Principal: { AWS: PLATFORM_ADMIN_ARN },
        Action: 'kms:*',
        Resource: '*',
      });
      await kms.send(new PutKeyPolicyCommand({ KeyId: key.KeyId, Policy: adminOnly }));
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(adminOnly);
    });
  });

  describe('AccessDeniedException', () => {
    it('names the missing resource-based allow when a key policy does not let another account in', async () => {
      const customerKey = await createKey(customerKms);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: customerKey.Arn })), {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:DescribeKey on resource: ${customerKey.Arn} because no resource-based policy allows the kms:DescribeKey action`,
      });
      await expectAwsError(kms.send(new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('x') })), {
        name: 'AccessDeniedException',
        status: 400,
        message: denied(PLATFORM_ADMIN_ARN, 'kms:Encrypt', customerKey.Arn, 'no-resource'),
      });
      const blob = (
        await customerKms.send(new EncryptCommand({ KeyId: customerKey.KeyId, Plaintext: bytes('private') }))
      ).CiphertextBlob;
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), {
        name: 'AccessDeniedException',
        status: 400,
        message: denied(PLATFORM_ADMIN_ARN, 'kms:Decrypt', customerKey.Arn, 'no-resource'),
      });
    });

    it('sends AccessDeniedException with a capital "Message" on the wire', async () => {
      const customerKey = await createKey(customerKms);
      const raw = await kmsCall(
        box.endpoint,
        platformAdmin(box),
        'TrentService.DescribeKey',
        JSON.stringify({ KeyId: customerKey.Arn }),
      );
      expect(raw.status).toBe(400);
      expect(JSON.parse(raw.text)).toEqual({
        __type: 'AccessDeniedException',
        Message: denied(PLATFORM_ADMIN_ARN, 'kms:DescribeKey', customerKey.Arn, 'no-resource'),
      });
    });

    describe('when the key policy allows the account but IAM does not allow the caller', () => {
      let customerKey: Key;
      let narrow: RoleSession;

      beforeAll(async () => {
        const policy = policyDocument(rootStatement(CUSTOMER_ACCOUNT_ID), {
          Sid: 'AllowPlatformAccount',
          Effect: 'Allow',
          Principal: { AWS: rootArn(PLATFORM_ACCOUNT_ID) },
          Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*'],
          Resource: '*',
        });
        customerKey = await createKey(customerKms, { Policy: policy });
        narrow = await assumeNewRole(box, platformAdmin(box), PLATFORM_ACCOUNT_ID, {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: customerKey.Arn }],
        });
      });

      it('lets the role do what its IAM policy allows', async () => {
        expect(narrow.sessionArn).toMatch(
          /^arn:aws:sts::111122223333:assumed-role\/kms-test-role-\d+\/kms-test$/,
        );
        const encrypted = await kmsFor(narrow).send(
          new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('narrow') }),
        );
        expect(encrypted.KeyId).toBe(customerKey.Arn);
        /* The platform admin, whose IAM allows everything, can read it back. */
        expect(
          text((await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }))).Plaintext),
        ).toBe('narrow');
      });

      it('names the missing identity-based allow for everything else', async () => {
        const session = kmsFor(narrow);
        await expectAwsError(session.send(new DescribeKeyCommand({ KeyId: customerKey.Arn })), {
          name: 'AccessDeniedException',
          status: 400,
          message: denied(narrow.sessionArn, 'kms:DescribeKey', customerKey.Arn, 'no-identity'),
        });
        const blob = (
          await session.send(new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('x') }))
        ).CiphertextBlob;
        await expectAwsError(session.send(new DecryptCommand({ CiphertextBlob: blob })), {
          name: 'AccessDeniedException',
          status: 400,
          message: denied(narrow.sessionArn, 'kms:Decrypt', customerKey.Arn, 'no-identity'),
        });
        await expectAwsError(
          session.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: customerKey.Arn })),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(narrow.sessionArn, 'kms:ReEncryptFrom', customerKey.Arn, 'no-identity'),
          },
        );
      });

      it('applies the same rule within an account whose key policy delegates to IAM', async () => {
        const platformKey = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
          .KeyMetadata!;
        await expectAwsError(
          kmsFor(narrow).send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(narrow.sessionArn, 'kms:DescribeKey', platformKey.Arn!, 'no-identity'),
          },
        );
      });

      it('reports the denial rather than DryRunOperationException', async () => {
        const blob = (
          await kmsFor(narrow).send(new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('x') }))
        ).CiphertextBlob;
        await expectAwsError(
          kmsFor(narrow).send(new DecryptCommand({ CiphertextBlob: blob, DryRun: true })),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(narrow.sessionArn, 'kms:Decrypt', customerKey.Arn, 'no-identity'),
          },
        );
        /* Not in the key policy at all: the resource-based policy is what is missing. */
        await expectAwsError(
          kmsFor(narrow).send(
            new GenerateDataKeyCommand({ KeyId: customerKey.Arn, KeySpec: 'AES_256', DryRun: true }),
          ),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(narrow.sessionArn, 'kms:GenerateDataKey', customerKey.Arn, 'no-resource'),
          },
        );
        await expectAwsError(
          kmsFor(narrow).send(
            new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('x'), DryRun: true }),
          ),
          {
            name: 'DryRunOperationException',
            status: 400,
            message: 'The request would have succeeded, but the DryRun option is set.',
          },
        );
      });
    });

    it('names an explicit deny in the key policy, which beats every allow', async () => {
      const policy = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID), {
        Sid: 'NoDecryptForAdmin',
        Effect: 'Deny',
        Principal: { AWS: PLATFORM_ADMIN_ARN },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
      const key = await createKey(kms, { Policy: policy });
      const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('sealed') })))
        .CiphertextBlob;
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:iam::111122223333:user/admin is not authorized to perform: kms:Decrypt on resource: ${key.Arn} with an explicit deny in a resource-based policy`,
      });
      expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Arn).toBe(key.Arn);
    });

    it('lets a key policy grant a role directly, without any IAM policy', async () => {
      const bare = await assumeNewRole(box, platformAdmin(box), PLATFORM_ACCOUNT_ID);
      const key = await createKey(kms, {
        Policy: policyDocument(rootStatement(PLATFORM_ACCOUNT_ID), {
          Effect: 'Allow',
          Principal: { AWS: bare.roleArn },
          Action: 'kms:Encrypt',
          Resource: '*',
        }),
      });
      expect(
        (await kmsFor(bare).send(new EncryptCommand({ KeyId: key.Arn, Plaintext: bytes('direct') }))).KeyId,
      ).toBe(key.Arn);
      /* Decrypt is allowed only through the root statement, and the role has no IAM policy. */
      const blob = (await kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: bytes('direct') })))
        .CiphertextBlob;
      await expectAwsError(kmsFor(bare).send(new DecryptCommand({ CiphertextBlob: blob })), {
        name: 'AccessDeniedException',
        status: 400,
        message: denied(bare.sessionArn, 'kms:Decrypt', key.Arn, 'no-identity'),
      });
    });
  });

  describe('condition keys', () => {
    describe('kms:EncryptionContext:<key>', () => {
      let key: Key;
      let tenant: RoleSession;

      beforeAll(async () => {
        tenant = await assumeNewRole(box, platformAdmin(box), PLATFORM_ACCOUNT_ID);
        key = await createKey(kms, {
          Policy: policyDocument(
            {
              Sid: 'AdminManages',
              Effect: 'Allow',
              Principal: { AWS: PLATFORM_ADMIN_ARN },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'TenantAcmeOnly',
              Effect: 'Allow',
              Principal: { AWS: tenant.roleArn },
              Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'],
              Resource: '*',
              Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
            },
          ),
        });
      });

      it('allows requests whose encryption context meets the condition', async () => {
        const session = kmsFor(tenant);
        const encrypted = await session.send(
          new EncryptCommand({
            KeyId: key.Arn,
            Plaintext: bytes('acme data'),
            EncryptionContext: { tenant: 'acme', extra: 'ok' },
          }),
        );
        const decrypted = await session.send(
          new DecryptCommand({
            CiphertextBlob: encrypted.CiphertextBlob,
            EncryptionContext: { extra: 'ok', tenant: 'acme' },
          }),
        );
        expect(text(decrypted.Plaintext)).toBe('acme data');
        const dataKey = await session.send(
          new GenerateDataKeyCommand({
            KeyId: key.KeyId,
            KeySpec: 'AES_128',
            EncryptionContext: { tenant: 'acme' },
          }),
        );
        expect(dataKey.Plaintext).toHaveLength(16);
      });

      it('denies requests whose encryption context does not meet it, or has none', async () => {
        const session = kmsFor(tenant);
        const contexts: (Record<string, string> | undefined)[] = [
          { tenant: 'globex' },
          { tenant: 'ACME' },
          { other: 'acme' },
          undefined,
        ];
        for (const context of contexts) {
          await expectAwsError(
            session.send(
              new EncryptCommand({ KeyId: key.Arn, Plaintext: bytes('x'), EncryptionContext: context }),
            ),
            {
              name: 'AccessDeniedException',
              status: 400,
              message: denied(tenant.sessionArn, 'kms:Encrypt', key.Arn, 'no-resource'),
            },
          );
        }
        await expectAwsError(
          session.send(
            new GenerateDataKeyCommand({
              KeyId: key.Arn,
              KeySpec: 'AES_256',
              EncryptionContext: { tenant: 'globex' },
            }),
          ),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(tenant.sessionArn, 'kms:GenerateDataKey', key.Arn, 'no-resource'),
          },
        );
        const globexBlob = (
          await kms.send(
            new EncryptCommand({
              KeyId: key.Arn,
              Plaintext: bytes('globex data'),
              EncryptionContext: { tenant: 'globex' },
            }),
          )
        ).CiphertextBlob;
        await expectAwsError(
          session.send(
            new DecryptCommand({ CiphertextBlob: globexBlob, EncryptionContext: { tenant: 'globex' } }),
          ),
          {
            name: 'AccessDeniedException',
            status: 400,
            message: denied(tenant.sessionArn, 'kms:Decrypt', key.Arn, 'no-resource'),
          },
        );
      });

      it('matches the context key in the condition key name case-insensitively', async () => {
        const mixedCase = await createKey(kms, {
          Policy: policyDocument(
            { Effect: 'Allow', Principal: { AWS: PLATFORM_ADMIN_ARN }, Action: 'kms:*', Resource: '*' },
            {
              Effect: 'Allow',
              Principal: { AWS: tenant.roleArn },
              Action: 'kms:Encrypt',
              Resource: '*',
              Condition: { StringEquals: { 'kms:EncryptionContext:Tenant': 'acme' } },
            },
          ),
        });
        expect(
          (
            await kmsFor(tenant).send(
              new EncryptCommand({
                KeyId: mixedCase.Arn,
                Plaintext: bytes('x'),
                EncryptionContext: { tenant: 'acme' },
              }),
            )
          ).KeyId,
        ).toBe(mixedCase.Arn);
      });
    });

    describe('kms:CallerAccount', () => {
      const callerAccountPolicy = (account: string) =>
        policyDocument(rootStatement(CUSTOMER_ACCOUNT_ID), {
          Sid: 'AnyPrincipalOfOneAccount',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: ['kms:DescribeKey', 'kms:Encrypt'],
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': account } },
        });

      it('allows callers from the named account', async () => {
        const key = await createKey(customerKms, { Policy: callerAccountPolicy(PLATFORM_ACCOUNT_ID) });
        expect((await kms.send(new DescribeKeyCommand({ KeyId: key.Arn }))).KeyMetadata!.AWSAccountId).toBe(
          CUSTOMER_ACCOUNT_ID,
        );
        expect((await kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: bytes('x') }))).KeyId).toBe(
          key.Arn,
        );
        /* Decrypt is not in the statement. */
        const blob = (await kms.send(new EncryptCommand({ KeyId: key.Arn, Plaintext: bytes('x') })))
          .CiphertextBlob;
        await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), {
          name: 'AccessDeniedException',
          status: 400,
          message: denied(PLATFORM_ADMIN_ARN, 'kms:Decrypt', key.Arn, 'no-resource'),
        });
      });

      it('denies callers from any other account', async () => {
        const key = await createKey(customerKms, { Policy: callerAccountPolicy('999988887777') });
        await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: key.Arn })), {
          name: 'AccessDeniedException',
          status: 400,
          message: denied(PLATFORM_ADMIN_ARN, 'kms:DescribeKey', key.Arn, 'no-resource'),
        });
        /* The owner still has its root statement. */
        expect((await customerKms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Arn).toBe(
          keyArn(CUSTOMER_ACCOUNT_ID, key.KeyId),
        );
      });
    });
  });
});
