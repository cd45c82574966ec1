import { createKeyward, type CustomerKmsRootKey, type Keyward } from '@keyward/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  byokSessionArn,
  byokWorld,
  callCounts,
  customer,
  EXTERNAL_ID,
  TENANT,
  wrapContext,
  type ByokWorld,
} from './fixture.js';

/**
 * The caches and single-flight, proven by what reached the sandbox: N concurrent callers for a cold
 * tenant cost one AssumeRole and one KMS call, a warm tenant costs none. The trail is cleared
 * before each phase, so its counters are exactly that phase's calls.
 */
const WAVE = 1000;
const OTHER = 'globex';
const OTHER_EXTERNAL_ID = 'kw-0e1d2c3b4a5968778695a4b3c2d1e0f1';

describe('caches and single-flight over the wire', () => {
  let world: ByokWorld;
  let kw: Keyward;
  /** The root key each tenant resolves to; replaced (with a fresh credential cache) to go cold. */
  const roots = new Map<string, CustomerKmsRootKey>();
  const ciphertexts = new Map<string, Buffer[]>();

  const freshRoot = (tenantId: string, externalId: string) =>
    roots.set(tenantId, world.rootKey({ tenantId, externalId }).root);

  /** Evicts the tenant's keys and forgets its assumed-role session, then clears the trail. */
  async function goCold(...tenants: string[]): Promise<void> {
    for (const tenantId of tenants) {
      kw.evict(tenantId);
      freshRoot(tenantId, tenantId === TENANT ? EXTERNAL_ID : OTHER_EXTERNAL_ID);
    }
    await world.box.admin.clearTrail();
  }

  beforeAll(async () => {
    world = await byokWorld();
    // Each tenant has its own External ID; the customer's role trusts both.
    await customer(world.box).trustExternalIds(EXTERNAL_ID, OTHER_EXTERNAL_ID);
    kw = createKeyward({ store: world.store, rootKeys: (tenantId) => roots.get(tenantId)! });
    for (const [tenantId, externalId] of [
      [TENANT, EXTERNAL_ID],
      [OTHER, OTHER_EXTERNAL_ID],
    ] as const) {
      freshRoot(tenantId, externalId);
      await kw.createTenantKey(tenantId);
      const made: Buffer[] = [];
      for (let i = 0; i < WAVE; i++) made.push(await kw.encrypt(tenantId, `${tenantId} message ${i}`));
      ciphertexts.set(tenantId, made);
    }
  });
  afterAll(() => world.close());

  const decryptAll = (tenantId: string) =>
    Promise.all(ciphertexts.get(tenantId)!.map((ciphertext) => kw.decrypt(tenantId, ciphertext)));
  const expectPlaintexts = (tenantId: string, plaintexts: Buffer[]) =>
    expect(plaintexts.map((plaintext) => plaintext.toString())).toEqual(
      ciphertexts.get(tenantId)!.map((_, i) => `${tenantId} message ${i}`),
    );

  it(`${WAVE} concurrent decrypts for a cold tenant cost one AssumeRole and one KMS Decrypt`, async () => {
    await goCold(TENANT);
    const loadsBefore = kw.stats().loads;
    expectPlaintexts(TENANT, await decryptAll(TENANT));

    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 1, 'kms:Decrypt': 1 });
    expect(kw.stats().loads - loadsBefore).toBe(1);
    const [decrypt] = await world.box.admin.trail({ service: 'kms' });
    expect(decrypt).toMatchObject({
      keyArn: world.keyArn,
      principalArn: byokSessionArn(TENANT),
      encryptionContext: wrapContext(TENANT, 1),
    });
  });

  it(`${WAVE} concurrent encrypts for a cold tenant cost one AssumeRole and one KMS Decrypt`, async () => {
    await goCold(TENANT);
    const made = await Promise.all(Array.from({ length: WAVE }, (_, i) => kw.encrypt(TENANT, `fresh ${i}`)));

    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 1, 'kms:Decrypt': 1 });
    // Decrypting them is local too.
    const opened = await Promise.all(made.map((ciphertext) => kw.decrypt(TENANT, ciphertext)));
    expect(opened.map(String)).toEqual(made.map((_, i) => `fresh ${i}`));
    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 1, 'kms:Decrypt': 1 });
  });

  it('a second wave on a warm tenant costs no AWS call at all', async () => {
    await goCold(TENANT);
    await kw.decrypt(TENANT, ciphertexts.get(TENANT)![0]!);
    await world.box.admin.clearTrail();

    const [opened] = await Promise.all([
      decryptAll(TENANT),
      Promise.all(Array.from({ length: WAVE }, (_, i) => kw.encrypt(TENANT, `warm ${i}`))),
    ]);
    expectPlaintexts(TENANT, opened);
    expect(await callCounts(world.box)).toEqual({});
  });

  it('two cold tenants decrypting at once cost one session and one Decrypt each, each in its own name and context', async () => {
    await goCold(TENANT, OTHER);
    const [ours, theirs] = await Promise.all([decryptAll(TENANT), decryptAll(OTHER)]);
    expectPlaintexts(TENANT, ours);
    expectPlaintexts(OTHER, theirs);

    expect(await callCounts(world.box)).toEqual({ 'sts:AssumeRole': 2, 'kms:Decrypt': 2 });
    const decrypts = await world.box.admin.trail({ service: 'kms', operation: 'Decrypt' });
    const seen = decrypts.map((event) => [event.principalArn, event.encryptionContext]);
    expect(seen).toHaveLength(2);
    expect(seen).toEqual(
      expect.arrayContaining([
        [byokSessionArn(TENANT), wrapContext(TENANT, 1)],
        [byokSessionArn(OTHER), wrapContext(OTHER, 1)],
      ]),
    );
  });

  it('a load that fails is not cached: every caller of the wave sees the error, and the next wave loads once', async () => {
    await goCold(TENANT);
    const account = customer(world.box);
    await account.disableKey(world.keyArn);
    const results = await Promise.allSettled(
      ciphertexts.get(TENANT)!.map((ciphertext) => kw.decrypt(TENANT, ciphertext)),
    );
    expect(
      results.every(
        (result) =>
          result.status === 'rejected' && (result.reason as { code?: string }).code === 'KW_KMS_KEY_DISABLED',
      ),
    ).toBe(true);
    await account.enableKey(world.keyArn);
    expectPlaintexts(TENANT, await decryptAll(TENANT));

    expect(await callCounts(world.box)).toEqual({
      'sts:AssumeRole': 1,
      'kms:DisableKey': 1,
      'kms:EnableKey': 1,
      'kms:Decrypt': 2,
    });
  });
});
