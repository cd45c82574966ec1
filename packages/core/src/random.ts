import { randomBytes, randomFillSync } from 'node:crypto';

/**
 * Randomness, injected so that test vectors can be reproduced. `publicBytes` serves values that are
 * not secret (salts, IVs); `secretBytes` serves key material.
 */
export interface RandomSource {
  publicBytes(length: number): Buffer;
  secretBytes(length: number): Buffer;
}

const POOL_SIZE = 16 * 1024;

/**
 * The default source: a CSPRNG for everything. Public values come from a pool refilled 16 KiB at a
 * time, because one `randomBytes(12)` call per message costs more than the encryption of a small
 * message. Every pool byte is handed out once; key material never comes from the pool.
 */
export function createSystemRandom(): RandomSource {
  const pool = Buffer.allocUnsafeSlow(POOL_SIZE);
  let offset = POOL_SIZE;
  return {
    publicBytes(length) {
      if (length > POOL_SIZE) return randomBytes(length);
      if (offset + length > POOL_SIZE) {
        randomFillSync(pool);
        offset = 0;
      }
      const out = Buffer.from(pool.subarray(offset, offset + length));
      offset += length;
      return out;
    },
    secretBytes(length) {
      // Not from the pool: a fresh, unshared buffer that the caller can zero.
      const out = Buffer.alloc(length);
      randomFillSync(out);
      return out;
    },
  };
}
