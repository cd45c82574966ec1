import { describe, expect, it } from 'vitest';
import { KeywardError, type ErrorCode } from '../errors.js';
import { checkDecryptionVersion, checkFloors, encryptionVersion } from './floors.js';
import type { KeyVersionPolicy } from './tenant-key-store.js';

const policy = (
  latestVersion: number,
  minEncryptionVersion: number,
  minDecryptionVersion: number,
): KeyVersionPolicy => ({
  latestVersion,
  minEncryptionVersion,
  minDecryptionVersion,
});

function thrown(run: () => unknown): KeywardError {
  try {
    run();
  } catch (error) {
    if (error instanceof KeywardError) return error;
    throw error;
  }
  throw new Error('expected a KeywardError, but nothing was thrown');
}

function expectCode(code: ErrorCode, run: () => unknown): KeywardError {
  const error = thrown(run);
  expect(error.code).toBe(code);
  return error;
}

describe('checkFloors (Vault transit ordering rules)', () => {
  it.each([
    [policy(1, 0, 1)],
    [policy(3, 0, 1)],
    [policy(3, 0, 3)],
    [policy(3, 1, 1)],
    [policy(3, 2, 2)],
    [policy(3, 3, 1)],
    [policy(3, 3, 3)],
    [policy(5, 4, 2)],
  ])('accepts %o', (floors) => {
    expect(() => checkFloors(floors)).not.toThrow();
  });

  describe('Precondition: floors are integers', () => {
    it.each([
      [policy(3, 0, 1.5)],
      [policy(3, 2.5, 1)],
      [policy(3.5, 0, 1)],
      [policy(3, 0, Number.NaN)],
      [policy(Number.POSITIVE_INFINITY, 0, 1)],
      [policy(2 ** 53, 0, 1)],
      [policy(3, '2' as unknown as number, 1)],
    ])('refuses %o with KW_FLOORS_INVALID', (floors) => {
      expectCode('KW_FLOORS_INVALID', () => checkFloors(floors));
    });
  });

  describe('Precondition: 1 ≤ minDecryptionVersion ≤ latest', () => {
    it.each([[policy(3, 0, 0)], [policy(3, 0, -1)], [policy(3, 0, 4)], [policy(1, 0, 2)]])(
      'refuses %o with KW_FLOORS_INVALID',
      (floors) => {
        expectCode('KW_FLOORS_INVALID', () => checkFloors(floors));
      },
    );
  });

  describe('Precondition: minEncryptionVersion is 0 or within [minDecryptionVersion, latest]', () => {
    it.each([[policy(3, 1, 2)], [policy(3, 2, 3)], [policy(3, 4, 1)], [policy(3, -1, 1)]])(
      'refuses %o with KW_FLOORS_INVALID',
      (floors) => {
        expectCode('KW_FLOORS_INVALID', () => checkFloors(floors));
      },
    );
  });

  it('says which rule broke in the message', () => {
    expect(thrown(() => checkFloors(policy(3, 0, 4))).message).toMatch(
      /minDecryptionVersion 4 must be between 1 and the latest version 3/,
    );
    expect(thrown(() => checkFloors(policy(3, 1, 2))).message).toMatch(
      /minEncryptionVersion 1 must be 0 or between minDecryptionVersion 2 and the latest version 3/,
    );
  });
});

describe('encryptionVersion', () => {
  it('uses the latest version when no version is requested, whatever the floors', () => {
    expect(encryptionVersion(policy(4, 0, 1))).toBe(4);
    expect(encryptionVersion(policy(4, 3, 2))).toBe(4);
  });

  it('uses a requested version at or above both floors and at most the latest', () => {
    expect(encryptionVersion(policy(4, 0, 1), 1)).toBe(1);
    expect(encryptionVersion(policy(4, 3, 2), 3)).toBe(3);
    expect(encryptionVersion(policy(4, 0, 2), 2)).toBe(2);
    expect(encryptionVersion(policy(4, 0, 1), 4)).toBe(4);
  });

  it('refuses a requested version below minEncryptionVersion with KW_KEY_VERSION_TOO_OLD and its details', () => {
    const error = expectCode('KW_KEY_VERSION_TOO_OLD', () => encryptionVersion(policy(4, 3, 1), 2));
    expect(error.details).toEqual({ version: 2, minEncryptionVersion: 3 });
  });

  it('refuses a requested version below minDecryptionVersion when there is no encryption floor', () => {
    const error = expectCode('KW_KEY_VERSION_TOO_OLD', () => encryptionVersion(policy(4, 0, 3), 2));
    expect(error.details).toEqual({ version: 2, minEncryptionVersion: 3 });
  });

  it('refuses a requested version above the latest with KW_KEY_VERSION_TOO_NEW and its details', () => {
    const error = expectCode('KW_KEY_VERSION_TOO_NEW', () => encryptionVersion(policy(4, 0, 1), 5));
    expect(error.details).toEqual({ version: 5, latestVersion: 4 });
  });

  it.each([0, -1, 1.5, Number.NaN])(
    'refuses the requested version %s with KW_INVALID_ARGUMENT',
    (requested) => {
      expectCode('KW_INVALID_ARGUMENT', () => encryptionVersion(policy(4, 0, 1), requested));
    },
  );
});

describe('checkDecryptionVersion', () => {
  it('accepts every version from minDecryptionVersion to the latest, ignoring the encryption floor', () => {
    for (const version of [2, 3, 4])
      expect(() => checkDecryptionVersion(policy(4, 4, 2), version)).not.toThrow();
  });

  it('refuses a version below minDecryptionVersion with KW_KEY_VERSION_TOO_OLD and its details', () => {
    const error = expectCode('KW_KEY_VERSION_TOO_OLD', () => checkDecryptionVersion(policy(4, 0, 2), 1));
    expect(error.details).toEqual({ version: 1, minDecryptionVersion: 2 });
    expect(error.message).toMatch(/minimum decryption version is 2/);
  });

  it('refuses a version above the latest with KW_KEY_VERSION_TOO_NEW and its details', () => {
    const error = expectCode('KW_KEY_VERSION_TOO_NEW', () => checkDecryptionVersion(policy(4, 0, 1), 5));
    expect(error.details).toEqual({ version: 5, latestVersion: 4 });
    expect(error.status).toBe(400);
  });
});
