import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AwsError } from '../protocol/aws-error.js';
import { encodeEncryptionContext } from './encryption-context.js';

/**
 * The sandbox's CiphertextBlob (opaque to clients, as AWS's is):
 *   0x01 ‖ u16 length ‖ key ARN ‖ 32-byte key material ID ‖ 12-byte IV ‖ ciphertext ‖ 16-byte tag
 * AES-256-GCM under the key material; AAD = domain label ‖ header ‖ canonical encryption context,
 * so a wrong context, another key's header or any flipped bit fails authentication.
 */
const VERSION = 0x01;
const MATERIAL_ID_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DOMAIN = Buffer.from('keyward-sandbox-kms-ciphertext-v1', 'utf8');

export interface BlobHeader {
  keyArn: string;
  materialId: string;
}

export function sealBlob(header: BlobHeader, materialKey: Buffer, plaintext: Buffer, context: Record<string, string> | undefined): Buffer {
  const headerBytes = encodeHeader(header);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', materialKey, iv);
  cipher.setAAD(Buffer.concat([DOMAIN, headerBytes, encodeEncryptionContext(context)]));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([headerBytes, iv, ciphertext, cipher.getAuthTag()]);
}

/** Reads the header without decrypting, to find the key; a blob that cannot be parsed is InvalidCiphertext. */
export function readBlobHeader(blob: Buffer): BlobHeader & { headerLength: number } {
  if (blob.length < 3 || blob[0] !== VERSION) throw invalidCiphertext();
  const arnLength = blob.readUInt16BE(1);
  const headerLength = 3 + arnLength + MATERIAL_ID_BYTES;
  if (blob.length < headerLength + IV_BYTES + TAG_BYTES) throw invalidCiphertext();
  return {
    keyArn: blob.subarray(3, 3 + arnLength).toString('utf8'),
    materialId: blob.subarray(3 + arnLength, headerLength).toString('hex'),
    headerLength,
  };
}

export function openBlob(blob: Buffer, materialKey: Buffer, context: Record<string, string> | undefined): Buffer {
  const { headerLength } = readBlobHeader(blob);
  const iv = blob.subarray(headerLength, headerLength + IV_BYTES);
  const ciphertext = blob.subarray(headerLength + IV_BYTES, blob.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', materialKey, iv);
  decipher.setAAD(Buffer.concat([DOMAIN, blob.subarray(0, headerLength), encodeEncryptionContext(context)]));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    throw invalidCiphertext();
  }
}

function encodeHeader(header: BlobHeader): Buffer {
  const arn = Buffer.from(header.keyArn, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(arn.length);
  return Buffer.concat([Buffer.from([VERSION]), length, arn, Buffer.from(header.materialId, 'hex')]);
}

/** AWS sends InvalidCiphertextException with no message at all. */
export const invalidCiphertext = (): AwsError => new AwsError('InvalidCiphertextException');
