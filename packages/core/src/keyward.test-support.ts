import { randomBytes } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import { ManualClock } from './clock.js';
import { KeywardError, type ErrorCode } from './errors.js';
import { LocalRootKey } from './keys/local-root-key.js';
import { MemoryTenantKeyStore } from './keys/memory-store.js';
import type { RootKey } from './keys/root-key.js';
import { createKeyward, type Keyward, type KeywardOptions } from './keyward.js';

/** Shared setup of the createKeyward tests: instances are closed after each test. */
export const NOW = Date.UTC(2025, 0, 1);
export const instances: Keyward[] = [];
afterEach(() => {
  for (const keyward of instances.splice(0)) keyward.close();
});

export function setup(options: Partial<KeywardOptions> = {}) {
  const store = options.store ?? new MemoryTenantKeyStore();
  const root = new LocalRootKey(randomBytes(32));
  const keyward = createKeyward({ store, rootKeys: root, clock: new ManualClock(NOW), ...options });
  instances.push(keyward);
  /** Another instance (another server process) sharing the store and the root key. */
  const peer = (more: Partial<KeywardOptions> = {}) => {
    const other = createKeyward({
      store,
      rootKeys: options.rootKeys ?? root,
      clock: new ManualClock(NOW),
      ...more,
    });
    instances.push(other);
    return other;
  };
  return { store, root, keyward, peer };
}

export async function failure(promise: Promise<unknown>, code: ErrorCode): Promise<KeywardError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(KeywardError);
    expect((error as KeywardError).code).toBe(code);
    return error as KeywardError;
  }
  throw new Error(`expected ${code}, but the promise resolved`);
}

export const versionOf = (ciphertext: Uint8Array | string): number =>
  (typeof ciphertext === 'string'
    ? Buffer.from(ciphertext.slice(4), 'base64url')
    : Buffer.from(ciphertext)
  ).readUInt32BE(2);

/**
 * A gate that places concurrent calls deterministically: `pass()` waits until `open()` is called;
 * `reached` resolves when the first caller arrives at it.
 */
export function gate(): { reached: Promise<void>; open: () => void; pass: () => Promise<void> } {
  let open!: () => void;
  let arrive!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const reached = new Promise<void>((resolve) => (arrive = resolve));
  return {
    reached,
    open,
    pass: () => {
      arrive();
      return opened;
    },
  };
}

/** A root key that does what `inner` does, with the same ID, except for the methods overridden. */
export function rootLike(
  inner: RootKey,
  overrides: Partial<Pick<RootKey, 'generateTenantKey' | 'wrap' | 'unwrap'>> = {},
): RootKey {
  return {
    kind: inner.kind,
    id: inner.id,
    generateTenantKey: (context) => inner.generateTenantKey(context),
    wrap: (key, context) => inner.wrap(key, context),
    unwrap: (wrapped, context) => inner.unwrap(wrapped, context),
    ...overrides,
  };
}
