import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock.js';
import { KmsClientCache } from './client-cache.js';

const options = { region: 'us-east-1', endpoint: 'http://127.0.0.1:1', maxClients: 2 };
const session = (accessKeyId: string, expiresInMs?: number, now = 0) => ({
  accessKeyId,
  secretAccessKey: 'secret',
  sessionToken: 'token',
  ...(expiresInMs === undefined ? {} : { expiration: new Date(now + expiresInMs) }),
});

describe('KmsClientCache: one SDK client per (region, credentials)', () => {
  it('reuses the client for the same region and credentials, and makes another for another region or other credentials', () => {
    const cache = new KmsClientCache(options, new ManualClock(0));
    const platform = cache.get('us-east-1');
    expect(cache.get('us-east-1')).toBe(platform);
    expect(cache.get('eu-west-1')).not.toBe(platform);
    const a = cache.get('us-east-1', session('ASIAA'));
    expect(cache.get('us-east-1', session('ASIAA'))).toBe(a);
    expect(a).not.toBe(platform);
    cache.close();
  });

  it('keeps at most maxClients, least recently used first out', () => {
    const cache = new KmsClientCache(options, new ManualClock(0));
    const first = cache.get('us-east-1');
    cache.get('eu-west-1');
    cache.get('ap-south-1');
    expect(cache.size).toBe(2);
    expect(cache.get('us-east-1')).not.toBe(first);
    cache.close();
  });

  it("forgets a session's client when the session expires", () => {
    const clock = new ManualClock(0);
    const cache = new KmsClientCache(options, clock);
    const client = cache.get('us-east-1', session('ASIAB', 60_000));
    clock.advance(59_999);
    expect(cache.get('us-east-1', session('ASIAB', 60_000))).toBe(client);
    clock.advance(1);
    expect(cache.get('us-east-1', session('ASIAB', 60_000))).not.toBe(client);
    cache.close();
  });
});
