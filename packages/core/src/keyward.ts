import { CachingKeyProvider, type CachedRootMove } from './keys/caching-key-provider.js';
import { TenantKeyCache } from './keys/tenant-key-cache.js';
import { systemClock } from './clock.js';
import { contextAad, decryptMessage, encryptMessage } from './envelope/cipher.js';
import type { EncryptionContext } from './envelope/context-encoding.js';
import { keyVersionOf, parseCiphertext, toBinary, toText } from './envelope/format.js';
import { KeywardError } from './errors.js';
import type { RootKey } from './keys/root-key.js';
import { TenantKeyring, type CreateOptions, type FloorsUpdate, type Guarded } from './keys/tenant-keyring.js';
import { silentLogger } from './logger.js';
import { createSystemRandom } from './random.js';
import { checkTenantId } from './tenant-id.js';

export const DEFAULT_MAX_PLAINTEXT_BYTES = 64 * 1024 * 1024;
/** AES-GCM encrypts at most 2^39 - 256 bits with one IV (NIST SP 800-38D). */
export const MAX_GCM_PLAINTEXT_BYTES = 2 ** 36 - 32;

function tooLarge(bytes: number, maxPlaintextBytes: number): KeywardError {
  return new KeywardError('KW_PLAINTEXT_TOO_LARGE', {
    message: `The plaintext is ${bytes} bytes; the limit is ${maxPlaintextBytes}.`,
  });
}

/** The plaintext's bytes; a string is UTF-8, refused before encoding if it cannot fit or round-trip. */
function bytesOf(plaintext: Uint8Array | string, maxPlaintextBytes: number): Uint8Array {
  if (typeof plaintext === 'string') {
    // UTF-8 never takes fewer bytes than UTF-16 code units, so this bound is safe before encoding.
    if (plaintext.length > maxPlaintextBytes) {
      throw new KeywardError('KW_PLAINTEXT_TOO_LARGE', {
        message: `The plaintext string has ${plaintext.length} characters, so at least as many UTF-8 bytes; the limit is ${maxPlaintextBytes} bytes.`,
      });
    }
    // A lone surrogate would come back as U+FFFD: decrypt would return a different string.
    if (!plaintext.isWellFormed())
      throw new KeywardError('KW_INVALID_ARGUMENT', {
        message: 'The plaintext string is not well-formed Unicode (it has a lone surrogate).',
      });
    return Buffer.from(plaintext, 'utf8');
  }
  if (plaintext instanceof Uint8Array) return plaintext;
  throw new KeywardError('KW_INVALID_ARGUMENT', {
    message: 'The plaintext must be bytes (Uint8Array) or a string.',
  });
}

import type { DataKey, EncryptOptions, Keyward, KeywardOptions } from './keyward-api.js';

export type { DataKey, EncryptOptions, Keyward, KeywardOptions } from './keyward-api.js';

