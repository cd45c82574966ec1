import { SandboxError } from './sandbox-errors.js';

/**
 * The sandbox's notion of time. Resource time (session expiry, key deletion windows,
 * automatic rotation) follows `now()`, which tests may move forward; SigV4's skew window
 * always compares against the machine's real clock, because clients sign with it.
 */
export interface Clock {
  /** Resource time in epoch milliseconds. */
  now(): number;
  /** The machine's wall clock in epoch milliseconds, used for request signing checks. */
  wallNow(): number;
  /** Moves resource time forward (never backward) by the given milliseconds. */
  advance(ms: number): void;
  offsetMs(): number;
}

export function systemClock(base: () => number = Date.now): Clock {
  let offset = 0;
  return {
    now: () => base() + offset,
    wallNow: () => base(),
    advance(ms: number) {
      /* Precondition: time only moves forward, so expired things stay expired. */
      if (!Number.isFinite(ms) || ms < 0)
        throw new SandboxError('KW_SANDBOX_ARGUMENT', {
          message: 'advance() takes a non-negative number of milliseconds',
        });
      offset += ms;
    },
    offsetMs: () => offset,
  };
}
