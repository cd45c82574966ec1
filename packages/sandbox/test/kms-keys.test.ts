import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ScheduleKeyDeletionCommand,
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
import {
  aliasArn,
  bytes,
  createKey,
  keyArn,
  MATERIAL_ID,
  policyDocument,
  rootArn,
  rootStatement,
  text,
  UUID,
} from './kms-fixtures.js';
import { kmsCall } from './signed-request.js';

const MISSING_UUID = '0b0c7f2e-1f3a-4c5d-9e8f-a1b2c3d4e5f6';

describe('KMS keys: CreateKey, DescribeKey, ListKeys and key identifiers', () => {
  let box: RunningSandbox;
  let kms: KMSClient;
  let customerKms: KMSClient;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
    customerKms = clients(box, customerAdmin(box)).kms;
  });
  afterAll(() => box.close());

  describe('CreateKey', () => {
    it('returns the KeyMetadata real KMS returns for a default symmetric key', async () => {
      const before = box.clock.now();
      const key = await createKey(kms);
      const after = box.clock.now();
      expect(key.KeyId).toMatch(UUID);
      expect(key).toEqual({
        AWSAccountId: PLATFORM_ACCOUNT_ID,
        KeyId: key.KeyId,
        Arn: keyArn(PLATFORM_ACCOUNT_ID, key.KeyId),
        CreationDate: expect.any(Date),
        Enabled: true,
        Description: '',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: 'Enabled',
        Origin: 'AWS_KMS',
        KeyManager: 'CUSTOMER',
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
        CurrentKeyMaterialId: expect.stringMatching(MATERIAL_ID),
      });
      /* Epoch seconds on the wire: allow for sub-second rounding either way. */
      expect(key.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect(key.CreationDate!.getTime()).toBeLessThanOrEqual(after + 1000);
    });

    it('gives a key created without a policy AWS default policy (account root, kms:*)', async () => {
      const key = await createKey(kms);
      const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }));
      expect(policy.PolicyName).toBe('default');
      expect(JSON.parse(policy.Policy!)).toEqual({
        Version: '2012-10-17',
        Id: 'key-default-1',
        Statement: [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::111122223333:root' },
            Action: 'kms:*',
            Resource: '*',
          },
        ],
      });
    });

    it("names the caller's own account root in the default policy", async () => {
      const key = await createKey(customerKms);
      expect(key.AWSAccountId).toBe(CUSTOMER_ACCOUNT_ID);
      expect(key.Arn).toBe(keyArn(CUSTOMER_ACCOUNT_ID, key.KeyId));
      const policy = JSON.parse(
        (await customerKms.send(new GetKeyPolicyCommand({ KeyId: key.Arn }))).Policy!,
      );
      expect(policy.Statement[0].Principal).toEqual({ AWS: 'arn:aws:iam::444455556666:root' });
    });

    it('keeps the description, tags and policy it was given', async () => {
      const policy = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID));
      const key = await createKey(kms, {
        Description: 'tenant acme',
        Tags: [{ TagKey: 'tenant', TagValue: 'acme' }],
        Policy: policy,
      });
      expect(key.Description).toBe('tenant acme');
      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(described.KeyMetadata!.Description).toBe('tenant acme');
      const tags = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(tags.Tags).toEqual([{ TagKey: 'tenant', TagValue: 'acme' }]);
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId }))).Policy).toBe(policy);
    });

    it('creates asymmetric and HMAC keys as metadata, with the usage they were given', async () => {
      const hmac = await createKey(kms, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' });
      expect(hmac).toMatchObject({
        KeySpec: 'HMAC_256',
        KeyUsage: 'GENERATE_VERIFY_MAC',
        MacAlgorithms: ['HMAC_SHA_256'],
      });
      expect(hmac.EncryptionAlgorithms).toBeUndefined();
      const rsa = await createKey(kms, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
      expect(rsa.EncryptionAlgorithms).toEqual(['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256']);
      await expectAwsError(kms.send(new EncryptCommand({ KeyId: rsa.KeyId, Plaintext: bytes('x') })), {
        name: 'InvalidKeyUsageException',
        message: `${rsa.Arn!} key spec is RSA_2048 which is not valid for Encrypt.`,
      });
    });

    it('requires KeyUsage for every key spec but SYMMETRIC_DEFAULT, and a usage the spec supports', async () => {
      await expectAwsError(kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256' })), {
        name: 'ValidationException',
        status: 400,
        message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.',
      });
      await expectAwsError(
        kms.send(new CreateKeyCommand({ KeySpec: 'HMAC_256', KeyUsage: 'ENCRYPT_DECRYPT' })),
        { name: 'ValidationException', status: 400 },
      );
    });
  });

  describe('DescribeKey', () => {
    it('accepts the key ID, the key ARN, the alias name and the alias ARN', async () => {
      const key = await createKey(kms);
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/describe-me', TargetKeyId: key.KeyId }));
      for (const keyId of [
        key.KeyId,
        key.Arn,
        'alias/describe-me',
        aliasArn(PLATFORM_ACCOUNT_ID, 'alias/describe-me'),
      ]) {
        const described = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
        expect(described.KeyMetadata!.KeyId, keyId).toBe(key.KeyId);
        expect(described.KeyMetadata!.Arn, keyId).toBe(key.Arn);
        expect(described.KeyMetadata!.CurrentKeyMaterialId, keyId).toBe(key.CurrentKeyMaterialId);
      }
    });

    it('describes the seeded platform key by its alias', async () => {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
      expect(described.KeyMetadata!.AWSAccountId).toBe(PLATFORM_ACCOUNT_ID);
      expect(described.KeyMetadata!.Description).toBe('Keyward platform key (tenants without BYOK)');
      expect(described.KeyMetadata!.KeyState).toBe('Enabled');
    });

    it('reports a malformed key ID as "Invalid keyId"', async () => {
      for (const keyId of ['fake-key-id', MISSING_UUID.replaceAll('-', ''), 'mrk-fake']) {
        await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyId })), {
          name: 'NotFoundException',
          status: 400,
          message: `Invalid keyId '${keyId}'`,
        });
      }
    });

    it("reports an unknown key, by ID or ARN, with the full key ARN in the caller's account", async () => {
      const arn = keyArn(PLATFORM_ACCOUNT_ID, MISSING_UUID);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: MISSING_UUID })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${arn}' does not exist`,
      });
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: arn })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${arn}' does not exist`,
      });
    });

    it('reports a key ARN from another region as "Invalid arn <region>"', async () => {
      const key = await createKey(kms);
      await expectAwsError(
        kms.send(new DescribeKeyCommand({ KeyId: keyArn(PLATFORM_ACCOUNT_ID, key.KeyId, 'us-west-2') })),
        {
          name: 'NotFoundException',
          status: 400,
          message: 'Invalid arn us-west-2',
        },
      );
      await expectAwsError(
        kms.send(
          new EncryptCommand({
            KeyId: keyArn(PLATFORM_ACCOUNT_ID, key.KeyId, 'eu-west-1'),
            Plaintext: bytes('x'),
          }),
        ),
        {
          name: 'NotFoundException',
          status: 400,
          message: 'Invalid arn eu-west-1',
        },
      );
    });

    it('reports a missing alias, by name or ARN, with the alias ARN', async () => {
      const arn = aliasArn(PLATFORM_ACCOUNT_ID, 'alias/x');
      const expected = { name: 'NotFoundException', status: 400, message: `Alias ${arn} is not found.` };
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/x' })), expected);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: arn })), expected);
    });
  });

  describe('keys of another account', () => {
    let customerKey: Awaited<ReturnType<typeof createKey>>;

    beforeAll(async () => {
      const policy = policyDocument(rootStatement(CUSTOMER_ACCOUNT_ID), {
        Sid: 'AllowPlatformUse',
        Effect: 'Allow',
        Principal: { AWS: rootArn(PLATFORM_ACCOUNT_ID) },
        Action: ['kms:DescribeKey', 'kms:Encrypt', 'kms:Decrypt', 'kms:GetKeyRotationStatus'],
        Resource: '*',
      });
      customerKey = await createKey(customerKms, { Policy: policy });
      await customerKms.send(
        new CreateAliasCommand({ AliasName: 'alias/customer-byok', TargetKeyId: customerKey.KeyId }),
      );
    });

    it("resolves a bare key ID in the caller's own account, where it does not exist", async () => {
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: customerKey.KeyId })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${keyArn(PLATFORM_ACCOUNT_ID, customerKey.KeyId)}' does not exist`,
      });
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: customerKey.KeyId, Plaintext: bytes('x') })),
        {
          name: 'NotFoundException',
          status: 400,
          message: `Key '${keyArn(PLATFORM_ACCOUNT_ID, customerKey.KeyId)}' does not exist`,
        },
      );
    });

    it("resolves a bare alias name in the caller's own account", async () => {
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/customer-byok' })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/customer-byok')} is not found.`,
      });
    });

    it('uses the key by key ARN or alias ARN when the key policy and IAM allow it', async () => {
      const described = await kms.send(new DescribeKeyCommand({ KeyId: customerKey.Arn }));
      expect(described.KeyMetadata!.AWSAccountId).toBe(CUSTOMER_ACCOUNT_ID);
      expect(described.KeyMetadata!.KeyId).toBe(customerKey.KeyId);
      const byAlias = await kms.send(
        new DescribeKeyCommand({ KeyId: aliasArn(CUSTOMER_ACCOUNT_ID, 'alias/customer-byok') }),
      );
      expect(byAlias.KeyMetadata!.Arn).toBe(customerKey.Arn);

      const encrypted = await kms.send(
        new EncryptCommand({ KeyId: customerKey.Arn, Plaintext: bytes('cross-account') }),
      );
      expect(encrypted.KeyId).toBe(customerKey.Arn);
      const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
      expect(decrypted.KeyId).toBe(customerKey.Arn);
      expect(text(decrypted.Plaintext)).toBe('cross-account');
      const rotation = await kms.send(new GetKeyRotationStatusCommand({ KeyId: customerKey.Arn }));
      expect(rotation).toMatchObject({ KeyId: customerKey.Arn, KeyRotationEnabled: false });
      /* The owner reads what the platform wrote. */
      const ownerDecrypted = await customerKms.send(
        new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }),
      );
      expect(text(ownerDecrypted.Plaintext)).toBe('cross-account');
    });
  });

  describe('regions', () => {
    it('keeps keys and aliases in the region they were created in', async () => {
      const west = clients(box, platformAdmin(box), 'us-west-2').kms;
      const westKey = await createKey(west);
      expect(westKey.Arn).toBe(keyArn(PLATFORM_ACCOUNT_ID, westKey.KeyId, 'us-west-2'));
      await west.send(
        new CreateAliasCommand({ AliasName: 'alias/keyward-platform', TargetKeyId: westKey.KeyId }),
      );
      expect(
        (await west.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }))).KeyMetadata!.Arn,
      ).toBe(westKey.Arn);
      expect(
        (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }))).KeyMetadata!.Arn,
      ).not.toBe(westKey.Arn);

      expect((await west.send(new ListKeysCommand({}))).Keys).toEqual([
        { KeyId: westKey.KeyId, KeyArn: westKey.Arn },
      ]);
      expect((await kms.send(new ListKeysCommand({}))).Keys!.map((entry) => entry.KeyId)).not.toContain(
        westKey.KeyId,
      );
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: westKey.KeyId })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${keyArn(PLATFORM_ACCOUNT_ID, westKey.KeyId)}' does not exist`,
      });
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: westKey.Arn })), {
        name: 'NotFoundException',
        status: 400,
        message: 'Invalid arn us-west-2',
      });

      /* A ciphertext names its key; in another region that key does not exist. */
      const blob = (await west.send(new EncryptCommand({ KeyId: westKey.KeyId, Plaintext: bytes('west') })))
        .CiphertextBlob;
      expect(text((await west.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('west');
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), {
        name: 'AccessDeniedException',
        status: 400,
        message:
          'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
      });
    });
  });

  describe('ListKeys', () => {
    it("lists only the caller's keys in the region, as KeyId and KeyArn", async () => {
      const customerKey = await createKey(customerKms);
      const platform = await kms.send(new ListKeysCommand({}));
      const customer = await customerKms.send(new ListKeysCommand({}));
      expect(platform.Truncated).toBe(false);
      expect(platform.NextMarker).toBeUndefined();
      for (const entry of platform.Keys!)
        expect(entry.KeyArn).toBe(keyArn(PLATFORM_ACCOUNT_ID, entry.KeyId!));
      for (const entry of customer.Keys!)
        expect(entry.KeyArn).toBe(keyArn(CUSTOMER_ACCOUNT_ID, entry.KeyId!));
      expect(customer.Keys!.map((entry) => entry.KeyId)).toContain(customerKey.KeyId);
      expect(platform.Keys!.map((entry) => entry.KeyId)).not.toContain(customerKey.KeyId);
    });

    it('pages with Limit and Marker, flagging Truncated with a NextMarker until the last page', async () => {
      for (let index = 0; index < 5; index++) await createKey(kms, { Description: `page key ${index}` });
      const all = (await kms.send(new ListKeysCommand({}))).Keys!.map((entry) => entry.KeyId);
      expect(all.length).toBeGreaterThanOrEqual(6);

      const paged: (string | undefined)[] = [];
      let marker: string | undefined;
      let pages = 0;
      do {
        const page = await kms.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
        pages++;
        expect(page.Keys!.length).toBeLessThanOrEqual(2);
        paged.push(...page.Keys!.map((entry) => entry.KeyId));
        if (page.Truncated) {
          expect(page.NextMarker).toEqual(expect.any(String));
          expect(page.Keys).toHaveLength(2);
        } else {
          expect(page.NextMarker).toBeUndefined();
        }
        marker = page.NextMarker;
      } while (marker !== undefined);
      expect(pages).toBe(Math.ceil(all.length / 2));
      expect(paged).toEqual(all);
    });

    it('refuses a marker it did not issue', async () => {
      await expectAwsError(kms.send(new ListKeysCommand({ Marker: 'not-a-marker' })), {
        name: 'InvalidMarkerException',
        status: 400,
      });
    });

    it('drops a key deleted after its window from the list', async () => {
      const doomed = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
      const pending = (await kms.send(new ListKeysCommand({}))).Keys!.map((entry) => entry.KeyId);
      expect(pending).toContain(doomed.KeyId);
      box.clock.advance(8 * 86_400_000);
      const after = (await kms.send(new ListKeysCommand({}))).Keys!.map((entry) => entry.KeyId);
      expect(after).not.toContain(doomed.KeyId);
      expect(after.length).toBe(pending.length - 1);
    });
  });

  describe('timestamps', () => {
    it('sends CreationDate as epoch seconds, a JSON number, which the SDK turns into a Date', async () => {
      const key = await createKey(kms);
      const raw = await kmsCall(
        box.endpoint,
        platformAdmin(box),
        'TrentService.DescribeKey',
        JSON.stringify({ KeyId: key.KeyId }),
      );
      expect(raw.status).toBe(200);
      expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      const metadata = JSON.parse(raw.text).KeyMetadata;
      expect(typeof metadata.CreationDate).toBe('number');
      expect(metadata.CreationDate * 1000).toBeCloseTo(key.CreationDate!.getTime(), -1);

      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(described.KeyMetadata!.CreationDate).toBeInstanceOf(Date);
      expect(described.KeyMetadata!.CreationDate!.getTime()).toBe(key.CreationDate!.getTime());
    });

    it('sends DeletionDate as a Date, 30 days (the default window) after scheduling', async () => {
      const key = await createKey(kms);
      const before = box.clock.now();
      const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      const after = box.clock.now();
      expect(scheduled.DeletionDate).toBeInstanceOf(Date);
      expect(scheduled.PendingWindowInDays).toBe(30);
      expect(scheduled.DeletionDate!.getTime()).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
      expect(scheduled.DeletionDate!.getTime()).toBeLessThanOrEqual(after + 30 * 86_400_000 + 1000);
      const described = await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
      expect(described.KeyMetadata!.DeletionDate).toBeInstanceOf(Date);
      expect(described.KeyMetadata!.DeletionDate!.getTime()).toBe(scheduled.DeletionDate!.getTime());

      const raw = await kmsCall(
        box.endpoint,
        platformAdmin(box),
        'TrentService.DescribeKey',
        JSON.stringify({ KeyId: key.KeyId }),
      );
      expect(typeof JSON.parse(raw.text).KeyMetadata.DeletionDate).toBe('number');
    });
  });
});
