import { createKeyward, ManualClock, type Clock } from '@keyward/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  byokWorld,
  callCounts,
  customer,
  expectAwsDetails,
  expectKeywardError,
  EXTERNAL_ID,
  SERVICE_SESSION_ARN,
  BYOK_ROLE_ARN,
  byokSessionArn,
  TENANT,
  type ByokWorld,
} from './fixture.js';

/**
 * The customer withdraws access, and gives it back, in their own account. Keyward keeps working
 * from its cache (the documented bound: until evict() or the TTL), then fails closed with a
 * catalogued error that keeps what AWS said; once access is restored, old ciphertexts decrypt.
 *
 * The key policy here has no "Enable IAM User Permissions" statement, so its statement naming the
 * BYOK role is the role's only grant, and removing it revokes access.
 */
const SETUP = { keepRootStatement: false } as const;

describe('revocation and restoration by the customer', () => {
  let world: ByokWorld;
  let account: ReturnType<typeof customer>;

  beforeEach(async () => {
    world = await byokWorld(SETUP);
    account = customer(world.box);
  });
  afterEach(() => world.close());

  /** A tenant with a key under the CMK, a ciphertext made before any revocation, and a warm cache. */
  async function tenant(options: { clock?: Clock; ttlMs?: number } = {}) {
    const { root, credentials } = world.rootKey();
    const kw = createKeyward({
      store: world.store,
      rootKeys: root,
      cache: { ttlMs: options.ttlMs ?? 60_000 },
      ...(options.clock ? { clock: options.clock } : {}),
    });
    await kw.createTenantKey(TENANT);
    const before = await kw.encrypt(TENANT, 'made before revocation');
    await world.box.admin.clearTrail();
    const decrypts = async (ciphertext: Uint8Array, expected = 'made before revocation') =>
      expect((await kw.decrypt(TENANT, ciphertext)).toString()).toBe(expected);
    return { kw, root, credentials, before, decrypts };
  }

  it('DisableKey: cached keys work without calling KMS; after evict, KW_KMS_KEY_DISABLED; EnableKey restores', async () => {
    const { kw, before, decrypts } = await tenant();
    await account.disableKey(world.keyArn);

    const whileCached = await kw.encrypt(TENANT, 'made while cached');
    await decrypts(before);
    expect(await callCounts(world.box)).toEqual({ 'kms:DisableKey': 1 });

    expect(kw.evict(TENANT)).toBe(1);
    const onDecrypt = await expectKeywardError(kw.decrypt(TENANT, before), 'KW_KMS_KEY_DISABLED');
    expect(onDecrypt).toMatchObject({ category: 'revoked', status: 403 });
    await expectAwsDetails(world.box, onDecrypt, {
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'DisabledException',
    });
    expect(onDecrypt.aws?.awsMessage).toBe(`${world.keyArn} is disabled.`);
    // Encrypting needs the tenant key unwrapped too; rotating needs GenerateDataKey.
    const onEncrypt = await expectKeywardError(kw.encrypt(TENANT, 'refused'), 'KW_KMS_KEY_DISABLED');
    await expectAwsDetails(world.box, onEncrypt, {
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'DisabledException',
    });
    const onRotate = await expectKeywardError(kw.rotateTenantKey(TENANT), 'KW_KMS_KEY_DISABLED');
    await expectAwsDetails(world.box, onRotate, {
      service: 'kms',
      operation: 'GenerateDataKey',
      errorName: 'DisabledException',
    });
    expect((await kw.listKeyVersions(TENANT)).latestVersion).toBe(1);

    await account.enableKey(world.keyArn);
    await decrypts(before);
    await decrypts(whileCached, 'made while cached');
    await decrypts(await kw.encrypt(TENANT, 'after'), 'after');
  });

  it('without evict, the cache TTL bounds how long a disabled CMK keeps working (ManualClock)', async () => {
    const clock = new ManualClock(Date.now());
    const { kw, before, decrypts } = await tenant({ clock, ttlMs: 1000 });
    await account.disableKey(world.keyArn);

    clock.advance(999);
    await decrypts(before);
    expect(await callCounts(world.box)).toEqual({ 'kms:DisableKey': 1 });

    clock.advance(2);
    const error = await expectKeywardError(kw.decrypt(TENANT, before), 'KW_KMS_KEY_DISABLED');
    await expectAwsDetails(world.box, error, {
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'DisabledException',
    });
    await expectKeywardError(kw.encrypt(TENANT, 'refused'), 'KW_KMS_KEY_DISABLED');

    await account.enableKey(world.keyArn);
    await decrypts(before);
  });

  it('ScheduleKeyDeletion: KW_KMS_KEY_PENDING_DELETION; CancelKeyDeletion leaves it Disabled; EnableKey restores', async () => {
    const { kw, before, decrypts } = await tenant();
    await account.scheduleKeyDeletion(world.keyArn);
    await decrypts(before);

    kw.evict(TENANT);
    const error = await expectKeywardError(kw.decrypt(TENANT, before), 'KW_KMS_KEY_PENDING_DELETION');
    expect(error.category).toBe('revoked');
    await expectAwsDetails(world.box, error, {
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'KMSInvalidStateException',
    });
    expect(error.aws?.awsMessage).toBe(`${world.keyArn} is pending deletion.`);

    await account.cancelKeyDeletion(world.keyArn);
    expect(await account.keyState(world.keyArn)).toBe('Disabled');
    await expectKeywardError(kw.decrypt(TENANT, before), 'KW_KMS_KEY_DISABLED');

    await account.enableKey(world.keyArn);
    await decrypts(before);
  });

  it('key policy statement removed: KW_KMS_ACCESS_DENIED; putting it back restores', async () => {
    const { kw, before, decrypts } = await tenant();
    await account.putKeyPolicy(world.keyArn, { ...SETUP, keyPolicyStatement: false });
    await decrypts(before);

    kw.evict(TENANT);
    const error = await expectKeywardError(kw.decrypt(TENANT, before), 'KW_KMS_ACCESS_DENIED');
    expect(error.category).toBe('revoked');
    await expectAwsDetails(world.box, error, {
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'AccessDeniedException',
    });
    expect(error.aws?.awsMessage).toBe(
      `User: ${byokSessionArn()} is not authorized to perform: kms:Decrypt on resource: ${world.keyArn} because no resource-based policy allows the kms:Decrypt action`,
    );

    await account.putKeyPolicy(world.keyArn, SETUP);
    await decrypts(before);
  });

  it('trust policy changed to another External ID: the live session still works; once it is forgotten, KW_STS_ACCESS_DENIED', async () => {
    const { kw, root, credentials, before, decrypts } = await tenant();
    await account.trustExternalIds('kw-another-platform-external-id');

    // As in AWS, a trust policy change does not end sessions already issued: evicting keys alone
    // is not enough, the next unwrap uses the cached session and KMS answers.
    kw.evict(TENANT);
    await decrypts(before);
    expect(await callCounts(world.box)).toEqual({ 'iam:UpdateAssumeRolePolicy': 1, 'kms:Decrypt': 1 });

    kw.evict(TENANT);
    root.forgetSession();
    const error = await expectKeywardError(kw.decrypt(TENANT, before), 'KW_STS_ACCESS_DENIED');
    expect(error).toMatchObject({ category: 'revoked', status: 403 });
    await expectAwsDetails(world.box, error, {
      service: 'sts',
      operation: 'AssumeRole',
      errorName: 'AccessDenied',
    });
    expect(error.aws?.awsMessage).toBe(
      `User: ${SERVICE_SESSION_ARN} is not authorized to perform: sts:AssumeRole on resource: ${BYOK_ROLE_ARN}`,
    );
    expect(credentials.assumeRoleCalls).toBe(2);

    // The same through evictAll() on the credential cache, then restored.
    credentials.evictAll();
    await expectKeywardError(kw.encrypt(TENANT, 'refused'), 'KW_STS_ACCESS_DENIED');
    await account.trustExternalIds(EXTERNAL_ID);
    await decrypts(before);
  });

  it('key ARN naming the wrong region: KW_KMS_KEY_NOT_FOUND from KMS in that region, and no tenant is created', async () => {
    const elsewhere = world.keyArn.replace(':us-east-1:', ':eu-west-1:');
    const { root } = world.rootKey({ tenantId: 'elsewhere', keyArn: elsewhere });
    expect(root.region).toBe('eu-west-1');
    const kw = createKeyward({ store: world.store, rootKeys: root });
    await world.box.admin.clearTrail();

    const error = await expectKeywardError(kw.createTenantKey('elsewhere'), 'KW_KMS_KEY_NOT_FOUND');
    expect(error.category).toBe('revoked');
    await expectAwsDetails(world.box, error, {
      service: 'kms',
      operation: 'GenerateDataKey',
      errorName: 'NotFoundException',
    });
    expect(error.aws?.awsMessage).toBe(`Key '${elsewhere}' does not exist`);
    const [event] = await world.box.admin.trail({ service: 'kms' });
    expect(event?.region).toBe('eu-west-1');
    expect(await world.store.getPolicy('elsewhere')).toBeUndefined();
  });
});
