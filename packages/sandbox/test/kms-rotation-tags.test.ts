import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyRotationStatusCommand,
  ListResourceTagsCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  type KMSClient,
  type Tag,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import { clients, expectAwsError, platformAdmin, sandbox } from '@keyward/test-kit/sandbox-clients';
import { bytes, createKey, DAY_MS, MATERIAL_ID, text } from './kms-fixtures.js';

describe('KMS key rotation and tags', () => {
  let box: RunningSandbox;
  let kms: KMSClient;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
  });
  afterAll(() => box.close());

  const currentMaterial = async (keyId: string) =>
    (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.CurrentKeyMaterialId!;
  const encrypt = async (keyId: string, plaintext: string) =>
    (
      await kms.send(
        new EncryptCommand({
          KeyId: keyId,
          Plaintext: bytes(plaintext),
          EncryptionContext: { v: plaintext },
        }),
      )
    ).CiphertextBlob!;
  const decrypt = async (blob: Uint8Array, plaintext: string) => {
    const decrypted = await kms.send(
      new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { v: plaintext } }),
    );
    return { plaintext: text(decrypted.Plaintext), materialId: decrypted.KeyMaterialId };
  };

  describe('EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus', () => {
    it('starts with rotation off, and no period or next date', async () => {
      const key = await createKey(kms);
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(status.KeyRotationEnabled).toBe(false);
      expect(status.KeyId).toBe(key.Arn);
      expect(status.RotationPeriodInDays).toBeUndefined();
      expect(status.NextRotationDate).toBeUndefined();
    });

    it('enables yearly rotation by default, with the next rotation a period from now', async () => {
      const key = await createKey(kms);
      const before = box.clock.now();
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
      const after = box.clock.now();
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }));
      expect(status.KeyRotationEnabled).toBe(true);
      expect(status.RotationPeriodInDays).toBe(365);
      expect(status.NextRotationDate).toBeInstanceOf(Date);
      expect(status.NextRotationDate!.getTime()).toBeGreaterThanOrEqual(before + 365 * DAY_MS - 1000);
      expect(status.NextRotationDate!.getTime()).toBeLessThanOrEqual(after + 365 * DAY_MS + 1000);
    });

    it('takes a RotationPeriodInDays from 90 to 2560', async () => {
      const key = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      expect(
        (await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays,
      ).toBe(90);
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 2560 }));
      expect(
        (await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays,
      ).toBe(2560);
      await expectAwsError(
        kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 89 })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
        },
      );
      await expectAwsError(
        kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 2561 })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value '2561' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 2560",
        },
      );
      expect(
        (await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).RotationPeriodInDays,
      ).toBe(2560);
    });

    it('turns rotation off with DisableKeyRotation', async () => {
      const key = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId }));
      await kms.send(new DisableKeyRotationCommand({ KeyId: key.Arn }));
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }));
      expect(status.KeyRotationEnabled).toBe(false);
      expect(status.NextRotationDate).toBeUndefined();
    });

    it('refuses rotation changes on a disabled key, but still reports its status', async () => {
      const key = await createKey(kms);
      await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
      const disabled = { name: 'DisabledException', status: 400, message: `${key.Arn} is disabled.` };
      await expectAwsError(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), disabled);
      await expectAwsError(kms.send(new DisableKeyRotationCommand({ KeyId: key.KeyId })), disabled);
      await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), disabled);
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
        false,
      );
    });

    it('refuses rotation calls on a key pending deletion', async () => {
      const key = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      const pending = {
        name: 'KMSInvalidStateException',
        status: 400,
        message: `${key.Arn} is pending deletion.`,
      };
      await expectAwsError(kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId })), pending);
      await expectAwsError(kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId })), pending);
      await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), pending);
    });

    it('refuses to rotate an asymmetric key with an UnsupportedOperationException', async () => {
      const created = await kms.send(new CreateKeyCommand({ KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }));
      const keyId = created.KeyMetadata!.KeyId!;
      /* Sent without a message, as AWS does; the SDK fills in "UnknownError". */
      await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId })), {
        name: 'UnsupportedOperationException',
        status: 400,
        message: 'UnknownError',
      });
      await expectAwsError(kms.send(new EnableKeyRotationCommand({ KeyId: keyId })), {
        name: 'UnsupportedOperationException',
        status: 400,
      });
    });
  });

  describe('RotateKeyOnDemand', () => {
    it('makes new key material current; ciphertexts under the old material still decrypt', async () => {
      const key = await createKey(kms);
      const original = key.CurrentKeyMaterialId!;
      const oldBlob = await encrypt(key.KeyId, 'before rotation');

      const rotated = await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
      expect(rotated.KeyId).toBe(key.Arn);
      const next = await currentMaterial(key.KeyId);
      expect(next).toMatch(MATERIAL_ID);
      expect(next).not.toBe(original);

      expect(await decrypt(oldBlob, 'before rotation')).toEqual({
        plaintext: 'before rotation',
        materialId: original,
      });
      const newBlob = await encrypt(key.KeyId, 'after rotation');
      expect(await decrypt(newBlob, 'after rotation')).toEqual({
        plaintext: 'after rotation',
        materialId: next,
      });
      const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
      expect(dataKey.KeyMaterialId).toBe(next);
      /* On-demand rotation leaves automatic rotation as it was. */
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
        false,
      );
    });

    it('allows ten on-demand rotations per key, then LimitExceededException', async () => {
      const key = await createKey(kms);
      const materials = [key.CurrentKeyMaterialId!];
      const blobs = [await encrypt(key.KeyId, 'generation 0')];
      for (let rotation = 1; rotation <= 10; rotation++) {
        await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.Arn }));
        materials.push(await currentMaterial(key.KeyId));
        blobs.push(await encrypt(key.KeyId, `generation ${rotation}`));
      }
      expect(new Set(materials).size).toBe(11);
      await expectAwsError(kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId })), {
        name: 'LimitExceededException',
        status: 400,
        message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`,
      });
      expect(await currentMaterial(key.KeyId)).toBe(materials[10]);
      for (const [generation, blob] of blobs.entries()) {
        expect(await decrypt(blob, `generation ${generation}`)).toEqual({
          plaintext: `generation ${generation}`,
          materialId: materials[generation],
        });
      }
    });
  });

  describe('TagResource, UntagResource, ListResourceTags', () => {
    it('adds, overwrites, lists and removes tags', async () => {
      const key = await createKey(kms, { Tags: [{ TagKey: 'tenant', TagValue: 'acme' }] });
      await kms.send(
        new TagResourceCommand({
          KeyId: key.KeyId,
          Tags: [
            { TagKey: 'env', TagValue: 'test' },
            { TagKey: 'tenant', TagValue: 'globex' },
          ],
        }),
      );
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.Arn }))).Tags).toEqual([
        { TagKey: 'tenant', TagValue: 'globex' },
        { TagKey: 'env', TagValue: 'test' },
      ]);
      await kms.send(new UntagResourceCommand({ KeyId: key.Arn, TagKeys: ['tenant', 'not-there'] }));
      const listed = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(listed.Tags).toEqual([{ TagKey: 'env', TagValue: 'test' }]);
      expect(listed.Truncated).toBe(false);
    });

    it('takes an empty tag value', async () => {
      const key = await createKey(kms);
      await kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'flag', TagValue: '' }] }));
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([
        { TagKey: 'flag', TagValue: '' },
      ]);
    });

    it('pages ListResourceTags with Limit and Marker', async () => {
      const tags: Tag[] = Array.from({ length: 5 }, (_, index) => ({
        TagKey: `k${index}`,
        TagValue: `v${index}`,
      }));
      const key = await createKey(kms, { Tags: tags });
      const first = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2 }));
      expect(first.Tags).toEqual(tags.slice(0, 2));
      expect(first.Truncated).toBe(true);
      const second = await kms.send(
        new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: first.NextMarker }),
      );
      expect(second.Tags).toEqual(tags.slice(2, 4));
      const third = await kms.send(
        new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 2, Marker: second.NextMarker }),
      );
      expect(third.Tags).toEqual(tags.slice(4));
      expect(third.Truncated).toBe(false);
      expect(third.NextMarker).toBeUndefined();
    });

    it('refuses tag keys beginning with aws:', async () => {
      const reserved = {
        name: 'TagException',
        status: 400,
        message: 'Tags beginning with aws: are reserved',
      };
      const key = await createKey(kms, { Tags: [{ TagKey: 'keep', TagValue: '1' }] });
      await expectAwsError(
        kms.send(
          new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] }),
        ),
        reserved,
      );
      await expectAwsError(
        kms.send(
          new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'AWS:owner', TagValue: 'x' }] }),
        ),
        reserved,
      );
      await expectAwsError(
        kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['aws:owner'] })),
        reserved,
      );
      await expectAwsError(
        kms.send(new CreateKeyCommand({ Tags: [{ TagKey: 'aws:created', TagValue: 'x' }] })),
        reserved,
      );
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([
        { TagKey: 'keep', TagValue: '1' },
      ]);
    });

    it('refuses duplicate tag keys', async () => {
      const key = await createKey(kms);
      const duplicates = [
        { TagKey: 'dup', TagValue: '1' },
        { TagKey: 'dup', TagValue: '2' },
      ];
      const expected = { name: 'TagException', status: 400, message: 'Duplicate tag keys' };
      await expectAwsError(
        kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: duplicates })),
        expected,
      );
      await expectAwsError(kms.send(new CreateKeyCommand({ Tags: duplicates })), expected);
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
    });

    it('refuses more than 50 tags on a key, counting the ones it has', async () => {
      const tooMany = { name: 'TagException', status: 400, message: 'Too many tags' };
      const fifty: Tag[] = Array.from({ length: 50 }, (_, index) => ({
        TagKey: `tag-${index}`,
        TagValue: String(index),
      }));
      await expectAwsError(
        kms.send(new CreateKeyCommand({ Tags: [...fifty, { TagKey: 'one-more', TagValue: 'x' }] })),
        tooMany,
      );

      const key = await createKey(kms, { Tags: fifty.slice(0, 45) });
      await expectAwsError(
        kms.send(
          new TagResourceCommand({
            KeyId: key.KeyId,
            Tags: fifty.slice(40).map((tag) => ({ ...tag, TagKey: `new-${tag.TagKey}` })),
          }),
        ),
        tooMany,
      );
      /* Overwriting existing keys does not add to the count. */
      await kms.send(
        new TagResourceCommand({
          KeyId: key.KeyId,
          Tags: [...fifty.slice(0, 45).map((tag) => ({ ...tag, TagValue: 'updated' })), ...fifty.slice(45)],
        }),
      );
      const listed = await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
      expect(listed.Tags).toHaveLength(50);
      expect(listed.Tags![0]).toEqual({ TagKey: 'tag-0', TagValue: 'updated' });
      expect(listed.Tags![49]).toEqual({ TagKey: 'tag-49', TagValue: '49' });
    });

    it('refuses to tag or untag a key pending deletion', async () => {
      const key = await createKey(kms, { Tags: [{ TagKey: 'a', TagValue: '1' }] });
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId }));
      const pending = {
        name: 'KMSInvalidStateException',
        status: 400,
        message: `${key.Arn} is pending deletion.`,
      };
      await expectAwsError(
        kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'b', TagValue: '2' }] })),
        pending,
      );
      await expectAwsError(kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a'] })), pending);
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([
        { TagKey: 'a', TagValue: '1' },
      ]);
    });
  });

  /* Last: these move the sandbox clock forward by months. */
  describe('automatic rotation', () => {
    it('rotates once NextRotationDate has passed; old ciphertexts still decrypt', async () => {
      const rotating = await createKey(kms);
      const still = await createKey(kms);
      const disabledRotation = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId: rotating.KeyId, RotationPeriodInDays: 90 }));
      await kms.send(
        new EnableKeyRotationCommand({ KeyId: disabledRotation.KeyId, RotationPeriodInDays: 90 }),
      );
      await kms.send(new DisableKeyRotationCommand({ KeyId: disabledRotation.KeyId }));
      const firstStatus = await kms.send(new GetKeyRotationStatusCommand({ KeyId: rotating.KeyId }));
      const oldBlob = await encrypt(rotating.KeyId, 'year one');

      box.clock.advance(89 * DAY_MS);
      expect(await currentMaterial(rotating.KeyId)).toBe(rotating.CurrentKeyMaterialId);

      box.clock.advance(2 * DAY_MS);
      const rotatedMaterial = await currentMaterial(rotating.KeyId);
      expect(rotatedMaterial).toMatch(MATERIAL_ID);
      expect(rotatedMaterial).not.toBe(rotating.CurrentKeyMaterialId);
      expect(await decrypt(oldBlob, 'year one')).toEqual({
        plaintext: 'year one',
        materialId: rotating.CurrentKeyMaterialId,
      });
      expect(await decrypt(await encrypt(rotating.KeyId, 'year two'), 'year two')).toEqual({
        plaintext: 'year two',
        materialId: rotatedMaterial,
      });

      const secondStatus = await kms.send(new GetKeyRotationStatusCommand({ KeyId: rotating.KeyId }));
      expect(secondStatus.KeyRotationEnabled).toBe(true);
      expect(secondStatus.NextRotationDate!.getTime()).toBe(
        firstStatus.NextRotationDate!.getTime() + 90 * DAY_MS,
      );

      /* Keys without automatic rotation keep their material. */
      expect(await currentMaterial(still.KeyId)).toBe(still.CurrentKeyMaterialId);
      expect(await currentMaterial(disabledRotation.KeyId)).toBe(disabledRotation.CurrentKeyMaterialId);
    });

    it('applies every rotation that fell due, none while the key is disabled, and an overdue one once it is enabled', async () => {
      const key = await createKey(kms);
      const blob = await encrypt(key.KeyId, 'long ago');
      await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 90 }));
      const scheduled = (
        await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))
      ).NextRotationDate!.getTime();
      const paused = await createKey(kms);
      await kms.send(new EnableKeyRotationCommand({ KeyId: paused.KeyId, RotationPeriodInDays: 90 }));
      await kms.send(new DisableKeyCommand({ KeyId: paused.KeyId }));

      box.clock.advance(181 * DAY_MS);
      expect(await currentMaterial(paused.KeyId)).toBe(paused.CurrentKeyMaterialId);
      const afterTwo = await currentMaterial(key.KeyId);
      expect(afterTwo).not.toBe(key.CurrentKeyMaterialId);
      expect(await decrypt(blob, 'long ago')).toEqual({
        plaintext: 'long ago',
        materialId: key.CurrentKeyMaterialId,
      });
      /* Rotations fell due at 90 and 180 days; the next is at 270. */
      expect(
        (await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).NextRotationDate!.getTime(),
      ).toBe(scheduled + 180 * DAY_MS);

      await kms.send(new EnableKeyCommand({ KeyId: paused.KeyId }));
      expect(await currentMaterial(paused.KeyId)).not.toBe(paused.CurrentKeyMaterialId);
    });
  });
});
