import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter (a token bucket per token)', () => {
  it('lets a burst through, then refuses with the seconds to wait, and refills with time', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(1);
    now += 500; // one request's worth at 2/s
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBeGreaterThanOrEqual(1);
  });

  it("keeps tokens apart: one token's use never limits another", () => {
    const limiter = new RateLimiter(1, 1, () => 0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(1);
    expect(limiter.take('b')).toBe(0);
  });

  it('never holds more than the burst, however long a token was idle', () => {
    let now = 0;
    const limiter = new RateLimiter(10, 2, () => now);
    limiter.take('a');
    now += 3_600_000;
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')]).toEqual([0, 0, 1]);
  });

  it('is off at 0 requests per second', () => {
    const limiter = new RateLimiter(0, 1, () => 0);
    for (let i = 0; i < 100; i++) expect(limiter.take('a')).toBe(0);
  });

  it('asks for a longer wait when the refill is slow', () => {
    const limiter = new RateLimiter(0.1, 1, () => 0);
    limiter.take('a');
    expect(limiter.take('a')).toBe(10);
  });
});
