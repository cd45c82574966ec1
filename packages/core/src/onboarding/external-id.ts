import { randomBytes } from 'node:crypto';
import { KeywardError } from '../errors.js';

/** AWS's limits for sts:ExternalId: 2–1224 characters of [\w+=,.@:/-]. */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;
export const EXTERNAL_ID_PREFIX = 'kw-';
/** 160 bits from the CSPRNG: comfortably above the 128 the threat model needs. */
export const EXTERNAL_ID_RANDOM_BYTES = 20;

/** What the platform tells the customer whenever an External ID is issued again. */
export const REGENERATED_NOTICE =
  "A new External ID was issued. The role's trust policy still names the old one, so the platform can no longer assume the role until the customer updates the sts:ExternalId condition (setup step 3) and the test is run again.";

/**
 * A new External ID: `kw-` and 32 lowercase base32 characters of 160 CSPRNG bits. Never chosen by
 * the tenant. base32 keeps it to letters and digits, so it survives copy and paste, URLs and shells.
 */
export function generateExternalId(random: (length: number) => Buffer = randomBytes): string {
  const bytes = random(EXTERNAL_ID_RANDOM_BYTES);
  /* Precondition: the random source gave all 160 bits. */
  if (bytes.length !== EXTERNAL_ID_RANDOM_BYTES)
    throw new KeywardError('KW_INTERNAL', {
      message: `The random source returned ${bytes.length} bytes instead of ${EXTERNAL_ID_RANDOM_BYTES}.`,
    });
  return EXTERNAL_ID_PREFIX + base32(bytes);
}

export function isValidExternalId(value: unknown): value is string {
  return typeof value === 'string' && EXTERNAL_ID_PATTERN.test(value);
}

/**
 * Issues an External ID no other tenant holds. `taken` asks the store; a collision of 160 random
 * bits is not expected, but uniqueness is a promise, so it is checked rather than assumed.
 */
export async function issueExternalId(
  taken: (externalId: string) => boolean | Promise<boolean>,
  random?: (length: number) => Buffer,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const candidate = generateExternalId(random);
    if (!(await taken(candidate))) return candidate;
  }
  throw new KeywardError('KW_INTERNAL', {
    message: 'Could not issue a unique External ID; the random source is not random.',
  });
}

/** Issues a replacement External ID, with the notice that the trust policy must change. */
export async function regenerateExternalId(
  previous: string,
  taken: (externalId: string) => boolean | Promise<boolean>,
  random?: (length: number) => Buffer,
): Promise<{ externalId: string; notice: string }> {
  const externalId = await issueExternalId(
    async (candidate) => candidate === previous || (await taken(candidate)),
    random,
  );
  return { externalId, notice: REGENERATED_NOTICE };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

function base32(bytes: Buffer): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
