import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  DeleteAliasCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  ListAliasesCommand,
  ListResourceTagsCommand,
  PutKeyPolicyCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
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
import { aliasArn, createKey, policyDocument, rootStatement } from './kms-fixtures.js';

type Key = Awaited<ReturnType<typeof createKey>>;

const PREFIX_MESSAGE =
  'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';

describe('KMS aliases: CreateAlias, DeleteAlias, ListAliases and where aliases are accepted', () => {
  let box: RunningSandbox;
  let kms: KMSClient;
  let customerKms: KMSClient;
  let key: Key;

  beforeAll(async () => {
    box = await sandbox();
    kms = clients(box, platformAdmin(box)).kms;
    customerKms = clients(box, customerAdmin(box)).kms;
    key = await createKey(kms);
  });
  afterAll(() => box.close());

  const aliasesOf = async (client: KMSClient, keyId?: string) =>
    (await client.send(new ListAliasesCommand({ KeyId: keyId }))).Aliases!;

  describe('CreateAlias and ListAliases', () => {
    it('creates an alias that ListAliases shows with its ARN, target key ID and dates', async () => {
      const before = box.clock.now();
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/first', TargetKeyId: key.KeyId }));
      const listed = (await aliasesOf(kms)).find((alias) => alias.AliasName === 'alias/first');
      expect(listed).toEqual({
        AliasName: 'alias/first',
        AliasArn: aliasArn(PLATFORM_ACCOUNT_ID, 'alias/first'),
        TargetKeyId: key.KeyId,
        CreationDate: expect.any(Date),
        LastUpdatedDate: expect.any(Date),
      });
      expect(listed!.CreationDate!.getTime()).toBeGreaterThanOrEqual(before - 1000);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/first' }))).KeyMetadata!.Arn).toBe(
        key.Arn,
      );
    });

    it('takes the target key by ARN, and lets several aliases name one key', async () => {
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: key.Arn }));
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/team/third_one-3', TargetKeyId: key.KeyId }));
      const forKey = (await aliasesOf(kms, key.KeyId)).map((alias) => alias.AliasName);
      expect(forKey).toEqual(['alias/first', 'alias/second', 'alias/team/third_one-3']);
      expect((await aliasesOf(kms, key.Arn)).map((alias) => alias.AliasName)).toEqual(forKey);
    });

    it('lists the seeded platform alias, and filters by key', async () => {
      const all = (await aliasesOf(kms)).map((alias) => alias.AliasName);
      expect(all).toContain('alias/keyward-platform');
      const other = await createKey(kms);
      expect(await aliasesOf(kms, other.KeyId)).toEqual([]);
    });

    it('does not take an alias as the ListAliases KeyId', async () => {
      await expectAwsError(kms.send(new ListAliasesCommand({ KeyId: 'alias/first' })), {
        name: 'NotFoundException',
        status: 400,
        message: "Invalid keyId 'alias/first'",
      });
    });

    it('pages ListAliases with Limit and Marker', async () => {
      const all = (await aliasesOf(kms)).map((alias) => alias.AliasName);
      expect(all.length).toBeGreaterThanOrEqual(4);
      const first = await kms.send(new ListAliasesCommand({ Limit: 3 }));
      expect(first.Aliases).toHaveLength(3);
      expect(first.Truncated).toBe(true);
      expect(first.NextMarker).toEqual(expect.any(String));
      const rest = await kms.send(new ListAliasesCommand({ Marker: first.NextMarker }));
      expect(rest.Truncated).toBe(false);
      expect(rest.NextMarker).toBeUndefined();
      expect([...first.Aliases!, ...rest.Aliases!].map((alias) => alias.AliasName)).toEqual(all);
    });

    it('keeps aliases per account: the customer may use a name the platform uses', async () => {
      const customerKey = await createKey(customerKms);
      await customerKms.send(
        new CreateAliasCommand({ AliasName: 'alias/first', TargetKeyId: customerKey.KeyId }),
      );
      const customerAliases = await aliasesOf(customerKms);
      expect(customerAliases.map((alias) => [alias.AliasName, alias.AliasArn, alias.TargetKeyId])).toEqual([
        ['alias/first', aliasArn(CUSTOMER_ACCOUNT_ID, 'alias/first'), customerKey.KeyId],
      ]);
      expect(
        (await customerKms.send(new DescribeKeyCommand({ KeyId: 'alias/first' }))).KeyMetadata!.Arn,
      ).toBe(customerKey.Arn);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/first' }))).KeyMetadata!.Arn).toBe(
        key.Arn,
      );
    });

    it('refuses a name without the alias/ prefix', async () => {
      for (const name of ['first', 'aliases/first', 'Alias/first']) {
        await expectAwsError(kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })), {
          name: 'ValidationException',
          status: 400,
          message: PREFIX_MESSAGE,
        });
      }
    });

    it('refuses characters outside the alias pattern', async () => {
      await expectAwsError(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/has space', TargetKeyId: key.KeyId })),
        {
          name: 'ValidationException',
          status: 400,
          message:
            "1 validation error detected: Value 'alias/has space' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        },
      );
    });

    it('refuses an alias name that exists, naming it by ARN', async () => {
      const other = await createKey(kms);
      await expectAwsError(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/first', TargetKeyId: other.KeyId })),
        {
          name: 'AlreadyExistsException',
          status: 400,
          message: 'An alias with the name arn:aws:kms:us-east-1:111122223333:alias/first already exists',
        },
      );
      /* The alias still names the first key. */
      expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/first' }))).KeyMetadata!.Arn).toBe(
        key.Arn,
      );
    });

    it('refuses a target key given by alias, an unknown target key, and a key pending deletion', async () => {
      await expectAwsError(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/via-alias', TargetKeyId: 'alias/first' })),
        {
          name: 'NotFoundException',
          status: 400,
          message: "Invalid keyId 'alias/first'",
        },
      );
      const missing = 'c0ffee00-1234-4321-8765-0123456789ab';
      await expectAwsError(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/to-nothing', TargetKeyId: missing })),
        {
          name: 'NotFoundException',
          status: 400,
          message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`,
        },
      );
      const pending = await createKey(kms);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: pending.KeyId }));
      await expectAwsError(
        kms.send(new CreateAliasCommand({ AliasName: 'alias/to-pending', TargetKeyId: pending.KeyId })),
        {
          name: 'KMSInvalidStateException',
          status: 400,
          message: `${pending.Arn} is pending deletion.`,
        },
      );
      const names = (await aliasesOf(kms)).map((alias) => alias.AliasName);
      expect(names).not.toContain('alias/via-alias');
      expect(names).not.toContain('alias/to-nothing');
      expect(names).not.toContain('alias/to-pending');
    });
  });

  describe('DeleteAlias', () => {
    it('deletes the alias but not the key', async () => {
      const target = await createKey(kms);
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/short-lived', TargetKeyId: target.KeyId }));
      await kms.send(new DeleteAliasCommand({ AliasName: 'alias/short-lived' }));
      expect((await aliasesOf(kms)).map((alias) => alias.AliasName)).not.toContain('alias/short-lived');
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/short-lived' })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/short-lived')} is not found.`,
      });
      expect((await kms.send(new DescribeKeyCommand({ KeyId: target.KeyId }))).KeyMetadata!.KeyState).toBe(
        'Enabled',
      );
      /* The name is free again. */
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/short-lived', TargetKeyId: key.KeyId }));
      expect((await kms.send(new DescribeKeyCommand({ KeyId: 'alias/short-lived' }))).KeyMetadata!.Arn).toBe(
        key.Arn,
      );
    });

    it('reports a missing alias by its ARN, and a name without the prefix', async () => {
      await expectAwsError(kms.send(new DeleteAliasCommand({ AliasName: 'alias/never-was' })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/never-was')} is not found.`,
      });
      await expectAwsError(kms.send(new DeleteAliasCommand({ AliasName: 'never-was' })), {
        name: 'ValidationException',
        status: 400,
        message: PREFIX_MESSAGE,
      });
    });

    it("cannot delete another account's alias of the same name", async () => {
      const customerKey = await createKey(customerKms);
      await customerKms.send(
        new CreateAliasCommand({ AliasName: 'alias/customer-only', TargetKeyId: customerKey.KeyId }),
      );
      await expectAwsError(kms.send(new DeleteAliasCommand({ AliasName: 'alias/customer-only' })), {
        name: 'NotFoundException',
        status: 400,
        message: `Alias ${aliasArn(PLATFORM_ACCOUNT_ID, 'alias/customer-only')} is not found.`,
      });
      expect((await aliasesOf(customerKms, customerKey.KeyId)).map((alias) => alias.AliasName)).toEqual([
        'alias/customer-only',
      ]);
    });
  });

  describe('operations that take a key ID or key ARN only', () => {
    it('refuses an alias name or alias ARN as "Invalid keyId"', async () => {
      await kms.send(new CreateAliasCommand({ AliasName: 'alias/managed', TargetKeyId: key.KeyId }));
      const policy = policyDocument(rootStatement(PLATFORM_ACCOUNT_ID));
      const calls: [string, (keyId: string) => Promise<unknown>][] = [
        ['EnableKey', (keyId) => kms.send(new EnableKeyCommand({ KeyId: keyId }))],
        ['DisableKey', (keyId) => kms.send(new DisableKeyCommand({ KeyId: keyId }))],
        [
          'ScheduleKeyDeletion',
          (keyId) => kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 })),
        ],
        ['CancelKeyDeletion', (keyId) => kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }))],
        ['GetKeyPolicy', (keyId) => kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))],
        ['PutKeyPolicy', (keyId) => kms.send(new PutKeyPolicyCommand({ KeyId: keyId, Policy: policy }))],
        ['EnableKeyRotation', (keyId) => kms.send(new EnableKeyRotationCommand({ KeyId: keyId }))],
        ['DisableKeyRotation', (keyId) => kms.send(new DisableKeyRotationCommand({ KeyId: keyId }))],
        ['GetKeyRotationStatus', (keyId) => kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))],
        ['RotateKeyOnDemand', (keyId) => kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }))],
        [
          'TagResource',
          (keyId) =>
            kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })),
        ],
        ['UntagResource', (keyId) => kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ['a'] }))],
        ['ListResourceTags', (keyId) => kms.send(new ListResourceTagsCommand({ KeyId: keyId }))],
      ];
      for (const keyId of ['alias/managed', aliasArn(PLATFORM_ACCOUNT_ID, 'alias/managed')]) {
        for (const [operation, call] of calls) {
          const error = await expectAwsError(call(keyId), {
            name: 'NotFoundException',
            status: 400,
            message: `Invalid keyId '${keyId}'`,
          });
          expect(error.message, operation).toBe(`Invalid keyId '${keyId}'`);
        }
      }
      /* None of them did anything. */
      const metadata = (await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!;
      expect(metadata.KeyState).toBe('Enabled');
      expect(metadata.CurrentKeyMaterialId).toBe(key.CurrentKeyMaterialId);
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(
        false,
      );
    });

    it('accepts the key ID and the key ARN', async () => {
      for (const keyId of [key.KeyId, key.Arn]) {
        expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyId).toBe(key.Arn);
        expect((await kms.send(new GetKeyPolicyCommand({ KeyId: keyId }))).PolicyName).toBe('default');
        expect((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([]);
        await kms.send(new DisableKeyCommand({ KeyId: keyId }));
        expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe(
          'Disabled',
        );
        await kms.send(new EnableKeyCommand({ KeyId: keyId }));
        expect((await kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe(
          'Enabled',
        );
      }
    });
  });
});
