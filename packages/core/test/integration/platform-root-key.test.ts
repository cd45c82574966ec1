import { createKeyward, MemoryTenantKeyStore, PlatformKmsRootKey } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  byokSessionArn,
  byokWorld,
  callCounts,
  customer,
  expectKeywardError,
  PLATFORM_KEY_ARN,
  REGION,
  SERVICE_SESSION_ARN,
  TENANT,
  wrapContext,
  type ByokWorld,
} from './fixture.js';

/**
 * The platform's own KMS key (alias/keyward-platform, used with the keyward-service session's
 * credentials, which its `use-platform-key` policy allows), and moving a tenant from it to the
 * customer's CMK with rewrapTenantKeys.
 */
describe('PlatformKmsRootKey and enabling BYOK for an existing tenant', () => {
  let world: ByokWorld;
  let platformRoot: PlatformKmsRootKey;
  /** The key the alias names, as KMS and the trail report it. */
  let platformKeyArn: string;

  beforeAll(async () => {
    world = await byokWorld();
    platformRoot = await PlatformKmsRootKey.resolve({ kms: world.kms, keyArn: PLATFORM_KEY_ARN });
    platformKeyArn = (await world.kms.describeKey({ region: REGION }, { keyId: PLATFORM_KEY_ARN })).keyArn;
    // The alias is resolved once: the root key is identified by the key ARN, which an alias change cannot move.
    expect(platformRoot.id).toBe(platformKeyArn);
  });
  afterAll(() => world.close());
  beforeEach(async () => {
    await world.box.admin.clearTrail();
  });

  /** A tenant on the platform key with versions 1–3 and one ciphertext under each. */
  async function platformTenant(tenantId: string) {
    const store = new MemoryTenantKeyStore();
    const kw = createKeyward({ store, rootKeys: platformRoot });
    await kw.createTenantKey(tenantId);
    const made = [await kw.encrypt(tenantId, 'version 1')];
    for (const version of [2, 3]) {
      expect(await kw.rotateTenantKey(tenantId)).toMatchObject({ version, rootKeyId: platformKeyArn });
      made.push(await kw.encrypt(tenantId, `version ${version}`));
    }
    await world.box.admin.clearTrail();
    return { store, kw, made };
  }

  it("a platform-managed tenant works end to end, with the platform's credentials and no AssumeRole", async () => {
    const { store, kw, made } = await platformTenant('initech');
    expect((await store.listVersions('initech')).map((record) => record.rootKeyId)).toEqual([
      platformKeyArn,
      platformKeyArn,
      platformKeyArn,
    ]);
    kw.evict('initech');
    for (const [i, ciphertext] of made.entries())
      expect((await kw.decrypt('initech', ciphertext)).toString()).toBe(`version ${i + 1}`);
    const dataKey = await kw.generateDataKey('initech');
    expect(dataKey).toMatchObject({ keyVersion: 3 });
    expect((await kw.decrypt('initech', dataKey.wrappedKey)).equals(dataKey.plaintextKey)).toBe(true);

    expect(await callCounts(world.box)).toEqual({ 'kms:Decrypt': 3 });
    const events = await world.box.admin.trail();
    expect(events.map((event) => event.encryptionContext)).toEqual(
      [1, 2, 3].map((version) => wrapContext('initech', version)),
    );
    for (const event of events) {
      expect(event).toMatchObject({
        operation: 'Decrypt',
        keyArn: platformKeyArn,
        principalArn: SERVICE_SESSION_ARN,
        account: PLATFORM_ACCOUNT_ID,
        outcome: 'success',
      });
    }
  });

  it("rewrapTenantKeys moves every version to the customer's CMK; a Keyward resolving the CMK decrypts the old ciphertexts", async () => {
    const { store, kw, made } = await platformTenant(TENANT);
    const { root: customerRoot } = world.rootKey();

    expect(await kw.rewrapTenantKeys(TENANT, platformRoot, customerRoot)).toEqual({ rewrapped: 3 });
    expect((await store.listVersions(TENANT)).map((record) => [record.version, record.rootKeyId])).toEqual(
      [1, 2, 3].map((version) => [version, world.keyArn]),
    );
    expect((await kw.listKeyVersions(TENANT)).versions.map((version) => version.rootKeyId)).toEqual([
      world.keyArn,
      world.keyArn,
      world.keyArn,
    ]);

    // Per version: unwrap with the platform key, Encrypt under the CMK, Decrypt to check it.
    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 1, 'kms:Decrypt': 6, 'kms:Encrypt': 3 });
    const encrypts = await world.box.admin.trail({ service: 'kms', operation: 'Encrypt' });
    expect(encrypts.map((event) => event.encryptionContext)).toEqual(
      [1, 2, 3].map((version) => wrapContext(TENANT, version)),
    );
    for (const event of encrypts)
      expect(event).toMatchObject({
        keyArn: world.keyArn,
        account: CUSTOMER_ACCOUNT_ID,
        principalArn: byokSessionArn(),
        outcome: 'success',
      });
    const platformDecrypts = await world.box.admin.trail({ operation: 'Decrypt', keyArn: platformKeyArn });
    expect(platformDecrypts.map((event) => event.encryptionContext)).toEqual(
      [1, 2, 3].map((version) => wrapContext(TENANT, version)),
    );

    // The Keyward still resolving the platform key now refuses instead of using a stale wrap.
    await expectKeywardError(kw.decrypt(TENANT, made[0]!), 'KW_ROOT_KEY_MISMATCH');

    const byok = createKeyward({
      store,
      rootKeys: (tenantId) => (tenantId === TENANT ? customerRoot : platformRoot),
    });
    await world.box.admin.clearTrail();
    for (const [i, ciphertext] of made.entries())
      expect((await byok.decrypt(TENANT, ciphertext)).toString()).toBe(`version ${i + 1}`);
    const unwraps = await world.box.admin.trail({ service: 'kms' });
    expect(unwraps.map((event) => [event.operation, event.keyArn, event.principalArn])).toEqual(
      [1, 2, 3].map(() => ['Decrypt', world.keyArn, byokSessionArn()]),
    );

    // Running it again finds nothing left to move, and costs nothing.
    await world.box.admin.clearTrail();
    expect(await byok.rewrapTenantKeys(TENANT, platformRoot, customerRoot)).toEqual({ rewrapped: 0 });
    expect(await callCounts(world.box)).toEqual({});

    // And back (reverting BYOK): the platform key decrypts them again.
    expect(await byok.rewrapTenantKeys(TENANT, customerRoot, platformRoot)).toEqual({ rewrapped: 3 });
    const reverted = createKeyward({ store, rootKeys: platformRoot });
    for (const [i, ciphertext] of made.entries())
      expect((await reverted.decrypt(TENANT, ciphertext)).toString()).toBe(`version ${i + 1}`);
  });

  it('a rewrap the CMK refuses (disabled) replaces nothing; the tenant keeps working on the platform key', async () => {
    const tenantId = 'hooli';
    const { store, kw, made } = await platformTenant(tenantId);
    const { root: customerRoot } = world.rootKey({ tenantId });
    const account = customer(world.box);
    await account.disableKey(world.keyArn);
    try {
      const error = await expectKeywardError(
        kw.rewrapTenantKeys(tenantId, platformRoot, customerRoot),
        'KW_KMS_KEY_DISABLED',
      );
      expect(error.aws).toMatchObject({
        service: 'kms',
        operation: 'Encrypt',
        errorName: 'DisabledException',
      });
    } finally {
      await account.enableKey(world.keyArn);
    }
    expect((await store.listVersions(tenantId)).map((record) => record.rootKeyId)).toEqual([
      platformKeyArn,
      platformKeyArn,
      platformKeyArn,
    ]);
    kw.evict(tenantId);
    for (const [i, ciphertext] of made.entries())
      expect((await kw.decrypt(tenantId, ciphertext)).toString()).toBe(`version ${i + 1}`);
  });
});
