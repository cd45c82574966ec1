import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../clock.js';
import { LruTtlCache } from './lru-ttl-cache.js';

interface Setup {
  cache: LruTtlCache<string, string>;
  clock: ManualClock;
  /** Every onDispose call, as "value@key". */
  disposed: string[];
}

function setup(maxEntries = 3, ttlMs = 100, sweepIntervalMs = 0): Setup {
  const clock = new ManualClock(1_000);
  const disposed: string[] = [];
  const cache = new LruTtlCache<string, string>({
    maxEntries,
    ttlMs,
    clock,
    sweepIntervalMs,
    onDispose: (value, key) => void disposed.push(`${value}@${key}`),
  });
  return { cache, clock, disposed };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('LruTtlCache: LRU', () => {
  it('stores and returns values, and undefined for missing keys', () => {
    const { cache } = setup();
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('drops the least recently used entry first when full, counting reads as use', () => {
    const { cache, disposed } = setup(3);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    expect(cache.get('a')).toBe('A'); // order now b, c, a
    cache.set('d', 'D'); // drops b
    expect(disposed).toEqual(['B@b']);
    expect(cache.get('c')).toBe('C'); // order a, d, c
    cache.set('e', 'E'); // drops a
    expect(disposed).toEqual(['B@b', 'A@a']);
    expect([cache.get('a'), cache.get('b'), cache.get('c'), cache.get('d'), cache.get('e')]).toEqual([
      undefined,
      undefined,
      'C',
      'D',
      'E',
    ]);
  });

  it('reading the most recent entry again keeps the order right', () => {
    const { cache, disposed } = setup(2);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.get('a');
    cache.get('a');
    cache.set('c', 'C');
    expect(disposed).toEqual(['B@b']);
    cache.delete('c');
    cache.get('a');
    cache.set('d', 'D');
    cache.set('e', 'E');
    expect(disposed).toEqual(['B@b', 'C@c', 'A@a']);
  });

  it(`never holds more than maxEntries`, () => {
    const { cache, disposed } = setup(3);
    for (let i = 0; i < 10; i++) {
      cache.set(`k${i}`, `V${i}`);
      expect(cache.size).toBeLessThanOrEqual(3);
    }
    expect(cache.size).toBe(3);
    expect(disposed).toEqual(['V0@k0', 'V1@k1', 'V2@k2', 'V3@k3', 'V4@k4', 'V5@k5', 'V6@k6']);
  });
});

describe('LruTtlCache: TTL', () => {
  it('expires an entry exactly ttlMs after it was set', () => {
    const { cache, clock, disposed } = setup(3, 100);
    cache.set('a', 'A');
    clock.advance(99);
    expect(cache.get('a')).toBe('A');
    expect(disposed).toEqual([]);
    clock.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not extend the TTL on reads', () => {
    const { cache, clock } = setup(3, 100);
    cache.set('a', 'A');
    clock.advance(60);
    cache.get('a');
    clock.advance(40);
    expect(cache.get('a')).toBeUndefined();
  });

  it('honours a per-entry TTL', () => {
    const { cache, clock } = setup(3, 100);
    cache.set('short', 'S', 10);
    cache.set('long', 'L', 500);
    clock.advance(200);
    expect([cache.get('short'), cache.get('long')]).toEqual([undefined, 'L']);
  });
});

describe('LruTtlCache: onDispose is called exactly once per value, however it leaves', () => {
  it('on expiry found by get', () => {
    const { cache, clock, disposed } = setup();
    cache.set('a', 'A');
    clock.advance(100);
    cache.get('a');
    cache.get('a');
    expect(disposed).toEqual(['A@a']);
  });

  it('on sweep, which returns how many expired and leaves live entries', () => {
    const { cache, clock, disposed } = setup();
    cache.set('a', 'A');
    cache.set('b', 'B');
    clock.advance(50);
    cache.set('c', 'C');
    clock.advance(50);
    expect(cache.sweep()).toBe(2);
    expect(cache.sweep()).toBe(0);
    expect(disposed).toEqual(['A@a', 'B@b']);
    expect(cache.get('c')).toBe('C');
  });

  it('on LRU overflow', () => {
    const { cache, disposed } = setup(1);
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    expect(disposed).toEqual(['A@a', 'B@b']);
  });

  it('on delete, which returns whether the key was there', () => {
    const { cache, disposed } = setup();
    cache.set('a', 'A');
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    expect(cache.delete('never')).toBe(false);
    expect(disposed).toEqual(['A@a']);
  });

  it('on deleteWhere, which returns how many matched', () => {
    const { cache, disposed } = setup(5);
    for (const key of ['t1:1', 't1:2', 't2:1']) cache.set(key, key.toUpperCase());
    expect(cache.deleteWhere((key) => key.startsWith('t1:'))).toBe(2);
    expect(disposed).toEqual(['T1:1@t1:1', 'T1:2@t1:2']);
    expect(cache.get('t2:1')).toBe('T2:1');
  });

  it('on clear, which returns how many left', () => {
    const { cache, disposed } = setup();
    cache.set('a', 'A');
    cache.set('b', 'B');
    expect(cache.clear()).toBe(2);
    expect(cache.clear()).toBe(0);
    expect(disposed).toEqual(['A@a', 'B@b']);
    expect(cache.size).toBe(0);
  });

  it('on close', () => {
    const { cache, disposed } = setup();
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.close();
    expect(disposed).toEqual(['A@a', 'B@b']);
    expect(cache.size).toBe(0);
  });

  it('on set over an existing key (the old value leaves, the new one stays)', () => {
    const { cache, disposed } = setup();
    cache.set('a', 'A1');
    cache.set('a', 'A2');
    expect(disposed).toEqual(['A1@a']);
    expect(cache.get('a')).toBe('A2');
    expect(cache.size).toBe(1);
  });

  it('never twice for a value that expired and was then deleted, swept, cleared or closed', () => {
    const { cache, clock, disposed } = setup();
    cache.set('a', 'A');
    clock.advance(100);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.sweep()).toBe(0);
    expect(cache.delete('a')).toBe(false);
    cache.close();
    expect(disposed).toEqual(['A@a']);
  });
});

describe('LruTtlCache: sweep timer', () => {
  it('starts no timer when sweepIntervalMs is 0 or absent', () => {
    const spy = vi.spyOn(globalThis, 'setInterval');
    setup(3, 100, 0);
    new LruTtlCache({ maxEntries: 1, ttlMs: 1, clock: new ManualClock() });
    expect(spy).not.toHaveBeenCalled();
  });

  it('unref()s its timer so the cache never keeps the process alive, and clears it on close', () => {
    const setSpy = vi.spyOn(globalThis, 'setInterval');
    const clearSpy = vi.spyOn(globalThis, 'clearInterval');
    const { cache } = setup(3, 100, 25);
    expect(setSpy).toHaveBeenCalledTimes(1);
    expect(setSpy.mock.calls[0]?.[1]).toBe(25);
    const timer = setSpy.mock.results[0]?.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    cache.close();
    expect(clearSpy).toHaveBeenCalledWith(timer);
  });

  it('sweeps expired entries on its interval even if nobody reads them', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { cache, clock, disposed } = setup(3, 100, 25);
    cache.set('a', 'A');
    clock.advance(100);
    expect(disposed).toEqual([]);
    vi.advanceTimersByTime(25);
    expect(disposed).toEqual(['A@a']);
    expect(cache.size).toBe(0);
    cache.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('tells onDispose why each value left: expired, capacity, replaced or deleted', () => {
    const clock = new ManualClock(0);
    const reasons: string[] = [];
    const cache = new LruTtlCache<string, string>({
      maxEntries: 2,
      ttlMs: 100,
      clock,
      onDispose: (value, _key, reason) => void reasons.push(`${value}:${reason}`),
    });
    cache.set('a', 'A');
    cache.set('b', 'B');
    cache.set('c', 'C');
    cache.set('b', 'B2');
    cache.delete('c');
    clock.advance(100);
    expect(cache.get('b')).toBeUndefined();
    expect(reasons).toEqual(['A:capacity', 'B:replaced', 'C:deleted', 'B2:expired']);
  });

  it('setting the value a key already holds refreshes it without disposing it', () => {
    const { cache, clock, disposed } = setup();
    cache.set('a', 'A');
    clock.advance(60);
    cache.set('a', 'A');
    clock.advance(60);
    expect(cache.get('a')).toBe('A');
    expect(disposed).toEqual([]);
  });
});
