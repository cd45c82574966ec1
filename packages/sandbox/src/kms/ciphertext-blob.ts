import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AwsError } from '../protocol/aws-error.js';
import { encodeEncryptionContext } from './encryption-context.js';

/**
 * The sandbox's CiphertextBlob (opaque to clients, as AWS's is):
 *   header = 0x01 ‖ u16 length ‖ key ARN ‖ 32-byte key material ID
 *   blob   = header ‖ 16-byte header tag ‖ 12-byte IV ‖ ciphertext ‖ 16-byte GCM tag
 * The header tag (HMAC-SHA256 under the sandbox's own blob key, truncated) is checked before the
 * key is looked up, so a tampered header is InvalidCiphertext, never a misleading "no such key".
 * The payload is AES-256-GCM under the key material; AAD = domain label ‖ header ‖ canonical
 * encryption context, so a wrong context or any flipped bit fails authentication.
 */
const VERSION = 0x01;
const MATERIAL_ID_BYTES = 32;
const HEADER_TAG_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DOMAIN = Buffer.from('keyward-sandbox-kms-ciphertext-v1', 'utf8');

export interface BlobHeader {
  keyArn: string;
  materialId: string;
}

export function sealBlob(
  blobKey: Buffer,
  header: BlobHeader,
  materialKey: Buffer,
  plaintext: Buffer,
  context: Record<string, string> | undefined,
): Buffer {
  const headerBytes = encodeHeader(header);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', materialKey, iv);
  cipher.setAAD(Buffer.concat([DOMAIN, headerBytes, encodeEncryptionContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([headerBytes, headerTag(blobKey, headerBytes), iv, ciphertext, cipher.getAuthTag()]);
}

/** Reads and authenticates the header without decrypting, to find the key. */
export function readBlobHeader(blobKey: Buffer, blob: Buffer): BlobHeader & { headerLength: number } {
  if (blob.length < 3 || blob[0] !== VERSION) throw invalidCiphertext();
  const arnLength = blob.readUInt16BE(1);
  const headerLength = 3 + arnLength + MATERIAL_ID_BYTES;
  if (blob.length < headerLength + HEADER_TAG_BYTES + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
  const expected = headerTag(blobKey, blob.subarray(0, headerLength));
  if (!timingSafeEqual(expected, blob.subarray(headerLength, headerLength + HEADER_TAG_BYTES)))
    throw invalidCiphertext();
  return {
    keyArn: blob.subarray(3, 3 + arnLength).toString('utf8'),
    materialId: blob.subarray(3 + arnLength, headerLength).toString('hex'),
    headerLength,
  };
}

export function openBlob(
  blobKey: Buffer,
  blob: Buffer,
  materialKey: Buffer,
  context: Record<string, string> | undefined,
): Buffer {
  const { headerLength } = readBlobHeader(blobKey, blob);
  const ivStart = headerLength + HEADER_TAG_BYTES;
  const iv = blob.subarray(ivStart, ivStart + IV_BYTES);
  const ciphertext = blob.subarray(ivStart + IV_BYTES, blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', materialKey, iv);
  decipher.setAAD(Buffer.concat([DOMAIN, blob.subarray(0, headerLength), encodeEncryptionContext(context)]));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

function headerTag(blobKey: Buffer, headerBytes: Buffer): Buffer {
  return createHmac('sha256', blobKey)
    .update(DOMAIN)
    .update(headerBytes)
    .digest()
    .subarray(0, HEADER_TAG_BYTES);
}

function encodeHeader(header: BlobHeader): Buffer {
  const arn = Buffer.from(header.keyArn, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(arn.length);
  return Buffer.concat([Buffer.from([VERSION]), length, arn, Buffer.from(header.materialId, 'hex')]);
}

/** AWS sends InvalidCiphertextException with no message at all. */
export const invalidCiphertext = (): AwsError => new AwsError('InvalidCiphertextException');
