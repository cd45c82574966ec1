import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ListKeysCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  SandboxAdminClient,
  SandboxConfigError,
  type RunningSandbox,
  type TrailEvent,
} from '../src/index.js';
import {
  clients,
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  expectAwsError,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  REGION,
  sandbox,
} from '@keyward/test-kit/sandbox-clients';
import { kmsCall } from './signed-request.js';

const PLATFORM_ADMIN_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:user/admin`;
const CUSTOMER_ADMIN_ARN = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin`;
const SERVICE_ROLE_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:role/keyward-service`;

type Admin = (
  path: string,
  init?: { method?: string; body?: string; token?: string },
) => Promise<{ status: number; contentType: string | null; text: string; json: unknown }>;

function adminFetch(box: RunningSandbox): Admin {
  return async (path, init = {}) => {
    const response = await fetch(`${box.endpoint}/_sandbox/${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      body: init.body,
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get('content-type'),
      text,
      json: text ? (JSON.parse(text) as unknown) : undefined,
    };
  };
}

describe('trail and counters', () => {
  let box: RunningSandbox;
  let platform: ReturnType<typeof clients>;
  let customer: ReturnType<typeof clients>;
  let platformKeyArn: string;
  let admin: Admin;

  beforeAll(async () => {
    box = await sandbox();
    platform = clients(box, platformAdmin(box));
    customer = clients(box, customerAdmin(box));
    platformKeyArn = (await platform.kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
      .KeyMetadata!.Arn!;
    admin = adminFetch(box);
  });
  beforeEach(async () => {
    await box.admin.clearFaults();
    await box.admin.clearTrail();
  });
  afterAll(() => box.close());

  describe('what an event records', () => {
    it('a successful KMS call: time, account, principal, operation, key, context, outcome and the request ID the client saw', async () => {
      const context = { tenant: 'acme', purpose: 'trail-test' };
      const before = Date.now();
      const encrypted = await platform.kms.send(
        new EncryptCommand({
          KeyId: 'alias/keyward-platform',
          Plaintext: Buffer.from('record me not'),
          EncryptionContext: context,
        }),
      );
      const after = Date.now();

      const events = await box.admin.trail();
      expect(events).toHaveLength(1);
      const event = events[0]!;
      expect(event).toMatchObject({
        service: 'kms',
        operation: 'Encrypt',
        region: REGION,
        account: PLATFORM_ACCOUNT_ID,
        callerAccount: PLATFORM_ACCOUNT_ID,
        principalArn: PLATFORM_ADMIN_ARN,
        accessKeyId: platformAdmin(box).accessKeyId,
        keyArn: platformKeyArn,
        encryptionContext: context,
        outcome: 'success',
        resources: [],
        sourceIp: '127.0.0.1',
      });
      expect(event.errorCode).toBeUndefined();
      expect(event.requestId).toBe(encrypted.$metadata.requestId);
      expect(event.requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(event.eventId).not.toBe(event.requestId);
      expect(event.userAgent).toMatch(/aws-sdk-js/);
      const time = Date.parse(event.eventTime);
      expect(new Date(time).toISOString()).toBe(event.eventTime);
      expect(time).toBeGreaterThanOrEqual(before);
      expect(time).toBeLessThanOrEqual(after);
    });

    it('the request ID matches the x-amzn-requestid header of a raw call', async () => {
      const response = await kmsCall(box.endpoint, platformAdmin(box), 'TrentService.ListKeys', '{}');
      expect(response.status).toBe(200);
      const header = response.headers.get('x-amzn-requestid');
      expect(header).toBeTruthy();
      const [event] = await box.admin.trail();
      expect(event).toMatchObject({ operation: 'ListKeys', requestId: header, outcome: 'success' });
    });

    it('a Decrypt records the encryption context it was called with', async () => {
      const context = { tenant: 'globex' };
      const encrypted = await platform.kms.send(
        new EncryptCommand({
          KeyId: platformKeyArn,
          Plaintext: Buffer.from('x'),
          EncryptionContext: context,
        }),
      );
      const decrypted = await platform.kms.send(
        new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: context }),
      );
      const [event] = await box.admin.trail({ operation: 'Decrypt' });
      expect(event).toMatchObject({
        keyArn: platformKeyArn,
        encryptionContext: context,
        outcome: 'success',
        requestId: decrypted.$metadata.requestId,
      });
    });

    it('an STS AssumeRole names the caller, the role account and the role', async () => {
      const assumed = await platform.sts.send(
        new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_ARN, RoleSessionName: 'trail-session' }),
      );
      const [event] = await box.admin.trail({ service: 'sts' });
      expect(event).toMatchObject({
        service: 'sts',
        operation: 'AssumeRole',
        account: PLATFORM_ACCOUNT_ID,
        principalArn: PLATFORM_ADMIN_ARN,
        resources: [SERVICE_ROLE_ARN],
        outcome: 'success',
        requestId: assumed.$metadata.requestId,
      });
      expect(event!.keyArn).toBeUndefined();

      // Calls made with the session's credentials are attributed to the assumed-role principal.
      const session = clients(box, {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      });
      const encrypted = await session.kms.send(
        new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: Buffer.from('y') }),
      );
      const [kmsEvent] = await box.admin.trail({ operation: 'Encrypt' });
      expect(kmsEvent).toMatchObject({
        principalArn: `arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/trail-session`,
        accessKeyId: assumed.Credentials!.AccessKeyId,
        keyArn: platformKeyArn,
        requestId: encrypted.$metadata.requestId,
      });
    });

    it('an IAM call lands in the trail too', async () => {
      const role = await platform.iam.send(new GetRoleCommand({ RoleName: 'keyward-service' }));
      expect(role.Role?.Arn).toBe(SERVICE_ROLE_ARN);
      const [event] = await box.admin.trail({ service: 'iam' });
      expect(event).toMatchObject({
        operation: 'GetRole',
        principalArn: PLATFORM_ADMIN_ARN,
        resources: [SERVICE_ROLE_ARN],
        outcome: 'success',
        requestId: role.$metadata.requestId,
      });
    });
  });

  describe('failed calls', () => {
    it('AccessDenied: another account using the platform key', async () => {
      const error = await expectAwsError(
        customer.kms.send(new EncryptCommand({ KeyId: platformKeyArn, Plaintext: Buffer.from('z') })),
        { name: 'AccessDeniedException', status: 400 },
      );
      const [event] = await box.admin.trail();
      expect(event).toMatchObject({
        operation: 'Encrypt',
        outcome: 'error',
        errorCode: 'AccessDeniedException',
        account: PLATFORM_ACCOUNT_ID,
        callerAccount: CUSTOMER_ACCOUNT_ID,
        principalArn: CUSTOMER_ADMIN_ARN,
        keyArn: platformKeyArn,
        requestId: (error as { $metadata?: { requestId?: string } }).$metadata?.requestId,
      });
      expect(event!.errorMessage).toContain('kms:Encrypt');
    });

    it('AccessDenied on STS AssumeRole', async () => {
      await expectAwsError(
        customer.sts.send(new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_ARN, RoleSessionName: 'intruder' })),
        { name: 'AccessDenied', status: 403 },
      );
      const [event] = await box.admin.trail();
      expect(event).toMatchObject({
        operation: 'AssumeRole',
        outcome: 'error',
        errorCode: 'AccessDenied',
        principalArn: CUSTOMER_ADMIN_ARN,
        account: PLATFORM_ACCOUNT_ID,
      });
    });

    it('InvalidCiphertext: the wrong encryption context', async () => {
      const encrypted = await platform.kms.send(
        new EncryptCommand({
          KeyId: platformKeyArn,
          Plaintext: Buffer.from('ctx'),
          EncryptionContext: { tenant: 'a' },
        }),
      );
      const error = await expectAwsError(
        platform.kms.send(
          new DecryptCommand({
            CiphertextBlob: encrypted.CiphertextBlob,
            EncryptionContext: { tenant: 'b' },
          }),
        ),
        {
          name: 'InvalidCiphertextException',
          status: 400,
        },
      );
      const [event] = await box.admin.trail({ operation: 'Decrypt' });
      expect(event).toMatchObject({
        outcome: 'error',
        errorCode: 'InvalidCiphertextException',
        keyArn: platformKeyArn,
        encryptionContext: { tenant: 'b' },
        requestId: (error as { $metadata?: { requestId?: string } }).$metadata?.requestId,
      });
    });

    it('an unknown key: NotFoundException with no key ARN', async () => {
      const missing = '00000000-1111-2222-3333-444444444444';
      await expectAwsError(platform.kms.send(new DescribeKeyCommand({ KeyId: missing })), {
        name: 'NotFoundException',
        status: 400,
      });
      const [event] = await box.admin.trail();
      expect(event).toMatchObject({
        operation: 'DescribeKey',
        outcome: 'error',
        errorCode: 'NotFoundException',
        principalArn: PLATFORM_ADMIN_ARN,
        account: PLATFORM_ACCOUNT_ID,
      });
      expect(event!.errorMessage).toContain(missing);
      expect(event!.keyArn).toBeUndefined();
    });

    it('an unknown access key: recorded as an error before any principal is known', async () => {
      const stranger = clients(box, { accessKeyId: 'AKIA999999999999ZZZZ', secretAccessKey: 'nope' });
      await expectAwsError(stranger.kms.send(new ListKeysCommand({})), {
        name: 'UnrecognizedClientException',
      });
      const [event] = await box.admin.trail();
      expect(event).toMatchObject({
        service: 'kms',
        operation: 'ListKeys',
        outcome: 'error',
        errorCode: 'UnrecognizedClientException',
      });
      expect(event!.principalArn).toBeUndefined();
    });

    it('counters count errors by code', async () => {
      for (let i = 0; i < 3; i++)
        await expectAwsError(customer.kms.send(new DescribeKeyCommand({ KeyId: platformKeyArn })), {
          name: 'AccessDeniedException',
        });
      await customer.kms.send(new ListKeysCommand({}));
      const counters = await box.admin.counters();
      expect(counters['kms:DescribeKey']).toEqual({
        calls: 3,
        success: 0,
        errors: 3,
        faults: 0,
        errorCodes: { AccessDeniedException: 3 },
      });
      expect(counters['kms:ListKeys']).toEqual({
        calls: 1,
        success: 1,
        errors: 0,
        faults: 0,
        errorCodes: {},
      });
    });
  });

  describe('plaintext', () => {
    it('never appears in the trail, whichever operation carried it', async () => {
      const secret = 'TOP-SECRET-plaintext-7f3a9c-do-not-log';
      const plaintext = Buffer.from(secret, 'utf8');
      const encrypted = await platform.kms.send(
        new EncryptCommand({
          KeyId: 'alias/keyward-platform',
          Plaintext: plaintext,
          EncryptionContext: { tenant: 'acme' },
        }),
      );
      const decrypted = await platform.kms.send(
        new DecryptCommand({
          CiphertextBlob: encrypted.CiphertextBlob,
          EncryptionContext: { tenant: 'acme' },
        }),
      );
      expect(Buffer.from(decrypted.Plaintext!).toString('utf8')).toBe(secret);
      const dataKey = await platform.kms.send(
        new GenerateDataKeyCommand({ KeyId: platformKeyArn, KeySpec: 'AES_256' }),
      );
      await platform.kms.send(
        new ReEncryptCommand({
          CiphertextBlob: encrypted.CiphertextBlob,
          SourceEncryptionContext: { tenant: 'acme' },
          DestinationKeyId: platformKeyArn,
        }),
      );
      // Failed calls carrying the plaintext, too.
      await expectAwsError(
        customer.kms.send(new EncryptCommand({ KeyId: platformKeyArn, Plaintext: plaintext })),
        { name: 'AccessDeniedException' },
      );
      await expectAwsError(
        platform.kms.send(
          new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: Buffer.alloc(5000, secret) }),
        ),
        { name: 'ValidationException' },
      );

      const response = await admin('trail');
      expect(response.status).toBe(200);
      const events = (response.json as { events: TrailEvent[] }).events;
      expect(events.map((event) => event.operation)).toEqual([
        'Encrypt',
        'Decrypt',
        'GenerateDataKey',
        'ReEncrypt',
        'Encrypt',
        'Encrypt',
      ]);
      const forbidden = [
        secret,
        plaintext.toString('base64'),
        plaintext.toString('hex'),
        Buffer.from(dataKey.Plaintext!).toString('base64'),
        'TOP-SECRET',
      ];
      for (const text of [
        response.text,
        JSON.stringify(box.trail.query()),
        (await admin('counters')).text,
        (await admin('state')).text,
      ]) {
        for (const needle of forbidden) expect(text).not.toContain(needle);
      }
    });
  });

  describe('filters', () => {
    it('by operation, service, key ARN, account, principal and outcome', async () => {
      const other = await customer.kms.send(new CreateKeyCommand({ Description: 'customer key' }));
      const customerKeyArn = other.KeyMetadata!.Arn!;
      await platform.kms.send(new EncryptCommand({ KeyId: platformKeyArn, Plaintext: Buffer.from('1') }));
      await customer.kms.send(new EncryptCommand({ KeyId: customerKeyArn, Plaintext: Buffer.from('2') }));
      await expectAwsError(
        customer.kms.send(new EncryptCommand({ KeyId: platformKeyArn, Plaintext: Buffer.from('3') })),
        { name: 'AccessDeniedException' },
      );
      await platform.sts.send(new GetCallerIdentityCommand({}));

      expect((await box.admin.trail()).map((event) => event.operation)).toEqual([
        'CreateKey',
        'Encrypt',
        'Encrypt',
        'Encrypt',
        'GetCallerIdentity',
      ]);
      expect(await box.admin.trail({ operation: 'Encrypt' })).toHaveLength(3);
      expect((await box.admin.trail({ service: 'sts' })).map((event) => event.operation)).toEqual([
        'GetCallerIdentity',
      ]);

      const onPlatformKey = await box.admin.trail({ keyArn: platformKeyArn });
      expect(onPlatformKey.map((event) => [event.principalArn, event.outcome])).toEqual([
        [PLATFORM_ADMIN_ARN, 'success'],
        [CUSTOMER_ADMIN_ARN, 'error'],
      ]);
      expect((await box.admin.trail({ keyArn: customerKeyArn })).map((event) => event.operation)).toEqual([
        'CreateKey',
        'Encrypt',
      ]);

      // account matches the resource owner or the caller.
      expect(
        (await box.admin.trail({ account: CUSTOMER_ACCOUNT_ID })).map((event) => event.operation),
      ).toEqual(['CreateKey', 'Encrypt', 'Encrypt']);
      expect(
        (await box.admin.trail({ account: PLATFORM_ACCOUNT_ID })).map((event) => event.operation),
      ).toEqual(['Encrypt', 'Encrypt', 'GetCallerIdentity']);
      expect(await box.admin.trail({ account: '999999999999' })).toEqual([]);

      expect(
        (await box.admin.trail({ principalArn: CUSTOMER_ADMIN_ARN })).map((event) => event.outcome),
      ).toEqual(['success', 'success', 'error']);
      const errors = await box.admin.trail({ outcome: 'error' });
      expect(errors.map((event) => event.errorCode)).toEqual(['AccessDeniedException']);
      expect(await box.admin.trail({ outcome: 'fault' })).toEqual([]);
      expect(
        await box.admin.trail({ operation: 'Encrypt', outcome: 'success', account: PLATFORM_ACCOUNT_ID }),
      ).toHaveLength(1);
    });

    it('by outcome fault', async () => {
      await box.admin.addFault({ mode: 'throttle', service: 'kms', times: 1 });
      await expectAwsError(platform.kms.send(new ListKeysCommand({})), { name: 'ThrottlingException' });
      await platform.kms.send(new ListKeysCommand({}));
      const faults = await box.admin.trail({ outcome: 'fault' });
      expect(faults).toHaveLength(1);
      expect(faults[0]).toMatchObject({ operation: 'ListKeys', errorCode: 'ThrottlingException' });
    });

    it('since: only events at or after the given time (resource time)', async () => {
      await platform.kms.send(new ListKeysCommand({}));
      const [first] = await box.admin.trail();
      const advanced = await box.admin.advanceClock(3600);
      expect(Date.parse(advanced.now)).toBeGreaterThanOrEqual(Date.parse(first!.eventTime) + 3_600_000);
      await platform.kms.send(new DescribeKeyCommand({ KeyId: platformKeyArn }));

      const since = new Date(Date.parse(first!.eventTime) + 1_800_000).toISOString();
      expect((await box.admin.trail({ since })).map((event) => event.operation)).toEqual(['DescribeKey']);
      expect((await box.admin.trail({ since: first!.eventTime })).map((event) => event.operation)).toEqual([
        'ListKeys',
        'DescribeKey',
      ]);
      expect(
        await box.admin.trail({ since: new Date(Date.parse(advanced.now) + 86_400_000).toISOString() }),
      ).toEqual([]);
    });

    it('limit: the newest N events', async () => {
      for (const keyId of ['alias/keyward-platform', platformKeyArn, 'alias/keyward-platform'])
        await platform.kms.send(new DescribeKeyCommand({ KeyId: keyId }));
      await platform.kms.send(new ListKeysCommand({}));
      await platform.sts.send(new GetCallerIdentityCommand({}));
      expect((await box.admin.trail({ limit: 2 })).map((event) => event.operation)).toEqual([
        'ListKeys',
        'GetCallerIdentity',
      ]);
      expect((await box.admin.trail({ limit: 1, service: 'kms' })).map((event) => event.operation)).toEqual([
        'ListKeys',
      ]);
      expect(await box.admin.trail({ limit: 100 })).toHaveLength(5);
      expect(await box.admin.trail({ limit: 0 })).toEqual([]);
    });
  });

  describe('counters', () => {
    it('count exactly N kms:Decrypt calls after N decrypts', async () => {
      const encrypted = await platform.kms.send(
        new EncryptCommand({ KeyId: platformKeyArn, Plaintext: Buffer.from('count me') }),
      );
      const decrypts = 7;
      for (let i = 0; i < decrypts; i++)
        await platform.kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
      const counters = await box.admin.counters();
      expect(counters['kms:Decrypt']).toEqual({
        calls: decrypts,
        success: decrypts,
        errors: 0,
        faults: 0,
        errorCodes: {},
      });
      expect(counters['kms:Encrypt']?.calls).toBe(1);
      expect(Object.keys(counters).sort()).toEqual(['kms:Decrypt', 'kms:Encrypt']);
      expect(box.trail.counts()['kms:Decrypt']?.calls).toBe(decrypts);
    });

    it('count faults separately', async () => {
      await box.admin.addFault({ mode: 'unavailable', service: 'sts', times: 2 });
      for (let i = 0; i < 3; i++)
        await platform.sts.send(new GetCallerIdentityCommand({})).catch(() => undefined);
      expect((await box.admin.counters())['sts:GetCallerIdentity']).toEqual({
        calls: 3,
        success: 1,
        errors: 0,
        faults: 2,
        errorCodes: { ServiceUnavailable: 2 },
      });
    });
  });

  describe('clearing', () => {
    it('DELETE /_sandbox/trail empties the events and the counters', async () => {
      await platform.kms.send(new ListKeysCommand({}));
      await platform.sts.send(new GetCallerIdentityCommand({}));
      expect(await box.admin.trail()).toHaveLength(2);
      const response = await admin('trail', { method: 'DELETE' });
      expect(response.status).toBe(204);
      expect(await box.admin.trail()).toEqual([]);
      expect(await box.admin.counters()).toEqual({});
      await platform.kms.send(new ListKeysCommand({}));
      expect((await box.admin.counters())['kms:ListKeys']?.calls).toBe(1);
    });
  });

  describe('admin routes', () => {
    it('an unknown route is a 404 with a JSON error', async () => {
      const response = await admin('nonsense');
      expect(response.status).toBe(404);
      expect(response.contentType).toBe('application/json');
      expect(response.json).toEqual({
        error: { code: 'not_found', message: 'No sandbox admin route GET /_sandbox/nonsense' },
      });
      const wrongMethod = await admin('counters', { method: 'POST' });
      expect(wrongMethod.status).toBe(404);
      expect((wrongMethod.json as { error: { code: string } }).error.code).toBe('not_found');
    });

    it('a path below a route is not that route: 404, and nothing happens', async () => {
      await platform.kms.send(new ListKeysCommand({}));
      for (const [method, path] of [
        ['GET', 'trail/extra'],
        ['DELETE', 'trail/all'],
        ['GET', 'counters/kms'],
        ['POST', 'reset/now'],
        ['GET', 'faults/some-id'],
        ['DELETE', 'faults/a/b'],
        ['GET', ''],
      ] as const) {
        const response = await admin(path, { method });
        expect(response.status, `${method} ${path}`).toBe(404);
        expect((response.json as { error: { code: string } }).error.code).toBe('not_found');
      }
      expect((await box.admin.trail()).map((event) => event.operation)).toEqual(['ListKeys']);
      expect(box.store.data.keys[platformKeyArn]).toBeDefined();
    });

    it.each([
      ['outcome=failure', /outcome must be success, error or fault/],
      ['limit=ten', /limit must be a non-negative integer/],
      ['limit=-1', /limit must be a non-negative integer/],
      ['since=yesterday', /since must be a date-time/],
    ])('a trail filter it cannot apply (%s) is a 400, not an unfiltered answer', async (query, message) => {
      await platform.kms.send(new ListKeysCommand({}));
      const response = await admin(`trail?${query}`);
      expect(response.status).toBe(400);
      expect((response.json as { error: { code: string; message: string } }).error).toMatchObject({
        code: 'invalid_query',
        message: expect.stringMatching(message),
      });
    });

    it('GET /_sandbox/health answers ok', async () => {
      const response = await admin('health');
      expect(response).toMatchObject({ status: 200, json: { status: 'ok' } });
    });
  });

  describe('clock', () => {
    it('POST /_sandbox/clock moves resource time: a session expires', async () => {
      const start = await admin('clock');
      expect(start.status).toBe(200);
      const startOffset = (start.json as { offsetSeconds: number }).offsetSeconds;

      const assumed = await platform.sts.send(
        new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_ARN, RoleSessionName: 'short', DurationSeconds: 900 }),
      );
      const session = clients(box, {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken!,
      });
      expect((await session.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
        `arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/short`,
      );

      const moved = await box.admin.advanceClock(901);
      expect(moved.offsetSeconds).toBe(startOffset + 901);
      expect(box.clock.offsetMs()).toBe((startOffset + 901) * 1000);
      await expectAwsError(session.sts.send(new GetCallerIdentityCommand({})), {
        name: 'ExpiredToken',
        status: 403,
      });
      await expectAwsError(session.kms.send(new ListKeysCommand({})), { name: 'ExpiredTokenException' });
      // Long-lived user keys are unaffected.
      expect((await platform.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(PLATFORM_ACCOUNT_ID);
    });

    it.each([
      ['a negative advance', '{"advanceSeconds":-5}', 'invalid_clock'],
      ['a zero advance', '{"advanceSeconds":0}', 'invalid_clock'],
      ['a string', '{"advanceSeconds":"60"}', 'invalid_clock'],
      ['a missing field', '{}', 'invalid_clock'],
      ['an unknown field', '{"advanceSeconds":60,"back":true}', 'invalid_clock'],
      ['more than ten years', `{"advanceSeconds":${11 * 365 * 86_400}}`, 'invalid_clock'],
      ['a body that is not JSON', 'sixty', 'invalid_json'],
    ])('refuses %s with 400 and leaves the clock alone', async (_label, body, code) => {
      const before = box.clock.offsetMs();
      const response = await admin('clock', { method: 'POST', body });
      expect(response.status).toBe(400);
      expect((response.json as { error: { code: string } }).error.code).toBe(code);
      expect(box.clock.offsetMs()).toBe(before);
    });

    it('the admin client rejects a negative advance', async () => {
      await expect(box.admin.advanceClock(-1)).rejects.toThrow(/400 invalid_clock/);
    });
  });
});

