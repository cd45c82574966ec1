import {
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSServiceException,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
} from '@keyward/test-kit/sandbox-clients';

/**
 * Fault injection, through the admin HTTP API (as another process would use it) and in-process.
 * No assertion here is about elapsed time: latency rules are checked by their `fired` count.
 */
const PLAINTEXT = Buffer.from('fault-injection plaintext');

describe('fault injection', () => {
  let box: RunningSandbox;
  let platform: ReturnType<typeof clients>;
  let customer: ReturnType<typeof clients>;
  let platformKeyArn: string;
  let otherKeyArn: string;
  let otherKeyId: string;
  let customerKeyArn: string;

  beforeAll(async () => {
    box = await sandbox();
    platform = clients(box, platformAdmin(box));
    customer = clients(box, customerAdmin(box));
    platformKeyArn = (await platform.kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
      .KeyMetadata!.Arn!;
    const other = await platform.kms.send(new CreateKeyCommand({ Description: 'second platform key' }));
    otherKeyArn = other.KeyMetadata!.Arn!;
    otherKeyId = other.KeyMetadata!.KeyId!;
    const customerKey = await customer.kms.send(
      new CreateKeyCommand({
        Description: 'customer BYOK key',
        Policy: json({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'Root',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Sid: 'Platform',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:root` },
              Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey'],
              Resource: '*',
            },
          ],
        }),
      }),
    );
    customerKeyArn = customerKey.KeyMetadata!.Arn!;
  });
  beforeEach(async () => {
    await box.admin.clearFaults();
    await box.admin.clearTrail();
  });
  afterAll(() => box.close());

  const encrypt = (keyId = 'alias/keyward-platform', kms = platform.kms) =>
    kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: PLAINTEXT }));

  describe('modes', () => {
    it('latency: the call still succeeds and the rule records that it fired', async () => {
      const rule = await box.admin.addFault({
        mode: 'latency',
        latencyMs: 5,
        service: 'kms',
        operation: 'Encrypt',
      });
      expect(rule).toMatchObject({
        mode: 'latency',
        latencyMs: 5,
        service: 'kms',
        operation: 'Encrypt',
        probability: 1,
        fired: 0,
      });
      expect(rule.id).toMatch(/^[0-9a-f-]{36}$/);

      const encrypted = await encrypt();
      expect(encrypted.KeyId).toBe(platformKeyArn);
      await encrypt();

      const [listed] = await box.admin.faults();
      expect(listed).toMatchObject({ id: rule.id, mode: 'latency', fired: 2 });
      const events = await box.admin.trail({ operation: 'Encrypt' });
      expect(events.map((event) => event.outcome)).toEqual(['success', 'success']);
    });

    it('latency added in-process fires on exactly the matching calls', async () => {
      const rule = box.faults.add({ mode: 'latency', latencyMs: 1, service: 'sts' });
      await platform.sts.send(new GetCallerIdentityCommand({}));
      await encrypt();
      expect(box.faults.list()).toEqual([expect.objectContaining({ id: rule.id, fired: 1 })]);
      expect(await box.admin.faults()).toEqual([expect.objectContaining({ id: rule.id, fired: 1 })]);
    });

    it('throttle: KMS answers ThrottlingException "Rate exceeded"', async () => {
      await box.admin.addFault({ mode: 'throttle', service: 'kms' });
      await expectAwsError(encrypt(), { name: 'ThrottlingException', status: 400, message: 'Rate exceeded' });
      const [event] = await box.admin.trail({ operation: 'Encrypt' });
      expect(event).toMatchObject({
        outcome: 'fault',
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded',
      });
    });

    it('throttle: STS answers Throttling "Rate exceeded"', async () => {
      box.faults.add({ mode: 'throttle', service: 'sts', operation: 'GetCallerIdentity' });
      await expectAwsError(platform.sts.send(new GetCallerIdentityCommand({})), {
        name: 'Throttling',
        status: 400,
        message: 'Rate exceeded',
      });
      const [event] = await box.admin.trail({ service: 'sts' });
      expect(event).toMatchObject({
        operation: 'GetCallerIdentity',
        outcome: 'fault',
        errorCode: 'Throttling',
      });
    });

    it('unavailable: KMS answers 503 ServiceUnavailableException', async () => {
      await box.admin.addFault({ mode: 'unavailable', service: 'kms' });
      await expectAwsError(encrypt(), {
        name: 'ServiceUnavailableException',
        status: 503,
        message: 'Service is unavailable',
      });
    });

    it('unavailable: STS answers 503 ServiceUnavailable', async () => {
      await box.admin.addFault({ mode: 'unavailable', service: 'sts' });
      await expectAwsError(platform.sts.send(new GetCallerIdentityCommand({})), {
        name: 'ServiceUnavailable',
        status: 503,
      });
    });

    it('internal-error: KMS answers 500 KMSInternalException', async () => {
      await box.admin.addFault({ mode: 'internal-error', service: 'kms', operation: 'Decrypt' });
      const encrypted = await encrypt();
      await expectAwsError(
        platform.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })),
        {
          name: 'KMSInternalException',
          status: 500,
          message: 'We encountered an internal error. Please try again.',
        },
      );
    });

    it('internal-error: STS answers 500 InternalFailure', async () => {
      await box.admin.addFault({ mode: 'internal-error', service: 'sts' });
      await expectAwsError(platform.sts.send(new GetCallerIdentityCommand({})), {
        name: 'InternalFailure',
        status: 500,
      });
      const [event] = await box.admin.trail({ service: 'sts' });
      expect(event).toMatchObject({ outcome: 'fault', errorCode: 'InternalFailure' });
    });

    it('reset: the connection drops (no AWS error) and the trail records a fault', async () => {
      await box.admin.addFault({ mode: 'reset', service: 'kms', operation: 'Encrypt' });
      const error = await encrypt().then(
        () => undefined,
        (caught: unknown) => caught as Error & { code?: string; $fault?: string; $metadata?: unknown },
      );
      expect(error, 'the call should have failed').toBeDefined();
      expect(error).not.toBeInstanceOf(KMSServiceException);
      expect(error!.$fault).toBeUndefined();
      expect(error!.name).not.toMatch(/Exception$/);
      expect(error!.code).toBe('ECONNRESET');
      expect(error!.message).toMatch(/socket hang up/);
      expect((error!.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode).toBeUndefined();

      const events = await box.admin.trail({ operation: 'Encrypt' });
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        outcome: 'fault',
        principalArn: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:user/admin`,
      });
      expect(events[0]!.errorCode).toBeUndefined();
      expect((await box.admin.counters())['kms:Encrypt']).toMatchObject({
        calls: 1,
        faults: 1,
        success: 0,
        errors: 0,
      });

      // The sandbox keeps serving after a dropped connection.
      await box.admin.clearFaults();
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
    });
  });

  describe('probability and times', () => {
    it('probability 0 never fires', async () => {
      const rule = await box.admin.addFault({ mode: 'throttle', service: 'kms', probability: 0 });
      for (let i = 0; i < 10; i++) await encrypt();
      expect(await box.admin.faults()).toEqual([
        expect.objectContaining({ id: rule.id, probability: 0, fired: 0 }),
      ]);
      expect((await box.admin.counters())['kms:Encrypt']).toMatchObject({
        calls: 10,
        success: 10,
        faults: 0,
      });
    });

    it('probability 1 always fires', async () => {
      const rule = await box.admin.addFault({ mode: 'throttle', service: 'kms', probability: 1 });
      for (let i = 0; i < 5; i++) await expectAwsError(encrypt(), { name: 'ThrottlingException' });
      expect(await box.admin.faults()).toEqual([expect.objectContaining({ id: rule.id, fired: 5 })]);
      expect((await box.admin.counters())['kms:Encrypt']).toMatchObject({
        calls: 5,
        success: 0,
        faults: 5,
        errorCodes: { ThrottlingException: 5 },
      });
    });

    it('times: 2 fires twice, then retires', async () => {
      await box.admin.addFault({ mode: 'throttle', service: 'kms', operation: 'Encrypt', times: 2 });
      await expectAwsError(encrypt(), { name: 'ThrottlingException' });
      expect(await box.admin.faults()).toEqual([expect.objectContaining({ times: 2, fired: 1 })]);
      await expectAwsError(encrypt(), { name: 'ThrottlingException' });
      expect(await box.admin.faults()).toEqual([]);
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      const outcomes = (await box.admin.trail({ operation: 'Encrypt' })).map((event) => event.outcome);
      expect(outcomes).toEqual(['fault', 'fault', 'success', 'success']);
    });
  });

  describe('probability draws (in-process random)', () => {
    it('fires when the draw is below the probability, not otherwise', async () => {
      const draws = [0.3, 0.7, 0.49, 0.5];
      const local = await sandbox({ random: () => draws.shift() ?? 1 });
      try {
        const kms = clients(local, platformAdmin(local)).kms;
        const rule = local.faults.add({
          mode: 'throttle',
          service: 'kms',
          operation: 'ListKeys',
          probability: 0.5,
        });
        const outcomes: string[] = [];
        for (let i = 0; i < 4; i++)
          outcomes.push(
            await kms.send(new ListKeysCommand({})).then(
              () => 'ok',
              (error: Error) => error.name,
            ),
          );
        expect(outcomes).toEqual(['ThrottlingException', 'ok', 'ThrottlingException', 'ok']);
        expect(local.faults.list()).toEqual([expect.objectContaining({ id: rule.id, fired: 2 })]);
        expect(draws).toEqual([]);
      } finally {
        await local.close();
      }
    });

    it('draws once per request, even when the operation names a key later', async () => {
      let calls = 0;
      const draws = [0.9, 0.1];
      const local = await sandbox({ random: () => (calls++, draws.shift() ?? 1) });
      try {
        const kms = clients(local, platformAdmin(local)).kms;
        local.faults.add({ mode: 'throttle', service: 'kms', operation: 'Encrypt', probability: 0.5 });
        // The first draw (0.9) loses; the key lookup must not give the rule a second draw (0.1).
        const encrypted = await kms.send(
          new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: PLAINTEXT }),
        );
        expect(encrypted.KeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
        expect(calls).toBe(1);
        expect(local.faults.list()[0]?.fired).toBe(0);
        // The next request draws 0.1, and the rule fires.
        await expectAwsError(
          kms.send(new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: PLAINTEXT })),
          { name: 'ThrottlingException' },
        );
        expect(calls).toBe(2);
      } finally {
        await local.close();
      }
    });
  });

  describe('scoping', () => {
    it('by operation: Decrypt is faulted, Encrypt is not', async () => {
      await box.admin.addFault({ mode: 'unavailable', service: 'kms', operation: 'Decrypt' });
      const encrypted = await encrypt();
      expect(encrypted.CiphertextBlob).toBeDefined();
      await expectAwsError(
        platform.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })),
        { name: 'ServiceUnavailableException', status: 503 },
      );
      expect(await box.admin.faults()).toEqual([expect.objectContaining({ operation: 'Decrypt', fired: 1 })]);
    });

    it('by key ID: one key is unreachable, another is fine', async () => {
      await box.admin.addFault({ mode: 'unavailable', key: otherKeyId });
      await expectAwsError(encrypt(otherKeyId), { name: 'ServiceUnavailableException', status: 503 });
      await expectAwsError(encrypt(otherKeyArn), { name: 'ServiceUnavailableException', status: 503 });
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      expect((await encrypt(platformKeyArn)).KeyId).toBe(platformKeyArn);
      const faulted = await box.admin.trail({ outcome: 'fault' });
      expect(faulted.map((event) => event.keyArn)).toEqual([otherKeyArn, otherKeyArn]);
    });

    it('by key ARN: Decrypt of a ciphertext under that key is faulted (the key comes from the blob)', async () => {
      const underOther = await encrypt(otherKeyArn);
      const underPlatform = await encrypt();
      await box.admin.addFault({ mode: 'internal-error', key: otherKeyArn });
      await expectAwsError(
        platform.kms.send(new DecryptCommand({ CiphertextBlob: underOther.CiphertextBlob })),
        { name: 'KMSInternalException', status: 500 },
      );
      const decrypted = await platform.kms.send(
        new DecryptCommand({ CiphertextBlob: underPlatform.CiphertextBlob }),
      );
      expect(Buffer.from(decrypted.Plaintext!)).toEqual(PLAINTEXT);
      // Calls that name no key are not matched by a key-scoped rule.
      const listed = await platform.kms.send(new ListKeysCommand({}));
      expect(listed.Keys!.map((key) => key.KeyArn)).toContain(otherKeyArn);
    });

    it('by account: a customer-account key called by the platform is faulted when the rule names the customer account', async () => {
      const before = await encrypt(customerKeyArn);
      expect(before.KeyId).toBe(customerKeyArn);

      await box.admin.addFault({ mode: 'unavailable', account: CUSTOMER_ACCOUNT_ID });
      await expectAwsError(encrypt(customerKeyArn), { name: 'ServiceUnavailableException', status: 503 });
      // The platform's own key, and the platform's STS calls, are outside the rule.
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      expect((await platform.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(PLATFORM_ACCOUNT_ID);
      // The customer's own calls are in the customer account.
      await expectAwsError(customer.sts.send(new GetCallerIdentityCommand({})), {
        name: 'ServiceUnavailable',
        status: 503,
      });

      const [faulted] = await box.admin.trail({ outcome: 'fault', service: 'kms' });
      expect(faulted).toMatchObject({
        account: CUSTOMER_ACCOUNT_ID,
        callerAccount: PLATFORM_ACCOUNT_ID,
        keyArn: customerKeyArn,
      });
    });

    it('by account: an assumed-role session is faulted on the role account it assumes into', async () => {
      await box.admin.addFault({
        mode: 'throttle',
        service: 'sts',
        operation: 'AssumeRole',
        account: CUSTOMER_ACCOUNT_ID,
      });
      const assumed = await platform.sts.send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:role/keyward-service`,
          RoleSessionName: 'fault-test',
        }),
      );
      expect(assumed.Credentials?.AccessKeyId).toMatch(/^ASIA/);
      await expectAwsError(
        platform.sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/byok`,
            RoleSessionName: 'fault-test',
          }),
        ),
        {
          name: 'Throttling',
          status: 400,
        },
      );
    });

    it('by service: an IAM rule leaves KMS and STS alone', async () => {
      await box.admin.addFault({ mode: 'unavailable', service: 'iam' });
      await expectAwsError(platform.iam.send(new GetRoleCommand({ RoleName: 'keyward-service' })), {
        name: 'ServiceUnavailable',
        status: 503,
      });
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      expect((await platform.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
        `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:user/admin`,
      );
      expect(await box.admin.faults()).toEqual([expect.objectContaining({ service: 'iam', fired: 1 })]);
    });

    it('by region: a rule for another region does not fire', async () => {
      await box.admin.addFault({ mode: 'throttle', region: 'eu-west-1' });
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      const westKms = clients(box, platformAdmin(box), 'eu-west-1').kms;
      await expectAwsError(westKms.send(new ListKeysCommand({})), { name: 'ThrottlingException' });
    });
  });

  describe('managing rules', () => {
    it('removing one rule leaves the others', async () => {
      const throttle = await box.admin.addFault({ mode: 'throttle', service: 'kms', operation: 'Encrypt' });
      const sts = await box.admin.addFault({ mode: 'throttle', service: 'sts' });
      await box.admin.removeFault(throttle.id);
      expect((await box.admin.faults()).map((rule) => rule.id)).toEqual([sts.id]);
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      await expectAwsError(platform.sts.send(new GetCallerIdentityCommand({})), { name: 'Throttling' });
    });

    it('removing an unknown rule is a 404', async () => {
      await expect(box.admin.removeFault('no-such-rule')).rejects.toThrow(
        /404 not_found No fault rule no-such-rule/,
      );
    });

    it('in-process removal and listing agree with the admin API', async () => {
      const rule = box.faults.add({ mode: 'unavailable', service: 'kms' });
      expect((await box.admin.faults()).map((listed) => listed.id)).toEqual([rule.id]);
      expect(box.faults.remove(rule.id)).toBe(true);
      expect(box.faults.remove(rule.id)).toBe(false);
      expect(await box.admin.faults()).toEqual([]);
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
    });

    it('clearing removes every rule', async () => {
      await box.admin.addFault({ mode: 'throttle', service: 'kms' });
      box.faults.add({ mode: 'unavailable', service: 'sts' });
      expect(await box.admin.faults()).toHaveLength(2);
      await box.admin.clearFaults();
      expect(await box.admin.faults()).toEqual([]);
      expect(box.faults.list()).toEqual([]);
      expect((await encrypt()).KeyId).toBe(platformKeyArn);
      expect((await platform.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(PLATFORM_ACCOUNT_ID);
    });
  });

  describe('invalid rules', () => {
    const post = (body: string) =>
      fetch(`${box.endpoint}/_sandbox/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      }).then(async (response) => ({
        status: response.status,
        contentType: response.headers.get('content-type'),
        body: (await response.json()) as { error?: { code: string; message: string } },
      }));

    it.each([
      ['an unknown mode', { mode: 'explode' }, /mode/],
      ['latency without latencyMs', { mode: 'latency' }, /latency faults need latencyMs/],
      ['a probability above 1', { mode: 'throttle', probability: 1.5 }, /probability/],
      ['a negative probability', { mode: 'throttle', probability: -0.1 }, /probability/],
      ['times of zero', { mode: 'throttle', times: 0 }, /times/],
      ['fractional times', { mode: 'throttle', times: 1.5 }, /times/],
      ['an unknown service', { mode: 'throttle', service: 's3' }, /service/],
      [
        'a malformed account',
        { mode: 'throttle', account: '1234' },
        /account must be a 12-digit AWS account ID/,
      ],
      ['an unknown field', { mode: 'throttle', keyId: 'x' }, /keyId/],
      ['no mode', {}, /mode/],
      ['a negative latency', { mode: 'latency', latencyMs: -1 }, /latencyMs/],
      [
        'an operation the sandbox does not serve',
        { mode: 'throttle', operation: 'kms:Decrypt' },
        /operation: operation must be an operation name/,
      ],
      [
        'a key named by alias',
        { mode: 'throttle', key: 'alias/keyward-platform' },
        /key: key must be a key ID or key ARN/,
      ],
    ])('refuses %s with 400 invalid_fault', async (_label, rule, message) => {
      const answer = await post(JSON.stringify(rule));
      expect(answer.status).toBe(400);
      expect(answer.contentType).toBe('application/json');
      expect(answer.body.error?.code).toBe('invalid_fault');
      expect(answer.body.error?.message).toMatch(message);
      expect(await box.admin.faults()).toEqual([]);
    });

    it('refuses a body that is not JSON with 400 invalid_json', async () => {
      const answer = await post('{mode: throttle');
      expect(answer.status).toBe(400);
      expect(answer.body.error?.code).toBe('invalid_json');
    });

    it('the admin client surfaces the 400', async () => {
      await expect(box.admin.addFault({ mode: 'latency' })).rejects.toThrow(/400 invalid_fault/);
    });

    it('in-process add refuses an invalid rule too', () => {
      expect(() => box.faults.add({ mode: 'throttle', probability: 2 })).toThrow(/probability/);
      expect(box.faults.list()).toEqual([]);
    });
  });
});
