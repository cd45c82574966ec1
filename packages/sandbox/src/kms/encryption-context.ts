import { AwsError } from '../protocol/aws-error.js';
import type { RequestContext } from '../policy/context.js';

/**
 * Canonical, unambiguous encoding of an encryption context for use as AES-GCM AAD: the pair
 * count, then each pair sorted by key as (u32 length ‖ UTF-8 key ‖ u32 length ‖ UTF-8 value).
 * Length prefixes keep {"ab":"c"} and {"a":"bc"} apart, which moto-style concatenation does not.
 */
export function encodeEncryptionContext(context: Record<string, string> | undefined): Buffer {
  const entries = Object.entries(context ?? {}).sort(([a], [b]) =>
    Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')),
  );
  const parts: Buffer[] = [u32(entries.length)];
  for (const [key, value] of entries) {
    const keyBytes = Buffer.from(key, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    parts.push(u32(keyBytes.length), keyBytes, u32(valueBytes.length), valueBytes);
  }
  return Buffer.concat(parts);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** KMS limits an encryption context to 8 KiB of keys and values. */
const MAX_CONTEXT_BYTES = 8192;

export function checkEncryptionContext(context: Record<string, string> | undefined): void {
  if (!context) return;
  let size = 0;
  for (const [key, value] of Object.entries(context)) {
    if (key.length === 0)
      throw new AwsError('ValidationException', 'Encryption context keys must not be empty');
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_CONTEXT_BYTES)
    throw new AwsError(
      'ValidationException',
      `Encryption context exceeds the maximum size of ${MAX_CONTEXT_BYTES} bytes`,
    );
}

/** Adds `kms:EncryptionContext:<key>` and `kms:EncryptionContextKeys` to a policy request context. */
/*
 * Condition key names are case-insensitive, so context keys that differ only in case ("Tenant" and
 * "tenant") share one `kms:EncryptionContext:` key and the last one wins. AWS leaves that case
 * undefined; use kms:EncryptionContextKeys (which keeps each key's case) to pin exact keys.
 */
export function addContextConditionKeys(
  target: RequestContext,
  context: Record<string, string> | undefined,
): RequestContext {
  const entries = Object.entries(context ?? {});
  for (const [key, value] of entries) target.set(`kms:EncryptionContext:${key}`, value);
  if (entries.length > 0)
    target.setMulti(
      'kms:EncryptionContextKeys',
      entries.map(([key]) => key),
    );
  return target;
}
