import { deriveMessageKey, messageKeyInfo, MESSAGES_PER_MESSAGE_KEY } from '../envelope/message-key.js';
import { SALT_BYTES } from '../envelope/format.js';
import type { SecretKey } from './secret-key.js';
import type { RandomSource } from '../random.js';
import { inspect } from 'node:util';
import { KeywardError } from '../errors.js';

function sameSalt(salt: Buffer, bytes: Buffer, offset: number): boolean {
  for (let i = 0; i < SALT_BYTES; i++) if (salt[i] !== bytes[offset + i]) return false;
  return true;
}

/** How many message keys derived for decryption one tenant key version keeps. */
const DECRYPTION_KEYS_KEPT = 16;

interface EncryptionKey {
  salt: Buffer;
  key: Buffer;
  remaining: number;
}

/**
 * An unwrapped tenant key version and the message keys derived from it, as the cache holds them.
 * Encryption reuses one message key for up to MESSAGES_PER_MESSAGE_KEY messages, then draws a new
 * salt; decryption keeps the last few derived keys, because ciphertexts arrive in runs sharing a
 * salt. `dispose()` zeroes every key byte; after it, `alive` is false and nothing may use it.
 */
export class KeyMaterial {
  readonly tenantId: string;
  readonly version: number;
  readonly #tenantKey: SecretKey;
  readonly #info: Buffer;
  readonly #decryptionKeys = new Map<string, Buffer>();
  #encryption: EncryptionKey | undefined;
  #alive = true;

  constructor(tenantId: string, version: number, tenantKey: SecretKey) {
    this.tenantId = tenantId;
    this.version = version;
    this.#tenantKey = tenantKey;
    this.#info = messageKeyInfo(tenantId, version);
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** The message key and salt for the next message, drawing a fresh salt when the budget is spent. */
  encryptionKey(random: RandomSource): { salt: Buffer; key: Buffer } {
    this.#checkAlive();
    let current = this.#encryption;
    if (current === undefined || current.remaining === 0) {
      current?.key.fill(0);
      const salt = random.publicBytes(SALT_BYTES);
      current = {
        salt,
        key: deriveMessageKey(this.#tenantKey.bytes(), salt, this.#info),
        remaining: MESSAGES_PER_MESSAGE_KEY,
      };
      this.#encryption = current;
    }
    current.remaining--;
    return current;
  }

  decryptionKey(salt: Buffer): Buffer {
    return this.decryptionKeyAt(salt, 0);
  }

  /** The message key for the salt at `bytes[offset…offset+16]`, read in place (no view, no copy). */
  decryptionKeyAt(bytes: Buffer, offset: number): Buffer {
    this.#checkAlive();
    const current = this.#encryption;
    if (current !== undefined && sameSalt(current.salt, bytes, offset)) return current.key;
    const salt = bytes.subarray(offset, offset + SALT_BYTES);
    const id = salt.toString('latin1');
    const known = this.#decryptionKeys.get(id);
    if (known !== undefined) return known;
    const key = deriveMessageKey(this.#tenantKey.bytes(), salt, this.#info);
    if (this.#decryptionKeys.size >= DECRYPTION_KEYS_KEPT) {
      const [oldestId, oldest] = this.#decryptionKeys.entries().next().value as [string, Buffer];
      this.#decryptionKeys.delete(oldestId);
      oldest.fill(0);
    }
    this.#decryptionKeys.set(id, key);
    return key;
  }

  /** The tenant key itself, for re-wrapping under another root. */
  tenantKey(): SecretKey {
    return this.#tenantKey;
  }

  dispose(): void {
    if (!this.#alive) return;
    this.#alive = false;
    this.#tenantKey.zero();
    this.#encryption?.key.fill(0);
    this.#encryption = undefined;
    for (const key of this.#decryptionKeys.values()) key.fill(0);
    this.#decryptionKeys.clear();
  }

  /* Precondition: key material is live when used. Callers check `alive` first; this is the backstop. */
  #checkAlive(): void {
    if (!this.#alive)
      throw new KeywardError('KW_INTERNAL', { message: 'A tenant key was used after it was evicted.' });
  }

  toJSON(): Record<string, unknown> {
    return { tenantId: this.tenantId, version: this.version, alive: this.#alive };
  }

  [inspect.custom](): string {
    return `KeyMaterial { tenantId: ${JSON.stringify(this.tenantId)}, version: ${this.version}, key: [redacted] }`;
  }
}
