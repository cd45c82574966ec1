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

// Control characters are ordinary ASCII here: the encoding takes any string.
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;
const SURROGATE = /[\uD800-\uDFFF]/;

type Field = 'key' | 'value';

function describe(field: Field, key: string): string {
  return field === 'key' ? 'a key' : `the value of "${key.slice(0, 64)}"`;
}

/**
 * The UTF-8 length of a key or value, refusing what cannot be encoded canonically or is out of
 * bounds. ASCII (the common case) is well-formed and one byte a character: no encoder call.
 */
function byteLength(value: unknown, field: Field, key: string): number {
  if (typeof value !== 'string') throw invalid(`${describe(field, key)} must be a string`);
  const ascii = ASCII.test(value);
  // Lone surrogates would all encode to U+FFFD, so two different contexts could share one encoding.
  if (!ascii && !value.isWellFormed()) throw invalid(`${describe(field, key)} is not well-formed Unicode`);
  const length = ascii ? value.length : Buffer.byteLength(value, 'utf8');
  const min = field === 'key' ? 1 : 0;
  const max = field === 'key' ? CONTEXT_LIMITS.maxKeyBytes : CONTEXT_LIMITS.maxValueBytes;
  if (length < min || length > max)
    throw invalid(`${describe(field, key)} must be ${min} to ${max} bytes of UTF-8`);
  return length;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * Sorts keys by their UTF-8 bytes. Without surrogates, UTF-16 code-unit order (JavaScript's own
 * comparison) is the same as UTF-8 byte order; with them, the bytes are compared.
 */
function sortByUtf8(keys: string[]): void {
  let surrogates = false;
  for (const key of keys) if (SURROGATE.test(key)) surrogates = true;
  if (surrogates) keys.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
  else if (keys.length === 2) {
    if (keys[0]! > keys[1]!) keys.reverse();
  } else keys.sort();
}

/** Writes `value` (whose UTF-8 length is `length`) at `offset` behind its u16 length; returns the next offset. */
function writeField(out: Buffer, offset: number, value: string, length: number): number {
  out[offset] = length >>> 8;
  out[offset + 1] = length & 0xff;
  const start = offset + 2;
  // Same length in characters and bytes means ASCII: a loop beats a call into the encoder.
  if (length === value.length) for (let i = 0; i < length; i++) out[start + i] = value.charCodeAt(i);
  else out.write(value, start, length, 'utf8');
  return start + length;
}

/**
 * The canonical, length-prefixed encoding (docs/format.md §4), written after `reserved` leading
 * bytes that the caller fills (the cipher puts the header there, making the whole AAD one buffer):
 * `u16 count ‖ for each entry in ascending byte order of its UTF-8 key: u16 len ‖ key ‖ u16 len ‖ value`.
 * Every field carries its length, so `{"ab":"c"}` and `{"a":"bc"}` never encode alike.
 */
export function encodeContextAfter(reserved: number, context: EncryptionContext | undefined): Buffer {
  if (context === undefined) return emptyAfter(reserved);
  const { keys, values } = readContext(context);
  return encodeReadAfter(reserved, keys, values);
}

/**
 * A context's own keys in canonical order and their values, each value read once, so that a getter
 * or proxy cannot change it between the check and the write.
 */
function readContext(context: EncryptionContext): { keys: string[]; values: unknown[] } {
  if (!isPlainObject(context)) throw invalid('it must be a plain object of strings');
  const keys = Object.keys(context);
  const count = keys.length;
  if (count > CONTEXT_LIMITS.maxEntries) throw invalid(`at most ${CONTEXT_LIMITS.maxEntries} entries`);
  if (count > 1) sortByUtf8(keys);
  const values = new Array<unknown>(count);
  for (let i = 0; i < count; i++) values[i] = context[keys[i]!];
  return { keys, values };
}

/** The encoding of keys (in canonical order) and the values read for them, checked as it is written. */
function encodeReadAfter(reserved: number, keys: string[], values: unknown[]): Buffer {
  const count = keys.length;
  if (count === 0) return emptyAfter(reserved);
  const lengths = new Array<number>(2 * count);
  let size = 2;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    const keyLength = byteLength(key, 'key', key);
    const valueLength = byteLength(values[i], 'value', key);
    lengths[2 * i] = keyLength;
    lengths[2 * i + 1] = valueLength;
    size += 4 + keyLength + valueLength;
  }
  if (size > CONTEXT_LIMITS.maxEncodedBytes)
    throw invalid(`its encoding is ${size} bytes; the limit is ${CONTEXT_LIMITS.maxEncodedBytes}`);
  const out = Buffer.allocUnsafe(reserved + size);
  out[reserved] = count >>> 8;
  out[reserved + 1] = count & 0xff;
  let offset = reserved + 2;
  for (let i = 0; i < count; i++) {
    offset = writeField(out, offset, keys[i]!, lengths[2 * i]!);
    offset = writeField(out, offset, values[i] as string, lengths[2 * i + 1]!);
  }
  return out;
}

function emptyAfter(reserved: number): Buffer {
  if (reserved === 0) return Buffer.from([0, 0]);
  const out = Buffer.allocUnsafe(reserved + 2);
  out.writeUInt16BE(0, reserved);
  return out;
}

/** The last context encoded by sharedEncodingAfter: its keys in canonical order, their values, the result. */
let last: { reserved: number; keys: string[]; values: unknown[]; encoded: Buffer } | undefined;

/**
 * encodeContextAfter for the cipher's AAD, whose context bytes nobody changes (the cipher writes
 * only the reserved header bytes, and hands the buffer to OpenSSL in the same turn). Calls come in
 * runs with one context: when the next context has the same keys and values (each read once, here),
 * its encoding is the same and is shared; otherwise what was read is encoded, at the cost of the
 * comparison alone.
 */
export function sharedEncodingAfter(reserved: number, context: EncryptionContext): Buffer {
  const { keys, values } = readContext(context);
  const previous = last;
  if (previous !== undefined && previous.reserved === reserved && keys.length === previous.keys.length) {
    let same = true;
    for (let i = 0; same && i < keys.length; i++)
      same = keys[i] === previous.keys[i] && values[i] === previous.values[i];
    if (same) return previous.encoded;
  }
  const encoded = encodeReadAfter(reserved, keys, values);
  last = { reserved, keys, values, encoded };
  return encoded;
}

/** The canonical encoding of a context on its own (docs/format.md §4). */
export function encodeContext(context: EncryptionContext | undefined): Buffer {
  return encodeContextAfter(0, context);
}
