import { KeywardError } from '../errors.js';

/** A caller's encryption context: string keys to string values, bound to the ciphertext as AAD. */
export type EncryptionContext = Readonly<Record<string, string>>;

/** Limits on the encryption context (docs/format.md §4). */
export const CONTEXT_LIMITS = {
  maxEntries: 64,
  maxKeyBytes: 256,
  maxValueBytes: 4096,
  maxEncodedBytes: 8192,
} as const;

function invalid(message: string): KeywardError {
  return new KeywardError('KW_CONTEXT_INVALID', { message: `Invalid encryption context: ${message}` });
}

/** The UTF-8 length of a string, refusing what cannot be encoded canonically or is out of bounds. */
function byteLength(value: unknown, what: () => string, maxBytes: number, minBytes: number): number {
  if (typeof value !== 'string') throw invalid(`${what()} must be a string`);
  // Lone surrogates would all encode to U+FFFD, so two different contexts could share one encoding.
  if (!value.isWellFormed()) throw invalid(`${what()} is not well-formed Unicode`);
  const length = Buffer.byteLength(value, 'utf8');
  if (length < minBytes || length > maxBytes) throw invalid(`${what()} must be ${minBytes} to ${maxBytes} bytes of UTF-8`);
  return length;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Orders keys by their UTF-8 bytes. For strings without surrogates, UTF-16 code-unit order is the
 * same as UTF-8 byte order, so the common case is a plain comparison; otherwise compare the bytes.
 */
function utf8Order(a: string, b: string): number {
  if (/[\uD800-\uDFFF]/.test(a) || /[\uD800-\uDFFF]/.test(b)) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The canonical, length-prefixed encoding (docs/format.md §4), written after `reserved` leading
 * bytes that the caller fills (the cipher puts the header there, making the whole AAD one buffer):
 * `u16 count ‖ for each entry in ascending byte order of its UTF-8 key: u16 len ‖ key ‖ u16 len ‖ value`.
 * Every field carries its length, so `{"ab":"c"}` and `{"a":"bc"}` never encode alike.
 */
export function encodeContextAfter(reserved: number, context: EncryptionContext | undefined): Buffer {
  if (context === undefined) return emptyAfter(reserved);
  if (!isPlainObject(context)) throw invalid('it must be a plain object of strings');
  const keys = Object.keys(context);
  if (keys.length === 0) return emptyAfter(reserved);
  if (keys.length > CONTEXT_LIMITS.maxEntries) throw invalid(`at most ${CONTEXT_LIMITS.maxEntries} entries`);
  if (keys.length > 1) keys.sort(utf8Order);
  // Each value is read once, so a getter or proxy cannot change it between the check and the write.
  const values: string[] = [];
  let size = 2;
  for (const key of keys) {
    const value: unknown = context[key];
    size += 4 + byteLength(key, () => 'a key', CONTEXT_LIMITS.maxKeyBytes, 1);
    size += byteLength(value, () => `the value of "${key.slice(0, 64)}"`, CONTEXT_LIMITS.maxValueBytes, 0);
    values.push(value as string);
  }
  if (size > CONTEXT_LIMITS.maxEncodedBytes) throw invalid(`its encoding is ${size} bytes; the limit is ${CONTEXT_LIMITS.maxEncodedBytes}`);
  const out = Buffer.allocUnsafe(reserved + size);
  let offset = out.writeUInt16BE(keys.length, reserved);
  for (const [index, key] of keys.entries()) {
    const value = values[index]!;
    const keyBytes = out.write(key, offset + 2, 'utf8');
    offset = out.writeUInt16BE(keyBytes, offset) + keyBytes;
    const valueBytes = out.write(value, offset + 2, 'utf8');
    offset = out.writeUInt16BE(valueBytes, offset) + valueBytes;
  }
  return out;
}

function emptyAfter(reserved: number): Buffer {
  if (reserved === 0) return Buffer.from([0, 0]);
  const out = Buffer.allocUnsafe(reserved + 2);
  out.writeUInt16BE(0, reserved);
  return out;
}

/** The canonical encoding of a context on its own (docs/format.md §4). */
export function encodeContext(context: EncryptionContext | undefined): Buffer {
  return encodeContextAfter(0, context);
}
