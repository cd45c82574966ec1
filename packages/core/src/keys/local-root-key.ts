import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KeywardError } from '../errors.js';
import { encodeContext } from '../envelope/context-encoding.js';
import { silentLogger, type Logger } from '../logger.js';
import { createSystemRandom, type RandomSource } from '../random.js';
import { kmsEncryptionContext, TENANT_KEY_BYTES, type RootKey, type WrapContext } from './root-key.js';
import { SecretKey } from './secret-key.js';

/** The environment variable LocalRootKey.fromEnv reads by default. */
export const LOCAL_ROOT_KEY_ENV = 'KEYWARD_LOCAL_ROOT_KEY';

const VERSION = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface LocalRootKeyOptions {
  logger?: Logger;
  random?: RandomSource;
}

/**
 * A 256-bit master key held by the Keyward process, FOR DEVELOPMENT ONLY: whoever reads the file or
 * environment variable can unwrap every tenant key. Wraps with AES-256-GCM, binding the same
 * context KMS would get (`keyward:tenant`, `keyward:key-version`) as AAD.
 * Wrapped form: `0x01 ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag`.
 */
export class LocalRootKey implements RootKey {
  readonly kind = 'local' as const;
  readonly id: string;
  readonly #master: SecretKey;
  readonly #random: RandomSource;

  constructor(master: Uint8Array, options: LocalRootKeyOptions = {}) {
    /* Precondition: the master key is 32 bytes (not a string, which would decode to a guessable key). */
    if (!(master instanceof Uint8Array))
      throw configError('the master key must be bytes (a Buffer or Uint8Array)');
    if (master.length !== 32) throw configError(`the master key must be 32 bytes, not ${master.length}`);
    /* Precondition: the master key is not all zeros (an uninitialised buffer, not a key). */
    if (master.every((byte) => byte === 0)) throw configError('the master key is all zeros');
    this.#master = SecretKey.takeFrom(Uint8Array.from(master));
    this.#random = options.random ?? createSystemRandom();
    // A fingerprint, not the key: HMAC of a fixed label, so the ID reveals nothing about the bytes.
    const fingerprint = createHmac('sha256', this.#master.bytes())
      .update('keyward local root key id')
      .digest('hex')
      .slice(0, 16);
    this.id = `local:${fingerprint}`;
    (options.logger ?? silentLogger).warn(
      { rootKey: this.id, developmentOnly: true },
      'LocalRootKey in use: a development-only root key; use a KMS root key in production',
    );
  }

  /** Reads a base64 or hex master key from an environment variable (default KEYWARD_LOCAL_ROOT_KEY). */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    name = LOCAL_ROOT_KEY_ENV,
    options?: LocalRootKeyOptions,
  ): LocalRootKey {
    const value = env[name];
    if (value === undefined || value.trim() === '') throw configError(`${name} is not set`);
    return withMaster(decodeMaster(value.trim(), name), options);
  }

  /** Reads a master key file: 32 raw bytes, or base64/hex text. */
  static fromFile(path: string, options?: LocalRootKeyOptions): LocalRootKey {
    let content: Buffer;
    try {
      content = readFileSync(path);
    } catch (error) {
      throw configError(
        `cannot read the master key file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
      );
    }
    // 32 printable characters (or whitespace) are a passphrase or truncated text, not 32 raw random bytes.
    const raw =
      content.length === 32 &&
      !content.every(
        (byte) => (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d,
      );
    const master = raw ? Buffer.from(content) : decodeMaster(content.toString('utf8').trim(), path);
    content.fill(0);
    return withMaster(master, options);
  }

  generateTenantKey(context: WrapContext): Promise<{ key: SecretKey; wrappedKey: Uint8Array }> {
    const key = new SecretKey(this.#random.secretBytes(TENANT_KEY_BYTES));
    return this.wrap(key, context).then((wrappedKey) => ({ key, wrappedKey }));
  }

  wrap(key: SecretKey, context: WrapContext): Promise<Uint8Array> {
    const iv = this.#random.publicBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#master.bytes(), iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(aad(context));
    const body = Buffer.concat([cipher.update(key.bytes()), cipher.final()]);
    return Promise.resolve(Buffer.concat([Buffer.from([VERSION]), iv, body, cipher.getAuthTag()]));
  }

  unwrap(wrappedKey: Uint8Array, context: WrapContext): Promise<SecretKey> {
    const bytes = Buffer.from(wrappedKey);
    if (bytes.length !== 1 + IV_BYTES + TENANT_KEY_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
      return Promise.reject(
        new KeywardError('KW_ROOT_KEY_UNWRAP_FAILED', {
          message: 'The wrapped tenant key is not a local root key envelope.',
        }),
      );
    }
    const decipher = createDecipheriv('aes-256-gcm', this.#master.bytes(), bytes.subarray(1, 1 + IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(aad(context));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    const key = decipher.update(bytes.subarray(1 + IV_BYTES, bytes.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      key.fill(0);
      return Promise.reject(new KeywardError('KW_ROOT_KEY_UNWRAP_FAILED'));
    }
    return Promise.resolve(new SecretKey(key));
  }
}

/** Builds the root key from a decoded master buffer, then zeroes that buffer (the key keeps its own copy). */
function withMaster(master: Buffer, options: LocalRootKeyOptions | undefined): LocalRootKey {
  try {
    return new LocalRootKey(master, options);
  } finally {
    master.fill(0);
  }
}

function aad(context: WrapContext): Buffer {
  return Buffer.concat([
    Buffer.from('keyward/v1/local-root-wrap', 'utf8'),
    encodeContext(kmsEncryptionContext(context)),
  ]);
}

function decodeMaster(text: string, source: string): Buffer {
  const bytes = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, 'hex')
    : /^[A-Za-z0-9+/_-]{43}=?$/.test(text)
      ? Buffer.from(text, 'base64')
      : undefined;
  if (bytes?.length !== 32) throw configError(`${source} must hold 32 bytes as 64 hex digits or base64`);
  return bytes;
}

function configError(reason: string): KeywardError {
  return new KeywardError('KW_ROOT_KEY_CONFIG', { message: `Local root key: ${reason}.` });
}
