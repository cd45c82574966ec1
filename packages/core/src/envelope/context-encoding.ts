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

/** The encoding of `{}`: a zero entry count. Shared because most calls carry no context. */
const EMPTY = Buffer.from([0, 0]);

function invalid(message: string): KeywardError {
  return new KeywardError('KW_CONTEXT_INVALID', { message: `Invalid encryption context: ${message}` });
}

function utf8(value: unknown, what: string, maxBytes: number, minBytes: number): Buffer {
  if (typeof value !== 'string') throw invalid(`${what} must be a string`);
  // Lone surrogates would all encode to U+FFFD, so two different contexts could share one encoding.
  if (!value.isWellFormed()) throw invalid(`${what} is not well-formed Unicode`);
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < minBytes || bytes.length > maxBytes) {
    throw invalid(`${what} must be ${minBytes} to ${maxBytes} bytes of UTF-8`);
  }
  return bytes;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The canonical, length-prefixed encoding (docs/format.md §4):
 * `u16 count ‖ for each entry in ascending byte order of its UTF-8 key: u16 len ‖ key ‖ u16 len ‖ value`.
 * Every field carries its length, so `{"ab":"c"}` and `{"a":"bc"}` never encode alike.
 */
export function encodeContext(context: EncryptionContext | undefined): Buffer {
  if (context === undefined) return EMPTY;
  if (!isPlainObject(context)) throw invalid('it must be a plain object of strings');
  const keys = Object.keys(context);
  if (keys.length === 0) return EMPTY;
  if (keys.length > CONTEXT_LIMITS.maxEntries) throw invalid(`at most ${CONTEXT_LIMITS.maxEntries} entries`);
  const entries = keys.map((key) => [
    utf8(key, 'a key', CONTEXT_LIMITS.maxKeyBytes, 1),
    utf8(context[key], `the value of "${key.slice(0, 64)}"`, CONTEXT_LIMITS.maxValueBytes, 0),
  ] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const size = entries.reduce((total, [key, value]) => total + 4 + key.length + value.length, 2);
  if (size > CONTEXT_LIMITS.maxEncodedBytes) throw invalid(`its encoding is ${size} bytes; the limit is ${CONTEXT_LIMITS.maxEncodedBytes}`);
  const out = Buffer.allocUnsafe(size);
  let offset = out.writeUInt16BE(entries.length, 0);
  for (const [key, value] of entries) {
    offset = out.writeUInt16BE(key.length, offset);
    offset += key.copy(out, offset);
    offset = out.writeUInt16BE(value.length, offset);
    offset += value.copy(out, offset);
  }
  return out;
}
