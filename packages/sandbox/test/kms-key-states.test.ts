import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ListAliasesCommand,
  PutKeyPolicyCommand,
  ReEncryptCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import {
  clients,
  expectAwsError,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
} from '@keyward/test-kit/sandbox-clients';
import { aliasArn, bytes, createKey, DAY_MS, policyDocument, rootStatement, text } from './kms-fixtures.js';

describe('KMS key states: EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion', () => {
  let box: RunningSandbox;
  let kms: KMSClient;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
  });
  afterAll(() => box.close());

  const describeKey = async (keyId: string) =>
    (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;

  describe('a disabled key', () => {
    it('reports Disabled and refuses every cryptographic operation with DisabledException', async () => {
      const key = await createKey(kms);
      const other = await createKey(kms);
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/soon-disabled', TargetKeyId: key.KeyId }));
      const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('before') })))
        .CiphertextBlob;
      const otherBlob = (
        await kms.send(new EncryptCommand({ KeyId: other.KeyId, Plaintext: bytes('other') }))
      ).CiphertextBlob;

      expect(await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }))).toMatchObject({
        $metadata: { httpStatusCode: 200 },
      });
      const metadata = await describeKey(key.KeyId);
      expect(metadata.KeyState).toBe('Disabled');
      expect(metadata.Enabled).toBe(false);
      expect(metadata.DeletionDate).toBeUndefined();

      const disabled = { name: 'DisabledException', status: 400, message: `${key.Arn} is disabled.` };
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })),
        disabled,
      );
      /* Named by alias, the message still gives the key ARN. */
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: 'alias/soon-disabled', Plaintext: bytes('x') })),
        disabled,
      );
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), disabled);
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeyId: key.Arn, KeySpec: 'AES_256' })),
        disabled,
      );
      await expectAwsError(
        kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, NumberOfBytes: 32 })),
        disabled,
      );
      await expectAwsError(
        kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other.KeyId })),
        disabled,
      );
      await expectAwsError(
        kms.send(new ReEncryptCommand({ CiphertextBlob: otherBlob, DestinationKeyId: key.KeyId })),
        disabled,
      );
      /* DescribeKey works in every state. */
      expect((await describeKey('alias/soon-disabled')).KeyId).toBe(key.KeyId);
    });

    it('works again after EnableKey, and old ciphertexts still decrypt', async () => {
      const key = await createKey(kms);
      const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('kept') })))
        .CiphertextBlob;
      await kms.send(new DisableKeyCommand({ KeyId: key.Arn }));
      await kms.send(new EnableKeyCommand({ KeyId: key.Arn }));
      const metadata = await describeKey(key.KeyId);
      expect(metadata.KeyState).toBe('Enabled');
      expect(metadata.Enabled).toBe(true);
      expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: blob }))).Plaintext)).toBe('kept');
    });

    it('may be disabled or enabled twice (both calls are idempotent)', async () => {
      const key = await createKey(kms);
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      expect((await describeKey(key.KeyId)).KeyState).toBe('Disabled');
      await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      expect((await describeKey(key.KeyId)).KeyState).toBe('Enabled');
    });
  });

  describe('a key pending deletion', () => {
    it('reports PendingDeletion with a DeletionDate and refuses use with KMSInvalidStateException', async () => {
      const key = await createKey(kms);
      const other = await createKey(kms);
      const blob = (await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })))
        .CiphertextBlob;
      const scheduled = await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }),
      );
      expect(scheduled.KeyId).toBe(key.Arn);
      expect(scheduled.KeyState).toBe('PendingDeletion');
      expect(scheduled.PendingWindowInDays).toBe(7);
      expect(scheduled.DeletionDate).toBeInstanceOf(Date);

      const metadata = await describeKey(key.Arn);
      expect(metadata.KeyState).toBe('PendingDeletion');
      expect(metadata.Enabled).toBe(false);
      expect(metadata.DeletionDate!.getTime()).toBe(scheduled.DeletionDate!.getTime());

      const pending = {
        name: 'KMSInvalidStateException',
        status: 400,
        message: `${key.Arn} is pending deletion.`,
      };
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })),
        pending,
      );
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob })), pending);
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_128' })),
        pending,
      );
      await expectAwsError(
        kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })),
        pending,
      );
      await expectAwsError(
        kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: other.KeyId })),
        pending,
      );
      await expectAwsError(kms.send(new EnableKeyCommand({ KeyId: key.KeyId })), pending);
      await expectAwsError(kms.send(new DisableKeyCommand({ KeyId: key.KeyId })), pending);
      await expectAwsError(
        kms.send(
          new PutKeyPolicyCommand({
            KeyId: key.KeyId,
            Policy: policyDocument(rootStatement(PLATFORM_ACCOUNT_ID)),
          }),
        ),
        pending,
      );
      await expectAwsError(
        kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })),
        pending,
      );
    });

    it('refuses to schedule the deletion twice', async () => {
      const key = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 }));
      await expectAwsError(
        kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 10 })),
        {
          name: 'KMSInvalidStateException',
          status: 400,
          message: `${key.Arn} is pending deletion.`,
        },
      );
    });

    it('can be scheduled from Disabled', async () => {
      const key = await createKey(kms);
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const scheduled = await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 }),
      );
      expect(scheduled.KeyState).toBe('PendingDeletion');
      expect((await describeKey(key.KeyId)).KeyState).toBe('PendingDeletion');
    });

    it('is left Disabled, without a DeletionDate, by CancelKeyDeletion', async () => {
      const key = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      const cancelled = await kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
      expect(cancelled.KeyId).toBe(key.Arn);
      const metadata = await describeKey(key.KeyId);
      expect(metadata.KeyState).toBe('Disabled');
      expect(metadata.Enabled).toBe(false);
      expect(metadata.DeletionDate).toBeUndefined();
      await expectAwsError(kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') })), {
        name: 'DisabledException',
        status: 400,
        message: `${key.Arn} is disabled.`,
      });
      await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
      expect((await kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes('x') }))).KeyId).toBe(
        key.Arn,
      );
    });

    it('refuses CancelKeyDeletion on a key that is not pending deletion', async () => {
      const key = await createKey(kms);
      await expectAwsError(kms.send(new CancelKeyDeletionCommand({ KeyId: key.Arn })), {
        name: 'KMSInvalidStateException',
        status: 400,
        message: `${key.Arn} is not pending deletion.`,
      });
    });

    it('takes a PendingWindowInDays from 7 to 30 only', async () => {
      const key = await createKey(kms);
      for (const days of [6, 31]) {
        await expectAwsError(
          kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: days })),
          {
            name: 'ValidationException',
            status: 400,
            message: `PendingWindowInDays should be between 7 and 30, but it is ${days}`,
          },
        );
      }
      /* Outside the model's 1–365 range it is the front end's validation error. */
      await expectAwsError(
        kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 0 })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1",
        },
      );
      expect((await describeKey(key.KeyId)).KeyState).toBe('Enabled');
      const scheduled = await kms.send(
        new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 30 }),
      );
      expect(scheduled.PendingWindowInDays).toBe(30);
    });
  });

  describe('after the deletion window', () => {
    it('the key and its aliases are gone; a key with a longer window is not', async () => {
      const doomed = await createKey(kms);
      const survivor = await createKey(kms);
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.KeyId }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/survivor', TargetKeyId: survivor.KeyId }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: survivor.KeyId, PendingWindowInDays: 30 }));

      /* Within the window the key, and its alias, are still there. */
      box.clock.advance(6 * DAY_MS);
      expect((await describeKey('alias/doomed')).KeyState).toBe('PendingDeletion');

      box.clock.advance(2 * DAY_MS);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: doomed.KeyId })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${doomed.Arn}' does not exist`,
      });
      await expectAwsError(kms.send(new CancelKeyDeletionCommand({ KeyId: doomed.Arn })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${doomed.Arn}' does not exist`,
      });
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/doomed' })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/doomed')} is not found.`,
      });
      const aliases = (await kms.send(new ListAliasesCommand({}))).Aliases!.map((alias) => alias.AliasName);
      expect(aliases).not.toContain('alias/doomed');
      expect(aliases).toContain('alias/survivor');
      expect((await describeKey('alias/survivor')).KeyState).toBe('PendingDeletion');
    });

    it('a 30-day window ends after 30 days', async () => {
      const key = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      box.clock.advance(29 * DAY_MS);
      expect((await describeKey(key.KeyId)).KeyState).toBe('PendingDeletion');
      box.clock.advance(2 * DAY_MS);
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: key.Arn })), {
        name: 'NotFoundException',
        status: 400,
        message: `Key '${key.Arn}' does not exist`,
      });
    });
  });
});
