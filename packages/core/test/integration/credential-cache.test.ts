import {
  createKeyward,
  ManualClock,
  MemoryTenantKeyStore,
  type AssumedRoleCredentialCache,
  type AwsCredentials,
} from '@keyward/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BYOK_ROLE_ARN,
  byokWorld,
  customer,
  drain,
  expectKeywardError,
  EXTERNAL_ID,
  REGION,
  TENANT,
  type ByokWorld,
} from './fixture.js';

/**
 * AssumedRoleCredentialCache against the sandbox's STS. Core's ManualClock and the sandbox's
 * resource time are moved together, so sessions expire on both sides as they would in AWS.
 * Sessions last 1 hour; the cache stops using one 1 minute before expiry and refreshes it in the
 * background 5 minutes before that, i.e. 54 minutes after it was issued.
 */
const MINUTE = 60_000;
const request = { roleArn: BYOK_ROLE_ARN, externalId: EXTERNAL_ID, roleSessionName: `keyward-${TENANT}` };
const WAIT = { timeout: 10_000, interval: 20 };

describe('AssumedRoleCredentialCache over the wire', () => {
  let world: ByokWorld;
  let clock: ManualClock;
  let cache: AssumedRoleCredentialCache;

  beforeEach(async () => {
    world = await byokWorld();
    clock = new ManualClock(Date.now());
    cache = world.rootKey({ cache: { clock } }).credentials;
    await world.box.admin.clearTrail();
  });
  afterEach(() => world.close());

  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    await world.box.admin.advanceClock(ms / 1000);
  }

  const assumeRoleCounter = async () => (await world.box.admin.counters())['sts:AssumeRole'];
  const many = async (n = 50) =>
    new Set(
      (await Promise.all(Array.from({ length: n }, () => cache.get(request)))).map(
        (credentials) => credentials.accessKeyId,
      ),
    );
  const works = (credentials: AwsCredentials) =>
    world.kms.describeKey({ region: REGION, credentials }, { keyId: world.keyArn });

  it('reuses the session, refreshes it once in the background inside the refresh-ahead window, and assumes again after expiry', async () => {
    const first = await cache.get(request);
    expect(first.accessKeyId).toMatch(/^ASIA/);
    expect(await many()).toEqual(new Set([first.accessKeyId]));
    expect(await assumeRoleCounter()).toMatchObject({ calls: 1, success: 1 });

    // 55 minutes on: inside the window. Every caller still gets the old session at once,
    // while exactly one AssumeRole runs behind them.
    await advance(55 * MINUTE);
    expect(await many()).toEqual(new Set([first.accessKeyId]));
    await vi.waitFor(() => expect(world.sts.settled).toBe(2), WAIT);
    await drain();
    expect(await assumeRoleCounter()).toMatchObject({ calls: 2, success: 2 });
    expect(cache.assumeRoleCalls).toBe(2);

    const refreshed = await cache.get(request);
    expect(refreshed.accessKeyId).not.toBe(first.accessKeyId);
    expect(await many()).toEqual(new Set([refreshed.accessKeyId]));
    // The old session is still valid in AWS until its own expiry; both work.
    await works(first);
    await works(refreshed);
    expect(await assumeRoleCounter()).toMatchObject({ calls: 2 });

    // Past the refreshed session's expiry: AWS refuses it, and the cache does not hand it out but
    // assumes the role again before answering.
    await advance(61 * MINUTE);
    const expired = await expectKeywardError(works(refreshed), 'KW_AWS_CREDENTIALS_INVALID');
    expect(expired.aws).toMatchObject({
      service: 'kms',
      operation: 'DescribeKey',
      errorName: 'ExpiredTokenException',
    });
    const third = await cache.get(request);
    expect(third.accessKeyId).not.toBe(refreshed.accessKeyId);
    await works(third);
    expect(await assumeRoleCounter()).toMatchObject({ calls: 3, success: 3 });
  });

  it('a refresh that STS refuses (trust policy changed) drops the session at once', async () => {
    const first = await cache.get(request);
    await customer(world.box).trustExternalIds('kw-another-platform-external-id');
    // The trust change does not end the session; while it is fresh the cache keeps using it.
    expect((await cache.get(request)).accessKeyId).toBe(first.accessKeyId);

    await advance(55 * MINUTE);
    expect((await cache.get(request)).accessKeyId).toBe(first.accessKeyId);
    await vi.waitFor(() => expect(world.sts.failures).toHaveLength(1), WAIT);
    await drain();
    expect(world.sts.failures[0]?.code).toBe('KW_STS_ACCESS_DENIED');

    // The old session would still work in AWS for a few minutes, but access was withdrawn:
    // the next caller gets STS's refusal, from a new AssumeRole.
    await works(first);
    const error = await expectKeywardError(cache.get(request), 'KW_STS_ACCESS_DENIED');
    expect(error.aws).toMatchObject({ service: 'sts', operation: 'AssumeRole', errorName: 'AccessDenied' });
    expect(await assumeRoleCounter()).toMatchObject({ calls: 3, success: 1, errors: 2 });
  });

  it('a refresh that fails for an outage keeps the current session until it can be refreshed', async () => {
    const first = await cache.get(request);
    await world.box.admin.addFault({ mode: 'unavailable', service: 'sts', operation: 'AssumeRole' });

    await advance(55 * MINUTE);
    expect((await cache.get(request)).accessKeyId).toBe(first.accessKeyId);
    await vi.waitFor(() => expect(world.sts.failures).toHaveLength(1), WAIT);
    await drain();
    expect(world.sts.failures[0]?.code).toBe('KW_AWS_UNAVAILABLE');
    expect((await world.box.admin.counters())['sts:AssumeRole']).toMatchObject({ success: 1, faults: 3 });

    // STS is back: the next caller still gets the old session and triggers a refresh that succeeds.
    await world.box.admin.clearFaults();
    expect((await cache.get(request)).accessKeyId).toBe(first.accessKeyId);
    await vi.waitFor(() => expect(world.sts.settled).toBe(3), WAIT);
    await drain();
    expect((await cache.get(request)).accessKeyId).not.toBe(first.accessKeyId);
  });

  it('evict() forgets the session of one role; the next caller assumes the role again', async () => {
    const first = await cache.get(request);
    cache.evict(BYOK_ROLE_ARN, 'kw-some-other-external-id');
    expect((await cache.get(request)).accessKeyId).toBe(first.accessKeyId);
    cache.evict(BYOK_ROLE_ARN);
    const [a, b] = await Promise.all([cache.get(request), cache.get(request)]);
    expect(a.accessKeyId).not.toBe(first.accessKeyId);
    expect(b.accessKeyId).toBe(a.accessKeyId);
    expect(await assumeRoleCounter()).toMatchObject({ calls: 2 });
  });

  it('a session AWS refuses as expired before the cache expected is forgotten, and the KMS call is made once more with a fresh one', async () => {
    // Only AWS's clock moves (as with clock skew): the cache still believes the session is valid.
    const { root } = world.rootKey({ cache: { clock }, tenantId: 'skewed' });
    const kw = createKeyward({ store: new MemoryTenantKeyStore(), rootKeys: root, clock });
    await kw.createTenantKey('skewed');
    const ciphertext = await kw.encrypt('skewed', 'still readable');
    kw.evict('skewed');
    await world.box.admin.advanceClock(2 * 3600);
    await world.box.admin.clearTrail();

    expect((await kw.decrypt('skewed', ciphertext)).toString()).toBe('still readable');
    const decrypts = await world.box.admin.trail({ service: 'kms', operation: 'Decrypt' });
    expect(decrypts.map((event) => event.errorCode ?? 'ok')).toEqual(['ExpiredTokenException', 'ok']);
    expect((await world.box.admin.counters())['sts:AssumeRole']).toMatchObject({ calls: 1, success: 1 });
    kw.close();
  });

  it('sessions are kept per session name, so two tenants sharing a role never sign as each other', async () => {
    const a = await cache.get({ ...request, roleSessionName: 'keyward-tenant-a' });
    const b = await cache.get({ ...request, roleSessionName: 'keyward-tenant-b' });
    expect(a.accessKeyId).not.toBe(b.accessKeyId);
    expect((await cache.get({ ...request, roleSessionName: 'keyward-tenant-a' })).accessKeyId).toBe(
      a.accessKeyId,
    );
    await world.box.admin.clearTrail();
    await works(a);
    await works(b);
    const principals = (await world.box.admin.trail({ service: 'kms', operation: 'DescribeKey' })).map(
      (event) => event.principalArn,
    );
    expect(principals).toEqual([
      expect.stringMatching(/assumed-role\/keyward-byok\/keyward-tenant-a$/),
      expect.stringMatching(/assumed-role\/keyward-byok\/keyward-tenant-b$/),
    ]);
  });
});
