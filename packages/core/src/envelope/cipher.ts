import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KeywardError } from '../errors.js';
import type { RandomSource } from '../random.js';
import { encodeContextAfter, sharedEncodingAfter } from './context-encoding.js';
import {
  copySmall,
  HEADER_BYTES,
  IV_BYTES,
  OVERHEAD_BYTES,
  SALT_OFFSET,
  TAG_BYTES,
  writeHeader,
  type Header,
  type ParsedCiphertext,
} from './format.js';

/** One options object for every cipher: a 16-byte tag, never a shorter one. */
const GCM_OPTIONS = { authTagLength: TAG_BYTES } as const;

/**
 * AES-256-GCM over one message with AAD = the header bytes ‖ the canonical context encoding
 * (docs/format.md §5). The AAD is one buffer whose first HEADER_BYTES are reserved for the header
 * (see encodeContextAfter), so it reaches OpenSSL in one setAAD call and without another copy.
 */
export function sealWithAad(messageKey: Buffer, header: Header, aad: Buffer, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(OVERHEAD_BYTES + plaintext.length);
  writeHeader(out, header);
  copySmall(out, 0, aad, 0, HEADER_BYTES);
  const cipher = createCipheriv('aes-256-gcm', messageKey, header.iv, GCM_OPTIONS);
  cipher.setAAD(aad);
  const body = cipher.update(plaintext);
  body.copy(out, HEADER_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER_BYTES + body.length);
  return out;
}

/** Opens a parsed ciphertext; any change to header, body, tag or context fails here. */
export function openWithAad(messageKey: Buffer, parsed: ParsedCiphertext, aad: Buffer): Buffer {
  copySmall(parsed.bytes, 0, aad, 0, HEADER_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', messageKey, parsed.iv, GCM_OPTIONS);
  decipher.setAAD(aad);
  decipher.setAuthTag(parsed.tag);
  const body = decipher.update(parsed.body);
  try {
    decipher.final();
  } catch {
    // The unauthenticated plaintext must not escape.
    body.fill(0);
    throw new KeywardError('KW_DECRYPTION_FAILED');
  }
  return body;
}

function withReservedHeader(encodedContext: Buffer): Buffer {
  const aad = Buffer.alloc(HEADER_BYTES + encodedContext.length);
  encodedContext.copy(aad, HEADER_BYTES);
  return aad;
}

/** seal() for a context given as its canonical encoding (encodeContext), as the test vectors use. */
export function seal(
  messageKey: Buffer,
  header: Header,
  encodedContext: Buffer,
  plaintext: Uint8Array,
): Buffer {
  return sealWithAad(messageKey, header, withReservedHeader(encodedContext), plaintext);
}

export function open(messageKey: Buffer, parsed: ParsedCiphertext, encodedContext: Buffer): Buffer {
  return openWithAad(messageKey, parsed, withReservedHeader(encodedContext));
}

/**
 * The AAD of every message without a context. Shared: seal and open write the header into it and
 * hand it to OpenSSL (which copies it) in one synchronous turn, and the context bytes never change.
 */
const NO_CONTEXT_AAD = encodeContextAfter(HEADER_BYTES, undefined);

/** The AAD buffer for a caller's context, header bytes still to be filled in by seal or open. */
export function contextAad(context: Parameters<typeof encodeContextAfter>[1]): Buffer {
  return context === undefined ? NO_CONTEXT_AAD : sharedEncodingAfter(HEADER_BYTES, context);
}

/**
 * Where message keys come from: an unwrapped tenant key version (keys/key-material.ts), which
 * derives them (docs/format.md §3) and keeps the ones in use.
 */
export interface MessageKeys {
  readonly version: number;
  /** The message key and its salt for the next message. */
  encryptionKey(random: RandomSource): { salt: Buffer; key: Buffer };
  /** The message key for the salt stored at `bytes[offset…]`, read in place. */
  decryptionKeyAt(bytes: Buffer, offset: number): Buffer;
}

/** One message sealed under `keys`: a fresh IV, the current message key, the header written here. */
export function encryptMessage(
  keys: MessageKeys,
  random: RandomSource,
  aad: Buffer,
  plaintext: Uint8Array,
): Buffer {
  const { salt, key } = keys.encryptionKey(random);
  return sealWithAad(
    key,
    { keyVersion: keys.version, salt, iv: random.publicBytes(IV_BYTES) },
    aad,
    plaintext,
  );
}

/** A parsed message opened with the message key its header's salt names. */
export function decryptMessage(keys: MessageKeys, parsed: ParsedCiphertext, aad: Buffer): Buffer {
  return openWithAad(keys.decryptionKeyAt(parsed.bytes, SALT_OFFSET), parsed, aad);
}
