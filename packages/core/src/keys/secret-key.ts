import { inspect } from 'node:util';

const REDACTED = '[SecretKey: redacted]';

/**
 * Unwrapped key bytes. The bytes live in a private field, so `JSON.stringify`, `util.inspect`,
 * object spreading and loggers see only a redacted label; `zero()` overwrites them when the key
 * leaves the cache.
 */
export class SecretKey {
  readonly #bytes: Buffer;
  #zeroed = false;

  /** Takes ownership of `bytes`: the caller must not keep or reuse the buffer. */
  constructor(bytes: Buffer) {
    this.#bytes = bytes;
  }

  /** Copies `source` into a fresh buffer and zeroes the source (for example an SDK response field). */
  static takeFrom(source: Uint8Array): SecretKey {
    const copy = Buffer.alloc(source.length);
    copy.set(source);
    source.fill(0);
    return new SecretKey(copy);
  }

  get length(): number {
    return this.#bytes.length;
  }

  get zeroed(): boolean {
    return this.#zeroed;
  }

  /** The raw bytes, for the cipher only. Precondition: the key has not been zeroed. */
  bytes(): Buffer {
    if (this.#zeroed) throw new Error('SecretKey used after it was zeroed');
    return this.#bytes;
  }

  zero(): void {
    this.#bytes.fill(0);
    this.#zeroed = true;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