describe('trailLimit', () => {
  it('keeps only the newest events, while the counters count every call', async () => {
    const box = await sandbox({ trailLimit: 3 });
    try {
      const { kms, sts } = clients(box, platformAdmin(box));
      await kms.send(new ListKeysCommand({}));
      await kms.send(new ListKeysCommand({}));
      await sts.send(new GetCallerIdentityCommand({}));
      await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
      const last = await sts.send(new GetCallerIdentityCommand({}));
      const events = await box.admin.trail();
      expect(events.map((event) => event.operation)).toEqual([
        'GetCallerIdentity',
        'DescribeKey',
        'GetCallerIdentity',
      ]);
      expect(events[2]!.requestId).toBe(last.$metadata.requestId);
      const counters = await box.admin.counters();
      expect(counters['kms:ListKeys']?.calls).toBe(2);
      expect(counters['sts:GetCallerIdentity']?.calls).toBe(2);
    } finally {
      await box.close();
    }
  });
});

describe('admin token', () => {
  const token = 'a-very-secret-admin-token-0123';
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox({ adminToken: token });
  });
  afterAll(() => box.close());

  it('refuses admin calls without the token, or with the wrong one, with 401', async () => {
    const admin = adminFetch(box);
    for (const path of ['trail', 'counters', 'faults', 'health', 'nonsense']) {
      const response = await admin(path);
      expect(response.status).toBe(401);
      expect((response.json as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const wrong = await admin('trail', { token: 'a-very-secret-admin-token-0124' });
    expect(wrong.status).toBe(401);
    const add = await admin('faults', { method: 'POST', body: '{"mode":"throttle"}', token: 'short' });
    expect(add.status).toBe(401);
    expect(box.faults.list()).toEqual([]);
    await expect(new SandboxAdminClient(box.endpoint).trail()).rejects.toThrow(/401 unauthorized/);
  });

  it('accepts admin calls with the token', async () => {
    const admin = adminFetch(box);
    const response = await admin('health', { token });
    expect(response).toMatchObject({ status: 200, json: { status: 'ok' } });
    await clients(box, platformAdmin(box)).kms.send(new ListKeysCommand({}));
    // box.admin carries the configured token.
    expect((await box.admin.trail()).map((event) => event.operation)).toEqual(['ListKeys']);
    expect((await box.admin.counters())['kms:ListKeys']?.calls).toBe(1);
  });

  it('does not apply to the AWS APIs', async () => {
    const identity = await clients(box, platformAdmin(box)).sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe(PLATFORM_ADMIN_ARN);
  });

  it('must be at least 16 characters', async () => {
    const attempt = sandbox({ adminToken: 'too-short' });
    await expect(attempt).rejects.toBeInstanceOf(SandboxConfigError);
    await expect(attempt).rejects.toThrow(
      /adminToken \(KEYWARD_SANDBOX_ADMIN_TOKEN\): the admin token must have at least 16 characters/,
    );
  });
});

describe('reset', () => {
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(() => box.close());

  it('POST /_sandbox/reset restores the seed and clears the trail and faults', async () => {
    const { kms, sts } = clients(box, platformAdmin(box));
    const created = await kms.send(new CreateKeyCommand({ Description: 'made after the seed' }));
    await kms.send(
      new CreateAliasCommand({ AliasName: 'alias/temporary', TargetKeyId: created.KeyMetadata!.KeyId }),
    );
    expect((await kms.send(new ListKeysCommand({}))).Keys).toHaveLength(2);
    await box.admin.addFault({ mode: 'throttle', service: 'iam' });

    const response = await fetch(`${box.endpoint}/_sandbox/reset`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'reset' });

    expect(await box.admin.trail()).toEqual([]);
    expect(await box.admin.counters()).toEqual({});
    expect(await box.admin.faults()).toEqual([]);

    const keys = (await kms.send(new ListKeysCommand({}))).Keys!;
    expect(keys).toHaveLength(1);
    expect(keys[0]!.KeyArn).not.toBe(created.KeyMetadata!.Arn);
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata!.Arn })), {
      name: 'NotFoundException',
    });
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: 'alias/temporary' })), {
      name: 'NotFoundException',
    });
    const platformKey = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
    expect(platformKey.KeyMetadata!.Description).toBe('Keyward platform key (tenants without BYOK)');
    expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(PLATFORM_ADMIN_ARN);

    const state = (await (await fetch(`${box.endpoint}/_sandbox/state`)).json()) as {
      accounts: { id: string; roles: string[] }[];
      keys: unknown[];
      activeSessions: number;
    };
    expect(state.accounts.map((account) => account.id)).toEqual([PLATFORM_ACCOUNT_ID, CUSTOMER_ACCOUNT_ID]);
    expect(state.accounts[0]!.roles).toEqual([SERVICE_ROLE_ARN]);
    expect(state.keys).toHaveLength(1);
  });

  it('the admin client resets too, dropping sessions', async () => {
    const { sts } = clients(box, platformAdmin(box));
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_ARN, RoleSessionName: 'before-reset' }),
    );
    await box.admin.reset();
    const session = clients(box, {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    });
    await expectAwsError(session.sts.send(new GetCallerIdentityCommand({})), {
      name: 'InvalidClientTokenId',
      status: 403,
    });
  });
});
