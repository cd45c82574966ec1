import { hkdfSync } from 'node:crypto';

/**
 * Message keys (docs/format.md §3): `HKDF-SHA256(ikm = tenant key, salt, info, 32 bytes)` with
 * `info = "keyward/v1/message-key" ‖ u16 len ‖ tenant ID (UTF-8) ‖ u32 key version`.
 * Binding the tenant and version into `info` means a ciphertext moved to another tenant, or
 * relabelled with another version, derives a different key and fails authentication.
 */
const LABEL = Buffer.from('keyward/v1/message-key', 'utf8');

/**
 * How many messages one message key encrypts before a fresh salt is drawn. Each message has a
 * random 96-bit IV, so after q messages the chance of an IV repeating under one key is at most
 * q²/2⁹⁷; at q = 2²⁴ that is 2⁻⁴⁹, far inside NIST SP 800-38D's 2⁻³² limit (which allows 2³²).
 */
export const MESSAGES_PER_MESSAGE_KEY = 2 ** 24;

export function messageKeyInfo(tenantId: string, keyVersion: number): Buffer {
  const tenant = Buffer.from(tenantId, 'utf8');
  const info = Buffer.allocUnsafe(LABEL.length + 2 + tenant.length + 4);
  let offset = LABEL.copy(info, 0);
  offset = info.writeUInt16BE(tenant.length, offset);
  offset += tenant.copy(info, offset);
  info.writeUInt32BE(keyVersion, offset);
  return info;
}

/** Derives a 32-byte message key into a fresh buffer; the intermediate ArrayBuffer is zeroed. */
export function deriveMessageKey(tenantKey: Buffer, salt: Buffer, info: Buffer): Buffer {
  const derived = new Uint8Array(hkdfSync('sha256', tenantKey, salt, info, 32));
  const key = Buffer.alloc(32);
  key.set(derived);
  derived.fill(0);
  return key;
}
