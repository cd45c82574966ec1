import { randomBytes, randomUUID } from 'node:crypto';

/** Identifiers shaped like AWS's, from a CSPRNG. */
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomChars(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

export const newRequestId = (): string => randomUUID();
export const newKeyId = (): string => randomUUID();
/** Temporary (session) access key IDs start with ASIA, as AWS's do. */
export const newSessionAccessKeyId = (): string => `ASIA${randomChars(UPPER_ALNUM, 16)}`;
export const newSecretAccessKey = (): string => randomBytes(30).toString('base64');
export const newSessionToken = (): string => `IQoJb3JpZ2luX2VjE${randomBytes(96).toString('base64')}`;
/** Unique IDs: AROA for roles, AIDA for users, ANPA for managed policies. */
export const newUniqueId = (prefix: 'AROA' | 'AIDA' | 'ANPA'): string =>
  `${prefix}${randomChars(UPPER_ALNUM, 17)}`;
/** KMS key material IDs are 64 hex characters. */
export const newKeyMaterialId = (): string => randomBytes(32).toString('hex');
