import {
  AssumedRoleCredentialCache,
  createKeyward,
  MemoryTenantKeyStore,
  PlatformKmsRootKey,
  SdkKmsPort,
  SdkStsPort,
  type AwsClientOptions,
} from '@keyward/core';
import type { FaultRuleInput } from '@keyward/sandbox';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  byokWorld,
  callCounts,
  expectAwsDetails,
  expectKeywardError,
  PLATFORM_KEY_ARN,
  REGION,
  TENANT,
  type ByokWorld,
} from './fixture.js';

/**
 * The SDK adapters under the sandbox's fault injection: what the adaptive retries absorb, and how
 * what they cannot absorb is reported. Each test builds its own ports, so that one test's
 * client-side rate limiting (adaptive retry mode) never slows another.
 */
const ANSWERED = true;

describe('AWS adapters under faults', () => {
  let world: ByokWorld;
  const closers: Array<{ close(): void }> = [];

  /** The key ARN behind the platform alias, asked once before any counting starts. */
  let platformKeyArn: string;

  beforeAll(async () => {
    world = await byokWorld();
    platformKeyArn = (await world.kms.describeKey({ region: REGION }, { keyId: PLATFORM_KEY_ARN })).keyArn;
  });
  afterAll(() => world.close());
  beforeEach(async () => {
    await world.box.admin.clearFaults();
    await world.box.admin.clearTrail();
  });
  afterEach(() => {
    for (const port of closers.splice(0)) port.close();
  });

  function kmsPort(overrides: Partial<AwsClientOptions> = {}): SdkKmsPort {
    const port = new SdkKmsPort({ ...world.options, ...overrides });
    closers.push(port);
    return port;
  }

  /** A customer-key Keyward whose AssumeRole goes through an STS port with these options. */
  function customerTenantVia(overrides: Partial<AwsClientOptions>) {
    const sts = new SdkStsPort({ ...world.options, ...overrides });
    closers.push(sts);
    const { root } = world.rootKey({ credentials: new AssumedRoleCredentialCache(sts) });
    return createKeyward({ store: new MemoryTenantKeyStore(), rootKeys: root });
  }

  const platformTenantVia = (overrides: Partial<AwsClientOptions>) =>
    createKeyward({
      store: new MemoryTenantKeyStore(),
      rootKeys: new PlatformKmsRootKey({ kms: kmsPort(overrides), keyArn: platformKeyArn }),
    });

  /** A platform-managed tenant with a ciphertext, evicted, so that the next decrypt calls KMS Decrypt. */
  async function coldPlatformTenant(overrides: Partial<AwsClientOptions> = {}) {
    const kw = platformTenantVia(overrides);
    await kw.createTenantKey('platform-tenant');
    const ciphertext = await kw.encrypt('platform-tenant', 'payload');
    kw.evict('platform-tenant');
    await world.box.admin.clearTrail();
    return { decrypt: () => kw.decrypt('platform-tenant', ciphertext) };
  }

  const decryptFault = (rule: Omit<FaultRuleInput, 'service' | 'operation'>) =>
    world.box.admin.addFault({ service: 'kms', operation: 'Decrypt', ...rule });

  it('throttling for a limited number of times is absorbed by the retries', async () => {
    const tenant = await coldPlatformTenant();
    await decryptFault({ mode: 'throttle', times: 2 });
    expect((await tenant.decrypt()).toString()).toBe('payload');
    expect((await world.box.admin.counters())['kms:Decrypt']).toMatchObject({
      calls: 3,
      faults: 2,
      success: 1,
      errorCodes: { ThrottlingException: 2 },
    });
    expect(await world.box.admin.faults()).toEqual([]);
  });

  it('persistent throttling: KW_AWS_THROTTLED after maxAttempts, keeping what AWS said', async () => {
    const tenant = await coldPlatformTenant();
    await decryptFault({ mode: 'throttle' });
    const error = await expectKeywardError(tenant.decrypt(), 'KW_AWS_THROTTLED');
    expect(error).toMatchObject({ category: 'unavailable', status: 503 });
    await expectAwsDetails(
      world.box,
      error,
      { service: 'kms', operation: 'Decrypt', errorName: 'ThrottlingException' },
      ANSWERED,
    );
    expect(error.aws?.awsMessage).toBe('Rate exceeded');
    expect((await world.box.admin.counters())['kms:Decrypt']).toMatchObject({ calls: 3, faults: 3 });
    // The next call after the fault clears goes through.
    await world.box.admin.clearFaults();
    expect((await tenant.decrypt()).toString()).toBe('payload');
  });

  it.each([
    { mode: 'unavailable', errorName: 'ServiceUnavailableException', httpStatus: 503 },
    { mode: 'internal-error', errorName: 'KMSInternalException', httpStatus: 500 },
  ] as const)(
    'persistent $mode: KW_AWS_UNAVAILABLE after retries ($errorName)',
    async ({ mode, errorName, httpStatus }) => {
      const tenant = await coldPlatformTenant();
      await decryptFault({ mode });
      const error = await expectKeywardError(tenant.decrypt(), 'KW_AWS_UNAVAILABLE');
      expect(error.category).toBe('unavailable');
      await expectAwsDetails(world.box, error, { service: 'kms', operation: 'Decrypt', errorName }, ANSWERED);
      expect(error.aws?.httpStatus).toBe(httpStatus);
      expect((await world.box.admin.counters())['kms:Decrypt']).toMatchObject({ calls: 3, faults: 3 });
    },
  );

  it('a dropped connection (reset): KW_AWS_UNAVAILABLE, with no request ID since AWS never answered', async () => {
    const tenant = await coldPlatformTenant();
    await decryptFault({ mode: 'reset' });
    const error = await expectKeywardError(tenant.decrypt(), 'KW_AWS_UNAVAILABLE');
    expect(error.aws).toMatchObject({ service: 'kms', operation: 'Decrypt', errorName: expect.any(String) });
    expect(error.aws?.requestId).toBeUndefined();
    expect((await world.box.admin.counters())['kms:Decrypt']).toMatchObject({ faults: 3 });
  });

  // @smithy/node-http-handler only logs a warning when requestTimeout passes unless the adapter sets
  // `throwOnRequestTimeout: true`; this test keeps that setting in place.
  it('a response slower than requestTimeoutMs: KW_AWS_UNAVAILABLE (TimeoutError)', async () => {
    const tenant = await coldPlatformTenant({ requestTimeoutMs: 200, maxAttempts: 1 });
    await decryptFault({ mode: 'latency', latencyMs: 1000 });
    const error = await expectKeywardError(tenant.decrypt(), 'KW_AWS_UNAVAILABLE');
    expect(error.aws).toMatchObject({ service: 'kms', operation: 'Decrypt', errorName: 'TimeoutError' });
    // The sandbox still answers the abandoned request; let it land before the next test counts calls.
    await vi.waitFor(async () => expect((await world.box.admin.counters())['kms:Decrypt']?.calls).toBe(1), {
      timeout: 5000,
      interval: 100,
    });
    await new Promise((resolve) => setTimeout(resolve, 1200));
  });

  it('nothing listening on the endpoint: KW_AWS_UNAVAILABLE from KMS and from STS, with no request ID', async () => {
    const closed = { endpoint: 'http://127.0.0.1:1' };
    const onKms = await expectKeywardError(
      platformTenantVia(closed).createTenantKey('x'),
      'KW_AWS_UNAVAILABLE',
    );
    expect(onKms.aws).toMatchObject({
      service: 'kms',
      operation: 'GenerateDataKey',
      errorName: 'ECONNREFUSED',
    });
    expect(onKms.aws?.requestId).toBeUndefined();
    expect((onKms.cause as { code?: string }).code).toBe('ECONNREFUSED');

    const onSts = await expectKeywardError(
      customerTenantVia(closed).createTenantKey(TENANT),
      'KW_AWS_UNAVAILABLE',
    );
    expect(onSts.aws).toMatchObject({ service: 'sts', operation: 'AssumeRole', errorName: 'ECONNREFUSED' });
    expect(onSts.aws?.requestId).toBeUndefined();
    expect(await callCounts(world.box)).toEqual({});
  });

  it.each([
    {
      service: 'kms',
      operation: 'GenerateDataKey',
      errorName: 'InvalidSignatureException',
      accessKeyId: 'AKIA111122223333ADMN',
    },
    {
      service: 'kms',
      operation: 'GenerateDataKey',
      errorName: 'UnrecognizedClientException',
      accessKeyId: 'AKIA111122223333NONE',
    },
    {
      service: 'sts',
      operation: 'AssumeRole',
      errorName: 'SignatureDoesNotMatch',
      accessKeyId: 'AKIA111122223333ADMN',
    },
    {
      service: 'sts',
      operation: 'AssumeRole',
      errorName: 'InvalidClientTokenId',
      accessKeyId: 'AKIA111122223333NONE',
    },
  ] as const)(
    'wrong platform credentials on $service ($errorName): KW_AWS_CREDENTIALS_INVALID',
    async ({ service, operation, errorName, accessKeyId }) => {
      const credentials = { credentials: { accessKeyId, secretAccessKey: 'not-the-secret' } };
      const kw = service === 'kms' ? platformTenantVia(credentials) : customerTenantVia(credentials);
      const error = await expectKeywardError(kw.createTenantKey(TENANT), 'KW_AWS_CREDENTIALS_INVALID');
      expect(error).toMatchObject({ category: 'internal', status: 500 });
      await expectAwsDetails(world.box, error, { service, operation, errorName }, ANSWERED);
    },
  );

  it("STS throttling for a limited number of times is absorbed: the customer's key is reached anyway", async () => {
    await world.box.admin.addFault({ mode: 'throttle', service: 'sts', operation: 'AssumeRole', times: 2 });
    const kw = createKeyward({ store: new MemoryTenantKeyStore(), rootKeys: world.rootKey().root });
    expect(await kw.createTenantKey(TENANT)).toMatchObject({ version: 1, rootKeyId: world.keyArn });
    expect((await world.box.admin.counters())['sts:AssumeRole']).toMatchObject({
      calls: 3,
      faults: 2,
      success: 1,
      errorCodes: { Throttling: 2 },
    });
    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 3, 'kms:GenerateDataKey': 1 });
  });
});
