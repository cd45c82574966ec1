import { KeywardError } from '../errors.js';
import type { KeyVersionPolicy } from './tenant-key-store.js';

/**
 * Vault transit's ordering rules for key version floors:
 * 1 ≤ minDecryptionVersion ≤ latestVersion, and minEncryptionVersion is 0 (no floor: latest) or
 * minDecryptionVersion ≤ minEncryptionVersion ≤ latestVersion.
 */
export function checkFloors(policy: KeyVersionPolicy): void {
  const { latestVersion: latest, minEncryptionVersion: minEnc, minDecryptionVersion: minDec } = policy;
  const whole = [latest, minEnc, minDec].every((value) => Number.isSafeInteger(value));
  /* Precondition: floors are integers. */
  if (!whole) throw floorsInvalid('key versions must be whole numbers');
  /* Precondition: 1 ≤ minDecryptionVersion ≤ latest. */
  if (minDec < 1 || minDec > latest)
    throw floorsInvalid(`minDecryptionVersion ${minDec} must be between 1 and the latest version ${latest}`);
  /* Precondition: minEncryptionVersion is 0 or within [minDecryptionVersion, latest]. */
  if (minEnc !== 0 && (minEnc < minDec || minEnc > latest)) {
    throw floorsInvalid(
      `minEncryptionVersion ${minEnc} must be 0 or between minDecryptionVersion ${minDec} and the latest version ${latest}`,
    );
  }
}

function floorsInvalid(reason: string): KeywardError {
  return new KeywardError('KW_FLOORS_INVALID', { message: `Invalid key version floors: ${reason}.` });
}

/** The version encryption uses: the latest, or the requested one if the floors allow it. */
export function encryptionVersion(policy: KeyVersionPolicy, requested?: number): number {
  if (requested === undefined) return policy.latestVersion;
  if (!Number.isSafeInteger(requested) || requested < 1) {
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: `keyVersion must be a whole number ≥ 1, not ${String(requested)}.`,
    });
  }
  if (requested > policy.latestVersion) throw tooNew(requested, policy);
  const floor = Math.max(policy.minEncryptionVersion, policy.minDecryptionVersion);
  if (requested < floor) throw tooOld(requested, floor, 'encryption');
  return requested;
}

/** Refuses a ciphertext's version below the decryption floor or above the latest. */
export function checkDecryptionVersion(policy: KeyVersionPolicy, version: number): void {
  if (version > policy.latestVersion) throw tooNew(version, policy);
  if (version < policy.minDecryptionVersion) throw tooOld(version, policy.minDecryptionVersion, 'decryption');
}

function tooNew(version: number, policy: KeyVersionPolicy): KeywardError {
  return new KeywardError('KW_KEY_VERSION_TOO_NEW', {
    message: `Key version ${version} is too new: the tenant's latest key version is ${policy.latestVersion}.`,
    details: { version, latestVersion: policy.latestVersion },
  });
}

function tooOld(version: number, floor: number, operation: 'encryption' | 'decryption'): KeywardError {
  return new KeywardError('KW_KEY_VERSION_TOO_OLD', {
    message: `Key version ${version} is too old: the tenant's minimum ${operation} version is ${floor}.`,
    details: {
      version,
      [operation === 'encryption' ? 'minEncryptionVersion' : 'minDecryptionVersion']: floor,
    },
  });
}
