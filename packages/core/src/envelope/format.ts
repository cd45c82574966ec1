import { KeywardError } from '../errors.js';

/**
 * Ciphertext format v1 (docs/format.md §2), binary form:
 *
 * | offset | size | field                                              |
 * |--------|------|----------------------------------------------------|
 * | 0      | 1    | format version, 0x01                               |
 * | 1      | 1    | algorithm suite, 0x01 = HKDF-SHA256 + AES-256-GCM  |
 * | 2      | 4    | tenant key version, unsigned big-endian, ≥ 1       |
 * | 6      | 16   | salt of the message key                            |
 * | 22     | 12   | AES-GCM IV                                         |
 * | 34     | n    | AES-GCM ciphertext of the n plaintext bytes        |
 * | 34 + n | 16   | AES-GCM tag                                        |
 *
 * The text form is `kw1:` followed by the unpadded base64url of the binary form.
 */
export const FORMAT_VERSION = 0x01;
export const SUITE_HKDF_SHA256_AES_256_GCM = 0x01;
export const SALT_BYTES = 16;
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 2 + 4 + SALT_BYTES + IV_BYTES;
const KEY_VERSION_OFFSET = 2;
export const SALT_OFFSET = 6;
const IV_OFFSET = SALT_OFFSET + SALT_BYTES;
export const OVERHEAD_BYTES = HEADER_BYTES + TAG_BYTES;
export const TEXT_PREFIX = 'kw1:';
export const MAX_KEY_VERSION = 0xffff_ffff;

export interface Header {
  keyVersion: number;
  salt: Buffer;
  iv: Buffer;
}

/**
 * A binary ciphertext split into its fields. The IV, body and tag are views made once (the cipher
 * needs them); the salt and header bytes are views made only when asked for, because the hot path
 * reads them in place from `bytes`.
 */
export class ParsedCiphertext implements Header {
  constructor(
    /** The whole ciphertext; the first HEADER_BYTES are the header exactly as received (part of the AAD). */
    readonly bytes: Buffer,
    readonly keyVersion: number,
    readonly iv: Buffer,
    readonly body: Buffer,
    readonly tag: Buffer,
  ) {}

  get salt(): Buffer {
    return this.bytes.subarray(SALT_OFFSET, SALT_OFFSET + SALT_BYTES);
  }

  get headerBytes(): Buffer {
    return this.bytes.subarray(0, HEADER_BYTES);
  }
}

/** Copies a few bytes; for headers a loop beats Buffer#copy, which builds a view per call. */
export function copySmall(
  source: Uint8Array,
  sourceStart: number,
  target: Uint8Array,
  targetStart: number,
  length: number,
): void {
  for (let i = 0; i < length; i++) target[targetStart + i] = source[sourceStart + i]!;
}

export function writeHeader(out: Buffer, header: Header): void {
  out[0] = FORMAT_VERSION;
  out[1] = SUITE_HKDF_SHA256_AES_256_GCM;
  out.writeUInt32BE(header.keyVersion, KEY_VERSION_OFFSET);
  copySmall(header.salt, 0, out, SALT_OFFSET, SALT_BYTES);
  copySmall(header.iv, 0, out, IV_OFFSET, IV_BYTES);
}

function malformed(message: string): KeywardError {
  return new KeywardError('KW_CIPHERTEXT_MALFORMED', { message: `Not a Keyward ciphertext: ${message}.` });
}

/** Splits a binary ciphertext into its fields; the AES-GCM tag check happens later, in open(). */
export function parseCiphertext(data: Uint8Array, maxPlaintextBytes: number): ParsedCiphertext {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (bytes.length < 2) throw malformed(`${bytes.length} bytes is shorter than any header`);
  if (bytes[0] !== FORMAT_VERSION) {
    throw new KeywardError('KW_CIPHERTEXT_UNSUPPORTED', {
      message: `Unsupported ciphertext format version ${bytes[0]}; this Keyward reads version ${FORMAT_VERSION}.`,
    });
  }
  if (bytes[1] !== SUITE_HKDF_SHA256_AES_256_GCM) {
    throw new KeywardError('KW_CIPHERTEXT_UNSUPPORTED', {
      message: `Unsupported algorithm suite ${bytes[1]} in a format ${FORMAT_VERSION} ciphertext.`,
    });
  }
  if (bytes.length < OVERHEAD_BYTES)
    throw malformed(`${bytes.length} bytes is shorter than the ${OVERHEAD_BYTES}-byte minimum (truncated)`);
  if (bytes.length - OVERHEAD_BYTES > maxPlaintextBytes) {
    throw new KeywardError('KW_CIPHERTEXT_TOO_LARGE', {
      message: `The ciphertext is ${bytes.length} bytes; the limit is ${maxPlaintextBytes + OVERHEAD_BYTES}.`,
    });
  }
  const keyVersion = bytes.readUInt32BE(KEY_VERSION_OFFSET);
  if (keyVersion === 0) throw malformed('key version 0 is not valid');
  return new ParsedCiphertext(
    bytes,
    keyVersion,
    bytes.subarray(IV_OFFSET, HEADER_BYTES),
    bytes.subarray(HEADER_BYTES, bytes.length - TAG_BYTES),
    bytes.subarray(bytes.length - TAG_BYTES),
  );
}

/** The tenant key version of a binary ciphertext this module wrote (for instance a data key's). */
export function keyVersionOf(ciphertext: Buffer): number {
  return ciphertext.readUInt32BE(KEY_VERSION_OFFSET);
}

export function toText(ciphertext: Uint8Array): string {
  return (
    TEXT_PREFIX +
    Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength).toString('base64url')
  );
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The last character of a partial group carries unused low bits (4 of them after 2 characters, 2
 * after 3); they must be zero, so that each ciphertext has exactly one text spelling.
 */
function canonicalTail(encoded: string): boolean {
  const remainder = encoded.length % 4;
  if (remainder === 0) return true;
  const last = ALPHABET.indexOf(encoded[encoded.length - 1]!);
  return (last & (remainder === 2 ? 0x0f : 0x03)) === 0;
}

/** Decodes the text form strictly: Node's own base64 decoder silently skips invalid characters. */
export function fromText(text: string, maxPlaintextBytes: number): Buffer {
  if (!text.startsWith(TEXT_PREFIX)) throw malformed(`the text form starts with "${TEXT_PREFIX}"`);
  const encoded = text.slice(TEXT_PREFIX.length);
  const maxChars = Math.ceil(((maxPlaintextBytes + OVERHEAD_BYTES) * 4) / 3);
  if (encoded.length > maxChars) {
    throw new KeywardError('KW_CIPHERTEXT_TOO_LARGE', {
      message: `The ciphertext text is ${text.length} characters; the limit is ${maxChars + TEXT_PREFIX.length}.`,
    });
  }
  if (encoded.length % 4 === 1 || !BASE64URL.test(encoded) || !canonicalTail(encoded))
    throw malformed('the text form is not unpadded base64url');
  return Buffer.from(encoded, 'base64url');
}

/** Accepts either form: a string must be the text form, bytes the binary form. */
export function toBinary(ciphertext: Uint8Array | string, maxPlaintextBytes: number): Uint8Array {
  if (typeof ciphertext === 'string') return fromText(ciphertext, maxPlaintextBytes);
  if (ciphertext instanceof Uint8Array) return ciphertext;
  throw malformed('expected a string (text form) or bytes (binary form)');
}
