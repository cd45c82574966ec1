import { createKeyward } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BYOK_ROLE_ARN,
  byokSessionArn,
  byokWorld,
  callCounts,
  expectAwsDetails,
  expectKeywardError,
  SERVICE_SESSION_ARN,
  TENANT,
  wrapContext,
  type ByokWorld,
} from './fixture.js';

/**
 * CustomerKmsRootKey over real HTTP: the platform's keyward-service session assumes the customer's
 * keyward-byok role with the tenant's External ID, then wraps and unwraps tenant keys with the
 * customer's CMK. The sandbox's trail is what the customer would see in CloudTrail.
 */
describe('CustomerKmsRootKey against the sandbox', () => {
  let world: ByokWorld;

  beforeAll(async () => {
    world = await byokWorld();
  });
  afterAll(() => world.close());
  beforeEach(async () => {
    await world.box.admin.clearTrail();
  });

  it('wraps a new tenant key, encrypts, and after evict unwraps it again through AWS', async () => {
    const { root, credentials } = world.rootKey();
    const kw = createKeyward({ store: world.store, rootKeys: root });

    const created = await kw.createTenantKey(TENANT);
    expect(created).toMatchObject({ version: 1, rootKeyId: world.keyArn });
    const context = { purpose: 'integration' };
    const ciphertext = await kw.encrypt(TENANT, 'customer secret', context);
    const text = await kw.encryptText(TENANT, 'text form');
    expect(kw.evict(TENANT)).toBe(1);

    expect((await kw.decrypt(TENANT, ciphertext, context)).toString()).toBe('customer secret');
    expect((await kw.decrypt(TENANT, text)).toString()).toBe('text form');
    await expectKeywardError(kw.decrypt(TENANT, ciphertext, { purpose: 'other' }), 'KW_DECRYPTION_FAILED');

    // One session served every call; the stored record names the CMK.
    expect(credentials.assumeRoleCalls).toBe(1);
    const stored = await world.store.getVersion(TENANT, 1);
    expect(stored?.rootKeyId).toBe(world.keyArn);
    expect(await callCounts(world.box)).toEqual({
      'sts:AssumeRole': 1,
      'kms:GenerateDataKey': 1,
      'kms:Decrypt': 2,
    });
  });

  it("the trail shows the AssumeRole and every KMS call on the CMK, by the tenant's session, with the tenant's context", async () => {
    const { root } = world.rootKey({ tenantId: 'trail-tenant' });
    const trailKw = createKeyward({ store: world.store, rootKeys: root });
    await trailKw.createTenantKey('trail-tenant');
    await trailKw.encrypt('trail-tenant', 'x');
    trailKw.evict('trail-tenant');
    await trailKw.encrypt('trail-tenant', 'y');

    const events = await world.box.admin.trail();
    expect(events.map((event) => `${event.service}:${event.operation}:${event.outcome}`)).toEqual([
      'sts:AssumeRole:success',
      'kms:GenerateDataKey:success',
      'kms:Decrypt:success',
      'kms:Decrypt:success',
    ]);
    const [assume, ...kmsCalls] = events;
    // The platform's service role session assumed the customer's role, in the customer's account.
    expect(assume).toMatchObject({
      principalArn: SERVICE_SESSION_ARN,
      callerAccount: PLATFORM_ACCOUNT_ID,
      account: CUSTOMER_ACCOUNT_ID,
      resources: [BYOK_ROLE_ARN],
    });
    for (const event of kmsCalls) {
      expect(event).toMatchObject({
        keyArn: world.keyArn,
        account: CUSTOMER_ACCOUNT_ID,
        callerAccount: CUSTOMER_ACCOUNT_ID,
        // The session name is keyward-<tenant>, so the customer can tell tenants apart in CloudTrail.
        principalArn: byokSessionArn('trail-tenant'),
        encryptionContext: wrapContext('trail-tenant', 1),
      });
      expect(event.accessKeyId).toMatch(/^ASIA/);
    }
  });

  it('the External ID is what lets the platform in: a root key with another External ID is refused by STS', async () => {
    // The sandbox trail does not record AssumeRole's request parameters, so the External ID is
    // proven by the trust policy's sts:ExternalId condition: the right one passes, another fails.
    const { root } = world.rootKey({ tenantId: 'other-id', externalId: 'kw-not-the-customers-external-id' });
    const otherKw = createKeyward({ store: world.store, rootKeys: root });
    const error = await expectKeywardError(otherKw.createTenantKey('other-id'), 'KW_STS_ACCESS_DENIED');
    expect(error.category).toBe('revoked');
    await expectAwsDetails(world.box, error, {
      service: 'sts',
      operation: 'AssumeRole',
      errorName: 'AccessDenied',
    });
    expect(error.aws?.awsMessage).toBe(
      `User: ${SERVICE_SESSION_ARN} is not authorized to perform: sts:AssumeRole on resource: ${BYOK_ROLE_ARN}`,
    );
    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 1 });
  });

  it('rotation wraps each version under the CMK with its own version in the context', async () => {
    const { root } = world.rootKey({ tenantId: 'rotating' });
    const rotKw = createKeyward({ store: world.store, rootKeys: root });
    await rotKw.createTenantKey('rotating');
    const v1 = await rotKw.encrypt('rotating', 'one');
    expect(await rotKw.rotateTenantKey('rotating')).toMatchObject({ version: 2, rootKeyId: world.keyArn });
    const v2 = await rotKw.encrypt('rotating', 'two');
    rotKw.evict('rotating');
    expect((await rotKw.decrypt('rotating', v1)).toString()).toBe('one');
    expect((await rotKw.decrypt('rotating', v2)).toString()).toBe('two');

    const generated = await world.box.admin.trail({ service: 'kms', operation: 'GenerateDataKey' });
    expect(generated.map((event) => event.encryptionContext)).toEqual([
      wrapContext('rotating', 1),
      wrapContext('rotating', 2),
    ]);
    const decrypted = await world.box.admin.trail({ service: 'kms', operation: 'Decrypt' });
    // v1 unwrapped for the first encrypt, v2 for the second; then both again after evict.
    expect(decrypted.map((event) => event.encryptionContext)).toEqual(
      [1, 2, 1, 2].map((version) => wrapContext('rotating', version)),
    );
  });
});