export function createKeyward<Tx = unknown>(options: KeywardOptions<Tx>): Keyward<Tx> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? createSystemRandom();
  const logger = options.logger ?? silentLogger;
  const maxPlaintextBytes = options.limits?.maxPlaintextBytes ?? DEFAULT_MAX_PLAINTEXT_BYTES;
  /* Precondition: the plaintext limit is a whole number within AES-GCM's limit of 2^36 - 32 bytes. */
  if (
    !Number.isSafeInteger(maxPlaintextBytes) ||
    maxPlaintextBytes < 0 ||
    maxPlaintextBytes > MAX_GCM_PLAINTEXT_BYTES
  ) {
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: `limits.maxPlaintextBytes must be a whole number from 0 to ${MAX_GCM_PLAINTEXT_BYTES}, not ${String(maxPlaintextBytes)}.`,
    });
  }
  const keys = new CachingKeyProvider(
    new TenantKeyring(options.store, options.rootKeys, clock, logger),
    new TenantKeyCache(clock, options.cache),
  );

  let closed = false;

  /* Precondition: a closed instance does nothing (its cache no longer sweeps expired keys). */
  function checkOpen(tenantId: unknown): void {
    if (closed) throw new KeywardError('KW_CLOSED');
    checkTenantId(tenantId);
  }

  /**
   * Not an async function: a warm call (policy and key cached) runs synchronously and returns a
   * settled promise, without the machinery of an async function around it. Errors still arrive as
   * rejections, never as throws.
   */
  function encrypt(
    tenantId: string,
    plaintext: Uint8Array | string,
    context?: EncryptionContext,
    encryptOptions?: EncryptOptions,
  ): Promise<Buffer> {
    try {
      checkOpen(tenantId);
      const bytes = bytesOf(plaintext, maxPlaintextBytes);
      if (bytes.length > maxPlaintextBytes) throw tooLarge(bytes.length, maxPlaintextBytes);
      const aad = contextAad(context);
      const requested = encryptOptions?.keyVersion;
      const material = keys.encryptionKey(tenantId, requested, clock.now());
      if (material === undefined)
        return keys.withEncryptionKey(tenantId, requested, (live) =>
          encryptMessage(live, random, aad, bytes),
        );
      return Promise.resolve(encryptMessage(material, random, aad, bytes));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Like encrypt: a warm call runs synchronously and returns a settled promise. */
  function decrypt(
    tenantId: string,
    ciphertext: Uint8Array | string,
    context?: EncryptionContext,
  ): Promise<Buffer> {
    try {
      checkOpen(tenantId);
      const parsed = parseCiphertext(toBinary(ciphertext, maxPlaintextBytes), maxPlaintextBytes);
      const aad = contextAad(context);
      const material = keys.decryptionKey(tenantId, parsed.keyVersion, clock.now());
      if (material === undefined)
        return keys.withDecryptionKey(tenantId, parsed.keyVersion, (live) =>
          decryptMessage(live, parsed, aad),
        );
      return Promise.resolve(decryptMessage(material, parsed, aad));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Management calls: checked the same way, then handed to the keyring. */
  const managed =
    <A extends unknown[], R>(run: (tenantId: string, ...args: A) => Promise<R>) =>
    (tenantId: string, ...args: A): Promise<R> => {
      try {
        checkOpen(tenantId);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return run(tenantId, ...args);
    };

  return {
    createTenantKey: managed((tenantId, createOptions?: CreateOptions<Tx>) =>
      keys.create(tenantId, createOptions),
    ),
    encrypt,
    encryptText: async (tenantId, plaintext, context, encryptOptions) =>
      toText(await encrypt(tenantId, plaintext, context, encryptOptions)),
    decrypt,
    async rewrap<C extends Uint8Array | string>(
      tenantId: string,
      ciphertext: C,
      context?: EncryptionContext,
    ) {
      const plaintext = await decrypt(tenantId, ciphertext, context);
      try {
        // Re-wrapping exists to reach the newest version: ask the store, not this instance's cached policy.
        const latest = (await keys.freshPolicy(tenantId)).latestVersion;
        const out = await encrypt(tenantId, plaintext, context, { keyVersion: latest });
        return (typeof ciphertext === 'string' ? toText(out) : out) as C extends string ? string : Buffer;
      } finally {
        plaintext.fill(0);
      }
    },
    async generateDataKey(tenantId, context, dataKeyOptions) {
      const length = dataKeyOptions?.bytes ?? 32;
      /* Precondition: a data key is 1 to 1024 bytes, as in KMS GenerateDataKey. */
      if (!Number.isSafeInteger(length) || length < 1 || length > 1024) {
        throw new KeywardError('KW_INVALID_ARGUMENT', {
          message: `bytes must be a whole number from 1 to 1024, not ${String(length)}.`,
        });
      }
      const plaintextKey = random.secretBytes(length);
      try {
        const wrappedKey = await encrypt(tenantId, plaintextKey, context);
        const dataKey = { wrappedKey, keyVersion: keyVersionOf(wrappedKey) } as DataKey;
        // Not enumerable: JSON.stringify, util.inspect and spreading never show the key's bytes.
        Object.defineProperty(dataKey, 'plaintextKey', {
          value: plaintextKey,
          enumerable: false,
          writable: true,
          configurable: true,
        });
        return dataKey;
      } catch (error) {
        plaintextKey.fill(0);
        throw error;
      }
    },
    rotateTenantKey: managed((tenantId, rotateOptions?: Guarded<Tx>) => keys.rotate(tenantId, rotateOptions)),
    listKeyVersions: managed((tenantId) => keys.list(tenantId)),
    setFloors: managed((tenantId, floors: FloorsUpdate, floorsOptions?: Guarded<Tx>) =>
      keys.setFloors(tenantId, floors, floorsOptions),
    ),
    rewrapTenantKeys: managed((tenantId, from: RootKey, to: RootKey) => keys.rewrapAll(tenantId, from, to)),
    moveTenantKeys: managed((tenantId, move: CachedRootMove<Tx>) => keys.moveToRoot(tenantId, move)),
    evict: (tenantId) => {
      checkTenantId(tenantId);
      return keys.evict(tenantId);
    },
    evictAll: () => keys.evictAll(),
    stats: () => keys.stats(),
    close: () => {
      closed = true;
      keys.close();
    },
  };
}
