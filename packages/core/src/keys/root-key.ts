import type { SecretKey } from './secret-key.js';

/** Which tenant key version a wrap or unwrap serves; it becomes the KMS encryption context. */
export interface WrapContext {
  tenantId: string;
  version: number;
}

export const TENANT_KEY_BYTES = 32;

/**
 * The KMS encryption context of a tenant key version. The customer sees it in CloudTrail and can
 * condition the key policy on `kms:EncryptionContext:keyward:tenant`.
 */
export function kmsEncryptionContext(context: WrapContext): Record<string, string> {
  return { 'keyward:tenant': context.tenantId, 'keyward:key-version': String(context.version) };
}

export type RootKeyKind = 'local' | 'platform-kms' | 'customer-kms';

/**
 * What wraps tenant keys: the customer's CMK, the platform's KMS key, or (development only) a
 * local master key. One interface so that the tenant key hierarchy never depends on which.
 */
export interface RootKey {
  readonly kind: RootKeyKind;
  /** Stable identity recorded next to every wrapped version (a KMS key ARN, or `local:<fingerprint>`). */
  readonly id: string;
  /** A new 256-bit tenant key and its wrapped form (KMS GenerateDataKey). */
  generateTenantKey(context: WrapContext): Promise<{ key: SecretKey; wrappedKey: Uint8Array }>;
  /** Wraps an existing tenant key, for re-wrapping under a new root (KMS Encrypt). */
  wrap(key: SecretKey, context: WrapContext): Promise<Uint8Array>;
  /** Unwraps a tenant key (KMS Decrypt); the caller owns and must zero the result. */
  unwrap(wrappedKey: Uint8Array, context: WrapContext): Promise<SecretKey>;
}

/**
 * How createKeyward finds a tenant's root key: one for all tenants, or one per tenant. `wrappedBy`
 * is the root key ID the store records for the version about to be unwrapped (or, for a rotation,
 * for the latest version): a resolver may use it to pick among keys it trusts equally (the
 * platform's current and retiring keys) instead of reading the store again. The keyring still
 * refuses a version whose recorded root is not the one returned.
 */
export type RootKeyResolver =
  RootKey | ((tenantId: string, wrappedBy?: string) => RootKey | Promise<RootKey>);
