import {
  CreateAliasCommand,
  DecryptCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  ReEncryptCommand,
  type EncryptCommandInput,
  type GenerateDataKeyCommandInput,
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
import { aliasArn, bytes, createKey, MATERIAL_ID, text } from './kms-fixtures.js';
import { kmsCall } from './signed-request.js';

type Key = Awaited<ReturnType<typeof createKey>>;

/**
 * The SDK reports an error sent without a message (InvalidCiphertextException has none, as in
 * AWS) as "UnknownError"; the raw body is checked separately below.
 */
const INVALID_CIPHERTEXT = { name: 'InvalidCiphertextException', status: 400, message: 'UnknownError' };
const DRY_RUN = {
  name: 'DryRunOperationException',
  status: 400,
  message: 'The request would have succeeded, but the DryRun option is set.',
};

describe('KMS cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey*', () => {
  let box: RunningSandbox;
  let kms: KMSClient;
  let keyA: Key;
  let keyB: Key;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
    keyA = await createKey(kms, { Description: 'key A' });
    keyB = await createKey(kms, { Description: 'key B' });
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/key-a', TargetKeyId: keyA.KeyId }));
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/key-b', TargetKeyId: keyB.KeyId }));
  });
  afterAll(() => box.close());

  const encrypt = async (keyId: string, plaintext: string, context?: Record<string, string>) =>
    (
      await kms.send(
        new EncryptCommand({ KeyId: keyId, Plaintext: bytes(plaintext), EncryptionContext: context }),
      )
    ).CiphertextBlob!;

  describe('Encrypt and Decrypt', () => {
    it('round-trips under the key ID, key ARN, alias name and alias ARN', async () => {
      for (const keyId of [
        keyA.KeyId,
        keyA.Arn,
        'alias/key-a',
        aliasArn(PLATFORM_ACCOUNT_ID, 'alias/key-a'),
      ]) {
        const encrypted = await kms.send(
          new EncryptCommand({ KeyId: keyId, Plaintext: bytes(`secret via ${keyId}`) }),
        );
        expect(encrypted.KeyId, keyId).toBe(keyA.Arn);
        expect(encrypted.EncryptionAlgorithm, keyId).toBe('SYMMETRIC_DEFAULT');
        expect(encrypted.CiphertextBlob!.length, keyId).toBeGreaterThan(`secret via ${keyId}`.length);
        expect(
          Buffer.from(encrypted.CiphertextBlob!).includes(Buffer.from(`secret via ${keyId}`)),
          keyId,
        ).toBe(false);

        const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
        expect(decrypted.KeyId, keyId).toBe(keyA.Arn);
        expect(text(decrypted.Plaintext), keyId).toBe(`secret via ${keyId}`);
        expect(decrypted.EncryptionAlgorithm, keyId).toBe('SYMMETRIC_DEFAULT');
        expect(decrypted.KeyMaterialId, keyId).toBe(keyA.CurrentKeyMaterialId);
      }
    });

    it('gives a different ciphertext for each encryption of the same plaintext', async () => {
      const first = await encrypt(keyA.KeyId, 'same');
      const second = await encrypt(keyA.KeyId, 'same');
      expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
    });

    it('accepts a KeyId on Decrypt in any form that names the same key', async () => {
      const blob = await encrypt(keyA.KeyId, 'named');
      for (const keyId of [
        keyA.KeyId,
        keyA.Arn,
        'alias/key-a',
        aliasArn(PLATFORM_ACCOUNT_ID, 'alias/key-a'),
      ]) {
        const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId }));
        expect(text(decrypted.Plaintext), keyId).toBe('named');
      }
    });

    it('refuses a Decrypt KeyId naming a different key with IncorrectKeyException', async () => {
      const blob = await encrypt(keyA.KeyId, 'mine');
      for (const keyId of [keyB.KeyId, 'alias/key-b']) {
        await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: keyId })), {
          name: 'IncorrectKeyException',
          status: 400,
          message: 'The key ID in the request does not identify a CMK that can perform this operation.',
        });
      }
    });

    it('takes up to 4096 bytes of plaintext', async () => {
      const plaintext = Buffer.alloc(4096, 7);
      const encrypted = await kms.send(new EncryptCommand({ KeyId: keyA.KeyId, Plaintext: plaintext }));
      const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
      expect(Buffer.from(decrypted.Plaintext!).equals(plaintext)).toBe(true);

      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: keyA.KeyId, Plaintext: Buffer.alloc(4097, 7) })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
        },
      );
    });

    it('requires a KeyId on Encrypt and GenerateDataKey', async () => {
      const missingKeyId =
        "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null";
      await expectAwsError(kms.send(new EncryptCommand({ Plaintext: bytes('x') } as EncryptCommandInput)), {
        name: 'ValidationException',
        status: 400,
        message: missingKeyId,
      });
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeySpec: 'AES_256' } as GenerateDataKeyCommandInput)),
        {
          name: 'ValidationException',
          status: 400,
          message: missingKeyId,
        },
      );
    });

    it('reports an unknown alias on Encrypt with the alias ARN', async () => {
      await expectAwsError(kms.send(new EncryptCommand({ KeyId: 'alias/nope', Plaintext: bytes('x') })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/nope')} is not found.`,
      });
    });
  });

  describe('ciphertext authentication and encryption context', () => {
    const context = { tenant: 'acme', purpose: 'tests' };
    let blob: Uint8Array;

    beforeAll(async () => {
      blob = await encrypt(keyA.KeyId, 'bound to context', context);
    });

    it('decrypts with exactly the same context, in any pair order', async () => {
      const decrypted = await kms.send(
        new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { purpose: 'tests', tenant: 'acme' } }),
      );
      expect(text(decrypted.Plaintext)).toBe('bound to context');
    });

    it('refuses a wrong, missing, partial, extended or differently-cased context', async () => {
      const wrong: (Record<string, string> | undefined)[] = [
        { tenant: 'globex', purpose: 'tests' },
        undefined,
        {},
        { tenant: 'acme' },
        { ...context, extra: 'pair' },
        { Tenant: 'acme', purpose: 'tests' },
        { tenant: 'ACME', purpose: 'tests' },
      ];
      for (const encryptionContext of wrong) {
        await expectAwsError(
          kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: encryptionContext })),
          INVALID_CIPHERTEXT,
        );
      }
    });

    it('refuses a context on a ciphertext encrypted without one', async () => {
      const plain = await encrypt(keyA.KeyId, 'no context');
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: plain, EncryptionContext: { tenant: 'acme' } })),
        INVALID_CIPHERTEXT,
      );
      expect(text((await kms.send(new DecryptCommand({ CiphertextBlob: plain }))).Plaintext)).toBe(
        'no context',
      );
    });

    it('keeps {"ab":"c"} and {"a":"bc"} apart', async () => {
      const joined = await encrypt(keyA.KeyId, 'ambiguous?', { ab: 'c' });
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: joined, EncryptionContext: { a: 'bc' } })),
        INVALID_CIPHERTEXT,
      );
    });

    it('refuses a tampered or truncated ciphertext', async () => {
      /* The version byte, the header length, the key material ID, the IV, the ciphertext and the tag. */
      const headerLength = 3 + keyA.Arn.length + 32;
      /* Every byte of the key ARN in the header too: a changed ARN is a tampered blob, not "no such key". */
      const arnBytes = Array.from({ length: keyA.Arn.length }, (_, i) => 3 + i);
      for (const index of [
        0,
        1,
        ...arnBytes,
        headerLength - 5,
        headerLength + 2,
        headerLength + 14,
        headerLength + 30,
        blob.length - 1,
      ]) {
        const tampered = Buffer.from(blob);
        tampered[index] = tampered[index]! ^ 0x01;
        await expectAwsError(
          kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })),
          INVALID_CIPHERTEXT,
        );
      }
      await expectAwsError(
        kms.send(
          new DecryptCommand({
            CiphertextBlob: blob.subarray(0, blob.length - 1),
            EncryptionContext: context,
          }),
        ),
        INVALID_CIPHERTEXT,
      );
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: blob.subarray(0, 10), EncryptionContext: context })),
        INVALID_CIPHERTEXT,
      );
      await expectAwsError(
        kms.send(
          new DecryptCommand({ CiphertextBlob: bytes('garbage that is not a ciphertext blob at all') }),
        ),
        INVALID_CIPHERTEXT,
      );
    });

    it("refuses another sandbox's ciphertext for a key with the same ARN", async () => {
      const seed = {
        accounts: [
          {
            id: '111122223333',
            users: [
              {
                name: 'admin',
                accessKeys: [{ id: 'AKIA111122223333ADMN', secret: 'sandbox-secret-111122223333' }],
                managedPolicies: ['AdministratorAccess'],
              },
            ],
            keys: [{ id: '5d2b2f0e-8c1a-4f3e-9b7d-0a1b2c3d4e5f' }],
          },
        ],
      };
      const [first, second] = [await sandbox({ seed }), await sandbox({ seed })];
      try {
        const firstKms = clients(first, platformAdmin(first)).kms;
        const sealed = await firstKms.send(
          new EncryptCommand({ KeyId: '5d2b2f0e-8c1a-4f3e-9b7d-0a1b2c3d4e5f', Plaintext: bytes('x') }),
        );
        await expectAwsError(
          clients(second, platformAdmin(second)).kms.send(
            new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob }),
          ),
          INVALID_CIPHERTEXT,
        );
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });

    it('sends InvalidCiphertextException with no message on the wire', async () => {
      const raw = await kmsCall(
        box.endpoint,
        platformAdmin(box),
        'TrentService.Decrypt',
        JSON.stringify({ CiphertextBlob: Buffer.from(blob).toString('base64') }),
      );
      expect(raw.status).toBe(400);
      expect(JSON.parse(raw.text)).toEqual({ __type: 'InvalidCiphertextException' });
    });
  });

  describe('the trail', () => {
    it('records the key, caller and encryption context of each call, and the error code of failures', async () => {
      const blob = await encrypt(keyB.KeyId, 'traced', { trace: 'yes' });
      const encrypts = box.trail.query({ operation: 'Encrypt', keyArn: keyB.Arn });
      expect(encrypts.at(-1)).toMatchObject({
        service: 'kms',
        region: 'us-east-1',
        account: PLATFORM_ACCOUNT_ID,
        principalArn: 'arn:aws:iam::111122223333:user/admin',
        encryptionContext: { trace: 'yes' },
        outcome: 'success',
      });
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { trace: 'no' } })),
        INVALID_CIPHERTEXT,
      );
      const failed = box.trail.query({ operation: 'Decrypt', keyArn: keyB.Arn, outcome: 'error' });
      expect(failed.at(-1)).toMatchObject({
        errorCode: 'InvalidCiphertextException',
        encryptionContext: { trace: 'no' },
      });
      expect(failed.at(-1)!.errorMessage).toBeUndefined();
      expect(JSON.stringify(box.trail.query({ keyArn: keyB.Arn }))).not.toContain(
        Buffer.from('traced').toString('base64'),
      );
    });
  });

  describe('ReEncrypt', () => {
    it('moves a ciphertext to another key and context without revealing the plaintext', async () => {
      const blob = await encrypt(keyA.KeyId, 'moving', { stage: 'one' });
      const result = await kms.send(
        new ReEncryptCommand({
          CiphertextBlob: blob,
          SourceEncryptionContext: { stage: 'one' },
          DestinationKeyId: 'alias/key-b',
          DestinationEncryptionContext: { stage: 'two' },
        }),
      );
      expect(result.SourceKeyId).toBe(keyA.Arn);
      expect(result.KeyId).toBe(keyB.Arn);
      expect(result.SourceEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      expect(result.DestinationEncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
      expect(result.SourceKeyMaterialId).toBe(keyA.CurrentKeyMaterialId);
      expect(result.DestinationKeyMaterialId).toBe(keyB.CurrentKeyMaterialId);
      expect('Plaintext' in result).toBe(false);

      const decrypted = await kms.send(
        new DecryptCommand({ CiphertextBlob: result.CiphertextBlob, EncryptionContext: { stage: 'two' } }),
      );
      expect(decrypted.KeyId).toBe(keyB.Arn);
      expect(text(decrypted.Plaintext)).toBe('moving');
      await expectAwsError(
        kms.send(
          new DecryptCommand({ CiphertextBlob: result.CiphertextBlob, EncryptionContext: { stage: 'one' } }),
        ),
        INVALID_CIPHERTEXT,
      );
    });

    it('accepts every identifier form for SourceKeyId and DestinationKeyId', async () => {
      const blob = await encrypt(keyA.KeyId, 'forms');
      for (const [source, destination] of [
        [keyA.KeyId, keyB.Arn],
        [keyA.Arn, keyB.KeyId],
        ['alias/key-a', aliasArn(PLATFORM_ACCOUNT_ID, 'alias/key-b')],
        [aliasArn(PLATFORM_ACCOUNT_ID, 'alias/key-a'), 'alias/key-b'],
      ] as const) {
        const result = await kms.send(
          new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: source, DestinationKeyId: destination }),
        );
        expect(result.KeyId, `${source} -> ${destination}`).toBe(keyB.Arn);
        expect(
          text((await kms.send(new DecryptCommand({ CiphertextBlob: result.CiphertextBlob }))).Plaintext),
        ).toBe('forms');
      }
    });

    it('re-encrypts under the same key', async () => {
      const blob = await encrypt(keyA.KeyId, 'same key', { v: '1' });
      const result = await kms.send(
        new ReEncryptCommand({
          CiphertextBlob: blob,
          SourceEncryptionContext: { v: '1' },
          DestinationKeyId: keyA.KeyId,
        }),
      );
      expect(result.SourceKeyId).toBe(keyA.Arn);
      expect(result.KeyId).toBe(keyA.Arn);
      expect(
        text((await kms.send(new DecryptCommand({ CiphertextBlob: result.CiphertextBlob }))).Plaintext),
      ).toBe('same key');
    });

    it('refuses a wrong source context, a wrong SourceKeyId and an unknown destination', async () => {
      const blob = await encrypt(keyA.KeyId, 'guarded', { stage: 'one' });
      await expectAwsError(
        kms.send(
          new ReEncryptCommand({
            CiphertextBlob: blob,
            SourceEncryptionContext: { stage: 'two' },
            DestinationKeyId: keyB.KeyId,
          }),
        ),
        INVALID_CIPHERTEXT,
      );
      await expectAwsError(
        kms.send(
          new ReEncryptCommand({
            CiphertextBlob: blob,
            SourceEncryptionContext: { stage: 'one' },
            SourceKeyId: keyB.KeyId,
            DestinationKeyId: keyB.KeyId,
          }),
        ),
        {
          name: 'IncorrectKeyException',
          status: 400,
          message: 'The key ID in the request does not identify a CMK that can perform this operation.',
        },
      );
      await expectAwsError(
        kms.send(
          new ReEncryptCommand({
            CiphertextBlob: blob,
            SourceEncryptionContext: { stage: 'one' },
            DestinationKeyId: 'alias/missing',
          }),
        ),
        {
          name: 'NotFoundException',
          status: 400,
          message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/missing')} is not found.`,
        },
      );
    });
  });

  describe('GenerateDataKey and GenerateDataKeyWithoutPlaintext', () => {
    it('generates a data key of the KeySpec or NumberOfBytes asked for, wrapped under the KMS key', async () => {
      for (const [input, length] of [
        [{ KeySpec: 'AES_256' }, 32],
        [{ KeySpec: 'AES_128' }, 16],
        [{ NumberOfBytes: 1 }, 1],
        [{ NumberOfBytes: 64 }, 64],
        [{ NumberOfBytes: 1024 }, 1024],
      ] as const) {
        const generated = await kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/key-a', ...input }));
        expect(generated.KeyId).toBe(keyA.Arn);
        expect(generated.KeyMaterialId).toBe(keyA.CurrentKeyMaterialId);
        expect(generated.Plaintext, JSON.stringify(input)).toHaveLength(length);
        const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob }));
        expect(
          Buffer.from(decrypted.Plaintext!).equals(Buffer.from(generated.Plaintext!)),
          JSON.stringify(input),
        ).toBe(true);
      }
    });

    it('gives a different data key each time', async () => {
      const first = await kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, KeySpec: 'AES_256' }));
      const second = await kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, KeySpec: 'AES_256' }));
      expect(Buffer.from(first.Plaintext!).equals(Buffer.from(second.Plaintext!))).toBe(false);
    });

    it('binds the wrapped data key to the encryption context', async () => {
      const generated = await kms.send(
        new GenerateDataKeyCommand({
          KeyId: keyB.Arn,
          KeySpec: 'AES_256',
          EncryptionContext: { tenant: 'acme' },
        }),
      );
      expect(generated.KeyId).toBe(keyB.Arn);
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob })),
        INVALID_CIPHERTEXT,
      );
      const decrypted = await kms.send(
        new DecryptCommand({
          CiphertextBlob: generated.CiphertextBlob,
          EncryptionContext: { tenant: 'acme' },
        }),
      );
      expect(Buffer.from(decrypted.Plaintext!).equals(Buffer.from(generated.Plaintext!))).toBe(true);
    });

    it('returns no plaintext from GenerateDataKeyWithoutPlaintext, but the blob decrypts to a key of that size', async () => {
      for (const [input, length] of [
        [{ KeySpec: 'AES_256' }, 32],
        [{ KeySpec: 'AES_128' }, 16],
        [{ NumberOfBytes: 48 }, 48],
      ] as const) {
        const generated = await kms.send(
          new GenerateDataKeyWithoutPlaintextCommand({
            KeyId: aliasArn(PLATFORM_ACCOUNT_ID, 'alias/key-b'),
            EncryptionContext: { k: 'v' },
            ...input,
          }),
        );
        expect('Plaintext' in generated).toBe(false);
        expect(generated.KeyId).toBe(keyB.Arn);
        expect(generated.KeyMaterialId).toMatch(MATERIAL_ID);
        const decrypted = await kms.send(
          new DecryptCommand({ CiphertextBlob: generated.CiphertextBlob, EncryptionContext: { k: 'v' } }),
        );
        expect(decrypted.Plaintext, JSON.stringify(input)).toHaveLength(length);
      }
    });

    it('needs exactly one of KeySpec and NumberOfBytes', async () => {
      const expected = {
        name: 'ValidationException',
        status: 400,
        message: 'Please specify either number of bytes or key spec.',
      };
      await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId })), expected);
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, KeySpec: 'AES_256', NumberOfBytes: 32 })),
        expected,
      );
      await expectAwsError(
        kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyA.KeyId })),
        expected,
      );
      await expectAwsError(
        kms.send(
          new GenerateDataKeyWithoutPlaintextCommand({
            KeyId: keyA.KeyId,
            KeySpec: 'AES_128',
            NumberOfBytes: 16,
          }),
        ),
        expected,
      );
    });

    it('takes NumberOfBytes from 1 to 1024 and only the AES key specs', async () => {
      await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, NumberOfBytes: 1025 })), {
        name: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      });
      await expectAwsError(kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, NumberOfBytes: 0 })), {
        name: 'ValidationException',
        status: 400,
        message:
          "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      });
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, KeySpec: 'AES_512' as 'AES_256' })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
        },
      );
    });
  });

  describe('DryRun', () => {
    it('checks the request and answers DryRunOperationException instead of doing it', async () => {
      const blob = await encrypt(keyA.KeyId, 'dry');
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: keyA.KeyId, Plaintext: bytes('x'), DryRun: true })),
        DRY_RUN,
      );
      await expectAwsError(kms.send(new DecryptCommand({ CiphertextBlob: blob, DryRun: true })), DRY_RUN);
      await expectAwsError(
        kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: keyB.KeyId, DryRun: true })),
        DRY_RUN,
      );
      await expectAwsError(
        kms.send(new GenerateDataKeyCommand({ KeyId: keyA.KeyId, KeySpec: 'AES_256', DryRun: true })),
        DRY_RUN,
      );
      await expectAwsError(
        kms.send(
          new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyA.KeyId, NumberOfBytes: 8, DryRun: true }),
        ),
        DRY_RUN,
      );
    });

    it('reports the real error, not DryRun, when the request would fail', async () => {
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: 'alias/missing', Plaintext: bytes('x'), DryRun: true })),
        {
          name: 'NotFoundException',
          status: 400,
          message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/missing')} is not found.`,
        },
      );
      const blob = await encrypt(keyA.KeyId, 'dry', { a: 'b' });
      await expectAwsError(
        kms.send(new DecryptCommand({ CiphertextBlob: blob, DryRun: true })),
        INVALID_CIPHERTEXT,
      );
      expect(
        text(
          (
            await kms.send(
              new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { a: 'b' }, DryRun: false }),
            )
          ).Plaintext,
        ),
      ).toBe('dry');
    });
  });
});
