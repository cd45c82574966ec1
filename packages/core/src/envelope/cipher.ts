import { createCipheriv, createDecipheriv } from 'node:crypto';
import { KeywardError } from '../errors.js';
import { HEADER_BYTES, OVERHEAD_BYTES, TAG_BYTES, writeHeader, type Header, type ParsedCiphertext } from './format.js';

/**
 * AES-256-GCM over one message: AAD = the header bytes ‖ the canonical context encoding
 * (docs/format.md §5). Fed to GCM as two AAD updates, which authenticates their concatenation.
 */
export function seal(messageKey: Buffer, header: Header, encodedContext: Buffer, plaintext: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(OVERHEAD_BYTES + plaintext.length);
  writeHeader(out, header);
  const cipher = createCipheriv('aes-256-gcm', messageKey, header.iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(out.subarray(0, HEADER_BYTES));
  cipher.setAAD(encodedContext);
  const body = cipher.update(plaintext);
  body.copy(out, HEADER_BYTES);
  cipher.final();
  cipher.getAuthTag().copy(out, HEADER_BYTES + body.length);
  return out;
}

/** Opens a parsed ciphertext; any change to header, body, tag or context fails here. */
export function open(messageKey: Buffer, parsed: ParsedCiphertext, encodedContext: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', messageKey, parsed.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(parsed.headerBytes);
  decipher.setAAD(encodedContext);
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
