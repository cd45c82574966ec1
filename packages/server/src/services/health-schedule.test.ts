import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../index.js';
import { ByokConfigs } from '../store/byok-configs.js';
import { HealthSchedule, type HealthMonitor } from './health-monitor.js';

describe('HealthSchedule', () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ kind: 'pglite' });
    await store.db
      .insertInto('tenants')
      .values([
        { id: 'on', name: 'On' },
        { id: 'off', name: 'Off' },
      ])
      .execute();
    await store.db
      .insertInto('byok_configs')
      .values([
        { tenant_id: 'on', state: 'active' },
        { tenant_id: 'off', state: 'platform_managed' },
      ])
      .execute();
  });
  afterAll(async () => store.close());

  it('checks each BYOK tenant once per round and tells when it last checked and will check next', async () => {
    const checked: string[] = [];
    const monitor = {
      check: async (tenantId: string) => {
        checked.push(tenantId);
      },
    } as unknown as HealthMonitor;
    const schedule = new HealthSchedule(
      monitor,
      new ByokConfigs(store.db),
      60_000,
      () => undefined,
      () => 0,
    );
    expect(schedule.timesOf('on')).toEqual({ last: undefined, next: undefined });
    schedule.start();
    try {
      await expect.poll(() => schedule.timesOf('on').last).toBeInstanceOf(Date);
      expect(checked).toEqual(['on']);
      expect(schedule.timesOf('on').next).toBeInstanceOf(Date);
      expect(schedule.timesOf('off')).toEqual({ last: undefined, next: undefined });
    } finally {
      schedule.stop();
    }
  });
});
