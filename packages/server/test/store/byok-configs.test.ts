import { roleIdentity, type CheckReport } from '@keyward/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  BYOK_STATES,
  ByokStateConflict,
  transition,
  type ByokEvent,
  type ByokState,
} from '../../src/index.js';
import type { Store } from '../../src/index.js';
import { ByokConfigs } from '../../src/store/byok-configs.js';
import { BACKENDS } from './backends.js';

const EVENTS: ByokEvent[] = [
  'issue_external_id',
  'configure',
  'test',
  'test_passed',
  'test_failed',
  'enable',
  'health_denied',
  'health_unreachable',
  'health_ok',
  'switch_cmk',
  'switch_done',
  'switch_failed',
  'revert',
  'revert_done',
  'revert_failed',
  'platform_rewrap',
  'abort',
];
const ROLE = 'arn:aws:iam::444455556666:role/KeywardByok';
const CMK = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONFIG = { roleArn: ROLE, cmkArn: CMK, externalId: 'kw-external' };
const T0 = new Date('2026-01-01T00:00:00Z');
const T1 = new Date('2026-01-02T00:00:00Z');

describe.each(BACKENDS)('ByokConfigs (the one owner of byok_configs) on $name', (backend) => {
  let store: Store;
  let configs: ByokConfigs;
  beforeAll(async () => {
    if (!backend.available) return;
    store = await backend.open();
    configs = new ByokConfigs(store.db);
  });
  afterAll(async () => {
    if (backend.available) await store.close();
  });
  beforeEach(async (context) => {
    if (!backend.available) return context.skip();
    await store.db.deleteFrom('tenants').execute();
    await tenant('acme');
  });

  async function tenant(id: string): Promise<void> {
    await store.db.transaction().execute(async (trx) => {
      await trx.insertInto('tenants').values({ id, name: id }).execute();
      await configs.createIn(trx, id, T0);
    });
  }

  /** Puts the row in a state directly (the test's own handle), as a crash or an earlier step would leave it. */
  async function place(state: ByokState, heldFrom: ByokState | null = null): Promise<void> {
    await store.db
      .updateTable('byok_configs')
      .set({
        state,
        held_from: heldFrom,
        external_id: CONFIG.externalId,
        role_arn: ROLE,
        cmk_arn: CMK,
        state_since: T0,
        updated_at: T0,
      })
      .where('tenant_id', '=', 'acme')
      .execute();
  }

  const raw = () =>
    store.db.selectFrom('byok_configs').selectAll().where('tenant_id', '=', 'acme').executeTakeFirstOrThrow();

  it('a new tenant starts not_configured, with nothing saved', async () => {
    expect(await configs.find('acme')).toMatchObject({
      tenantId: 'acme',
      state: 'not_configured',
      externalId: null,
      roleArn: null,
      heldFrom: null,
      lastTest: null,
      stateSince: T0,
    });
    expect(await configs.find('nobody')).toBeUndefined();
    await expect(configs.require('nobody')).rejects.toMatchObject({
      code: 'KW_TENANT_NOT_FOUND',
      message: 'Tenant nobody does not exist.',
    });
  });

  it('every transition the state machine allows is made, and every other is refused with nothing written', async () => {
    for (const state of BYOK_STATES) {
      for (const event of EVENTS) {
        await place(state, 'degraded');
        const before = await raw();
        let expected: ByokState | ByokStateConflict;
        try {
          expected = transition(state, event, before.held_from as ByokState);
        } catch (error) {
          expected = error as ByokStateConflict;
        }
        const made = configs.transition('acme', { expect: { state }, event, at: T1 });
        if (expected instanceof ByokStateConflict) {
          await expect(made, `${state} × ${event}`).rejects.toBeInstanceOf(ByokStateConflict);
          expect(await raw()).toEqual(before);
        } else {
          expect(await made, `${state} × ${event}`).toEqual({ from: state, to: expected });
          expect((await raw()).state).toBe(expected);
        }
      }
    }
  });

  it('a compare-and-set on a state the tenant is no longer in, or on another configuration, loses and writes nothing', async () => {
    await place('validated');
    const before = await raw();
    expect(
      await configs.transition('acme', { expect: { state: 'pending' }, event: 'configure', at: T1 }),
    ).toBeUndefined();
    expect(
      await configs.transition('acme', {
        expect: { state: 'validated', config: { ...CONFIG, cmkArn: `${CMK}0` } },
        event: 'enable',
        at: T1,
      }),
    ).toBeUndefined();
    expect(
      await configs.transition('nobody', { expect: { state: 'validated' }, event: 'enable', at: T1 }),
    ).toBeUndefined();
    expect(await raw()).toEqual(before);
    expect(
      await configs.transition('acme', {
        expect: { state: ['pending', 'validated'], config: CONFIG },
        event: 'enable',
        at: T1,
      }),
    ).toEqual({ from: 'validated', to: 'active' });
  });

  it('two racing transitions from the same state: exactly one wins, the other loses its compare-and-set', async () => {
    await place('active');
    const race = await Promise.all([
      configs.transition('acme', { expect: { state: 'active' }, event: 'health_denied', at: T1 }),
      configs.transition('acme', { expect: { state: 'active' }, event: 'switch_cmk', at: T1 }),
    ]);
    const winners = race.filter((move) => move !== undefined);
    expect(winners).toHaveLength(1);
    expect((await raw()).state).toBe(winners[0]!.to);
  });

  it("joins the caller's transaction: rolled back with it", async () => {
    await place('active');
    const before = await raw();
    await expect(
      store.db.transaction().execute(async (trx) => {
        expect(
          await configs.transitionIn(trx, 'acme', { expect: { state: 'active' }, event: 'revert', at: T1 }),
        ).toEqual({ from: 'active', to: 'reverting' });
        throw new Error('the caller fails after the transition');
      }),
    ).rejects.toThrow('the caller fails');
    expect(await raw()).toEqual(before);
  });

  it('holding states record where they were held from; the completion events return there and forget it', async () => {
    await place('revoked');
    expect(
      await configs.transition('acme', { expect: { state: 'revoked' }, event: 'revert', at: T1 }),
    ).toEqual({ from: 'revoked', to: 'reverting' });
    expect(await raw()).toMatchObject({ state: 'reverting', held_from: 'revoked', state_since: T1 });
    expect(
      await configs.transition('acme', { expect: { state: 'reverting' }, event: 'revert_failed', at: T0 }),
    ).toEqual({ from: 'reverting', to: 'revoked' });
    expect(await raw()).toMatchObject({ state: 'revoked', held_from: null });

    await place('active');
    await configs.transition('acme', { expect: { state: 'active' }, event: 'switch_cmk', at: T1 });
    expect(
      await configs.transition('acme', {
        expect: { state: 'rotating_cmk', config: CONFIG },
        event: 'switch_done',
        set: {
          customerKey: { roleArn: `${ROLE}2`, cmkArn: CMK.replace('eu-west-1', 'us-east-2') },
          stateReason: null,
        },
        at: T1,
      }),
    ).toEqual({ from: 'rotating_cmk', to: 'active' });
    expect(await raw()).toMatchObject({
      state: 'active',
      held_from: null,
      role_arn: `${ROLE}2`,
      role_identity: roleIdentity(`${ROLE}2`),
      region: 'us-east-2',
    });

    await place('active');
    await configs.transition('acme', { expect: { state: 'active' }, event: 'revert', at: T1 });
    expect(
      await configs.transition('acme', { expect: { state: 'reverting' }, event: 'revert_done', at: T1 }),
    ).toEqual({ from: 'reverting', to: 'platform_managed' });
    expect(await raw()).toMatchObject({ state: 'platform_managed', held_from: null });
  });

  it('state_since moves with the state (or on a restamp), updated_at on every write, the reason only when given', async () => {
    await place('active');
    await store.db.updateTable('byok_configs').set({ state_reason: 'why' }).execute();
    await configs.transition('acme', { expect: { state: 'active' }, event: 'health_ok', at: T1 });
    expect(await raw()).toMatchObject({ state_since: T0, updated_at: T1, state_reason: 'why' });
    await configs.transition('acme', {
      expect: { state: 'active' },
      event: 'health_denied',
      set: { stateReason: 'denied' },
      at: T1,
    });
    expect(await raw()).toMatchObject({ state: 'revoked', state_since: T1, state_reason: 'denied' });

    await place('pending');
    await configs.transition('acme', {
      expect: { state: 'pending' },
      event: 'issue_external_id',
      set: { externalId: 'kw-new' },
      at: T1,
      restamp: true,
    });
    expect(await raw()).toMatchObject({ state: 'pending', state_since: T1, external_id: 'kw-new' });
  });

  it('stores test reports with a transition or on their own, and clears them with a new configuration', async () => {
    const report = { ok: true, tenantId: 'acme', results: [] } as unknown as CheckReport;
    await place('pending');
    await configs.transition('acme', {
      expect: { state: 'pending', config: CONFIG },
      event: 'test_passed',
      set: { lastTest: { report, at: T1 } },
      at: T1,
    });
    expect(await configs.find('acme')).toMatchObject({
      state: 'validated',
      lastTest: report,
      lastTestedAt: T1,
    });
    await configs.recordTest('acme', { ...report, ok: false }, T0);
    expect(await configs.find('acme')).toMatchObject({
      state: 'validated',
      lastTest: { ok: false },
      lastTestedAt: T0,
    });
    await configs.transition('acme', {
      expect: { state: 'validated' },
      event: 'configure',
      set: { customerKey: { roleArn: ROLE, cmkArn: CMK }, lastTest: null },
      at: T1,
    });
    expect(await configs.find('acme')).toMatchObject({
      state: 'pending',
      lastTest: null,
      lastTestedAt: null,
    });
  });

  it('answers the lookups the services and read models need', async () => {
    await tenant('globex');
    await place('active');
    await store.db
      .updateTable('byok_configs')
      .set({ role_identity: roleIdentity(ROLE) })
      .where('tenant_id', '=', 'acme')
      .execute();
    expect(await configs.registeredRoles()).toEqual([{ tenantId: 'acme', roleArn: ROLE }]);
    expect(await configs.tenantIdsIn(['active', 'revoked'])).toEqual(['acme']);
    expect((await configs.countByState()).sort((a, b) => a.state.localeCompare(b.state))).toEqual([
      { state: 'active', count: 1 },
      { state: 'not_configured', count: 1 },
    ]);
    expect(await configs.externalIdTaken(CONFIG.externalId)).toBe(true);
    expect(await configs.externalIdTaken('kw-other')).toBe(false);
    expect(await configs.roleOwner(roleIdentity(ROLE))).toBe('acme');
    expect((await configs.tenantViews()).map((view) => [view.id, view.byok.state])).toEqual([
      ['acme', 'active'],
      ['globex', 'not_configured'],
    ]);
    expect(await configs.tenantViews('globex')).toMatchObject([{ id: 'globex', name: 'globex' }]);
    expect(await configs.rootOf('acme')).toEqual({
      state: 'active',
      heldFrom: null,
      stateReason: null,
      roleArn: ROLE,
      cmkArn: CMK,
      externalId: CONFIG.externalId,
    });
    expect(await store.db.transaction().execute((trx) => configs.stateForShareIn(trx, 'acme'))).toBe(
      'active',
    );
  });
});
