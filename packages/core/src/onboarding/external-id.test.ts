import type * as nodeCrypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import * as fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isKeywardError, KeywardError } from '../errors.js';
import {
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_PREFIX,
  EXTERNAL_ID_RANDOM_BYTES,
  REGENERATED_NOTICE,
  generateExternalId,
  isValidExternalId,
  issueExternalId,
  regenerateExternalId,
} from './external-id.js';

// Wrap node's CSPRNG in a spy, so the test can see that the default source is crypto.randomBytes.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof nodeCrypto>();
  return { ...actual, randomBytes: vi.fn((size: number) => actual.randomBytes(size)) };
});
const randomBytesSpy = vi.mocked(randomBytes as (size: number) => Buffer);

/** AWS's documented sts:ExternalId limits, written out here rather than imported. */
const AWS_EXTERNAL_ID = /^[A-Za-z0-9_+=,.@:/-]{2,1224}$/;
const FORMAT = /^kw-[a-z2-7]{32}$/;

/** RFC 4648 base32 (lowercase, no padding), via a BigInt: independent of the module's bit loop. */
function referenceBase32(bytes: Uint8Array): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  const bitCount = bytes.length * 8;
  const chars = Math.ceil(bitCount / 5);
  let n = 0n;
  for (const byte of bytes) n = (n << 8n) | BigInt(byte);
  n <<= BigInt(chars * 5 - bitCount); // pad the last group with zero bits
  let out = '';
  for (let i = chars - 1; i >= 0; i--) out += alphabet[Number((n >> BigInt(i * 5)) & 31n)];
  return out;
}

/** A random source that hands out the given byte strings in order, recording the lengths asked. */
function scripted(...chunks: Uint8Array[]): { random: (length: number) => Buffer; asked: number[] } {
  const asked: number[] = [];
  let next = 0;
  return {
    asked,
    random(length: number): Buffer {
      asked.push(length);
      const chunk = chunks[Math.min(next++, chunks.length - 1)]!;
      return Buffer.from(chunk);
    },
  };
}

const bytes20 = fc.uint8Array({ minLength: 20, maxLength: 20 });

afterEach(() => {
  randomBytesSpy.mockClear();
});

describe('generateExternalId: format', () => {
  it('is kw- and 32 lowercase base32 characters, within AWS limits', () => {
    for (let i = 0; i < 200; i++) {
      const id = generateExternalId();
      expect(id).toMatch(FORMAT);
      expect(id).toHaveLength(35);
      expect(id).toMatch(AWS_EXTERNAL_ID);
      expect(isValidExternalId(id)).toBe(true);
    }
  });

  it('exports the constants it documents', () => {
    expect(EXTERNAL_ID_PREFIX).toBe('kw-');
    expect(EXTERNAL_ID_RANDOM_BYTES).toBe(20);
    expect(EXTERNAL_ID_PATTERN.source).toBe('^[\\w+=,.@:/-]{2,1224}$');
  });

  it('has the format for any 20 random bytes', () => {
    fc.assert(
      fc.property(bytes20, (bytes) => {
        const id = generateExternalId(() => Buffer.from(bytes));
        expect(id).toMatch(FORMAT);
        expect(id).toMatch(AWS_EXTERNAL_ID);
      }),
    );
  });
});

describe('generateExternalId: entropy source', () => {
  it('asks the injected random function for exactly 20 bytes (160 bits), once', () => {
    const source = scripted(new Uint8Array(20));
    generateExternalId(source.random);
    expect(source.asked).toEqual([20]);
  });

  it('encodes fixed bytes to a fixed, independently computed ID', () => {
    const counting = Uint8Array.from({ length: 20 }, (_, i) => i);
    expect(generateExternalId(() => Buffer.from(counting))).toBe('kw-aaaqeayeaudaocajbifqydiob4ibceqt');
    expect(
      generateExternalId(() =>
        Buffer.from([
          0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef, 0xde, 0xad, 0xbe, 0xef,
          0xde, 0xad, 0xbe, 0xef,
        ]),
      ),
    ).toBe('kw-32w35366vw7o7xvnx3x55ln657pk3pxp');
    expect(generateExternalId(() => Buffer.alloc(20, 0))).toBe(`kw-${'a'.repeat(32)}`);
    expect(generateExternalId(() => Buffer.alloc(20, 0xff))).toBe(`kw-${'7'.repeat(32)}`);
    // The reference encoder agrees with the hard-coded vectors above.
    expect(referenceBase32(counting)).toBe('aaaqeayeaudaocajbifqydiob4ibceqt');
  });

  it('is the base32 of exactly the bytes it was given, for any bytes', () => {
    fc.assert(
      fc.property(bytes20, (bytes) => {
        expect(generateExternalId(() => Buffer.from(bytes))).toBe(`kw-${referenceBase32(bytes)}`);
      }),
    );
  });

  it('maps different byte strings to different IDs', () => {
    fc.assert(
      fc.property(bytes20, bytes20, (a, b) => {
        fc.pre(Buffer.compare(Buffer.from(a), Buffer.from(b)) !== 0);
        expect(generateExternalId(() => Buffer.from(a))).not.toBe(generateExternalId(() => Buffer.from(b)));
      }),
    );
  });

  it('depends on every one of the 160 bits', () => {
    const base = Uint8Array.from({ length: 20 }, (_, i) => (i * 37 + 11) & 0xff);
    const baseId = generateExternalId(() => Buffer.from(base));
    const seen = new Set([baseId]);
    for (let bit = 0; bit < 160; bit++) {
      const flipped = Uint8Array.from(base);
      flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
      const id = generateExternalId(() => Buffer.from(flipped));
      expect(id).not.toBe(baseId);
      seen.add(id);
    }
    expect(seen.size).toBe(161);
  });

  it("uses node's CSPRNG (crypto.randomBytes) by default, for 20 bytes", () => {
    generateExternalId();
    expect(randomBytesSpy).toHaveBeenCalledTimes(1);
    expect(randomBytesSpy).toHaveBeenCalledWith(20);
  });

  it('gives 10,000 distinct IDs from the default source', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(generateExternalId());
    expect(ids.size).toBe(10_000);
    expect(randomBytesSpy).toHaveBeenCalledTimes(10_000);
  });
});

describe('generateExternalId: a random source giving other than 20 bytes', () => {
  it.each([0, 1, 16, 19, 21, 32, 64])(
    'is refused when it gives %i bytes (KW_INTERNAL), whatever the bytes',
    (length) => {
      for (const fill of [0x00, 0xff, 0x5a]) {
        const error: unknown = (() => {
          try {
            generateExternalId(() => Buffer.alloc(length, fill));
          } catch (caught) {
            return caught;
          }
          return undefined;
        })();
        expect(error).toBeInstanceOf(KeywardError);
        expect(isKeywardError(error, 'KW_INTERNAL')).toBe(true);
        expect((error as KeywardError).message).toBe(
          `The random source returned ${length} bytes instead of 20.`,
        );
      }
    },
  );

  it('is refused for any length but 20, and accepted for 20', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (bytes) => {
        if (bytes.length === 20) {
          expect(generateExternalId(() => Buffer.from(bytes))).toBe(`kw-${referenceBase32(bytes)}`);
        } else {
          expect(() => generateExternalId(() => Buffer.from(bytes))).toThrow(
            `The random source returned ${bytes.length} bytes instead of 20.`,
          );
        }
      }),
    );
  });

  it('stops issueExternalId and regenerateExternalId before the store is asked', async () => {
    const taken = vi.fn(() => false);
    const short = scripted(new Uint8Array(19));
    const issued: unknown = await issueExternalId(taken, short.random).catch((caught: unknown) => caught);
    expect(isKeywardError(issued, 'KW_INTERNAL')).toBe(true);
    expect((issued as KeywardError).message).toBe('The random source returned 19 bytes instead of 20.');
    expect(short.asked).toEqual([20]);

    const long = scripted(new Uint8Array(21));
    const regenerated: unknown = await regenerateExternalId('kw-old', taken, long.random).catch(
      (caught: unknown) => caught,
    );
    expect(isKeywardError(regenerated, 'KW_INTERNAL')).toBe(true);
    expect((regenerated as KeywardError).message).toBe('The random source returned 21 bytes instead of 20.');
    expect(long.asked).toEqual([20]);
    expect(taken).not.toHaveBeenCalled();
  });
});

describe('isValidExternalId', () => {
  it.each([
    ['two characters', 'ab'],
    ['1224 characters', 'a'.repeat(1224)],
    ['every allowed punctuation', 'A_z0+=,.@:/-'],
    ['a generated-looking ID', 'kw-abcdefghijklmnopqrstuvwxyz234567'],
    ['an AWS-style ID', '12345678-90ab-cdef-1234-567890abcdef'],
  ])('accepts %s', (_, value) => {
    expect(isValidExternalId(value)).toBe(true);
  });

  it.each([
    ['the empty string', ''],
    ['one character', 'a'],
    ['1225 characters', 'a'.repeat(1225)],
    ['a space', 'kw abc'],
    ['a #', 'kw#abc'],
    ['a !', 'kw!abc'],
    ['a quote', 'kw"abc'],
    ['a backslash', 'kw\\abc'],
    ['a trailing newline', 'kw-abc\n'],
    ['a leading newline', '\nkw-abc'],
    ['a tab', 'kw\tabc'],
    ['a non-ASCII letter', 'kw-äbc'],
    ['a $', 'kw$abc'],
    ['a *', 'kw*abc'],
  ])('refuses %s', (_, value) => {
    expect(isValidExternalId(value)).toBe(false);
  });

  it.each([[undefined], [null], [42], [{}], [['kw-abc']], [Symbol('kw')]])(
    'refuses the non-string %s',
    (value) => {
      expect(isValidExternalId(value)).toBe(false);
    },
  );

  it("agrees with AWS's documented limits on arbitrary strings", () => {
    const chars = fc.constantFrom(...'aZ09_+=,.@:/- #!$"\'\\\n\tä*'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: chars, minLength: 0, maxLength: 30 }), (value) => {
        expect(isValidExternalId(value)).toBe(AWS_EXTERNAL_ID.test(value));
      }),
    );
  });
});

describe('issueExternalId', () => {
  const first = Buffer.alloc(20, 1);
  const second = Buffer.alloc(20, 2);
  const third = Buffer.alloc(20, 3);
  const idOf = (bytes: Uint8Array): string => `kw-${referenceBase32(bytes)}`;

  it('returns the first candidate when it is free', async () => {
    const source = scripted(first, second);
    const taken = vi.fn(() => false);
    await expect(issueExternalId(taken, source.random)).resolves.toBe(idOf(first));
    expect(taken).toHaveBeenCalledTimes(1);
    expect(taken).toHaveBeenCalledWith(idOf(first));
    expect(source.asked).toEqual([20]);
  });

  it('retries while `taken` says the candidate is held, with a synchronous or asynchronous store', async () => {
    const held = new Set([idOf(first), idOf(second)]);
    const source = scripted(first, second, third);
    const taken = vi.fn((id: string) => held.has(id));
    await expect(issueExternalId(taken, source.random)).resolves.toBe(idOf(third));
    expect(taken.mock.calls.map(([id]) => id)).toEqual([idOf(first), idOf(second), idOf(third)]);

    const asyncSource = scripted(first, second, third);
    await expect(issueExternalId(async (id) => held.has(id), asyncSource.random)).resolves.toBe(idOf(third));
    expect(asyncSource.asked).toEqual([20, 20, 20]);
  });

  it('gives up with a KeywardError after repeated collisions (a constant random source)', async () => {
    const constant = vi.fn(() => Buffer.from(first));
    const taken = vi.fn(async () => true);
    const error: unknown = await issueExternalId(taken, constant).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeywardError);
    expect(isKeywardError(error, 'KW_INTERNAL')).toBe(true);
    expect((error as KeywardError).message).toMatch(/unique External ID/);
    expect(taken).toHaveBeenCalledTimes(5);
    expect(constant).toHaveBeenCalledTimes(5);
    for (const [id] of taken.mock.calls as unknown as [string][]) expect(id).toBe(idOf(first));
  });

  it('succeeds on the last attempt but not after it', async () => {
    const ids = [first, second, third, Buffer.alloc(20, 4), Buffer.alloc(20, 5), Buffer.alloc(20, 6)];
    const lastFree = scripted(...ids);
    await expect(issueExternalId((id) => id !== idOf(ids[4]!), lastFree.random)).resolves.toBe(idOf(ids[4]!));
    const neverFree = scripted(...ids);
    await expect(issueExternalId((id) => id !== idOf(ids[5]!), neverFree.random)).rejects.toBeInstanceOf(
      KeywardError,
    );
    expect(neverFree.asked).toHaveLength(5);
  });

  it('propagates a failing store', async () => {
    await expect(
      issueExternalId(() => Promise.reject(new Error('store down')), scripted(first).random),
    ).rejects.toThrow('store down');
  });

  it('uses the CSPRNG when no random function is given', async () => {
    const id = await issueExternalId(() => false);
    expect(id).toMatch(FORMAT);
    expect(randomBytesSpy).toHaveBeenCalledWith(20);
  });
});

describe('regenerateExternalId', () => {
  it('never returns the previous ID, even when the random source repeats it', async () => {
    const previous = generateExternalId(() => Buffer.alloc(20, 7));
    const source = scripted(Buffer.alloc(20, 7), Buffer.alloc(20, 7), Buffer.alloc(20, 8));
    const taken = vi.fn(() => false);
    const result = await regenerateExternalId(previous, taken, source.random);
    expect(result.externalId).toBe(`kw-${referenceBase32(Buffer.alloc(20, 8))}`);
    expect(result.externalId).not.toBe(previous);
    expect(source.asked).toEqual([20, 20, 20]);
    // The previous ID is refused without asking the store.
    expect(taken).toHaveBeenCalledTimes(1);
  });

  it('never returns the previous ID for any previous and any random sequence', async () => {
    await fc.assert(
      fc.asyncProperty(
        bytes20,
        fc.array(bytes20, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (prevBytes, sequence, repeatPrevious) => {
          const previous = generateExternalId(() => Buffer.from(prevBytes));
          const chunks = repeatPrevious ? [prevBytes, ...sequence] : sequence;
          const outcome = await regenerateExternalId(previous, () => false, scripted(...chunks).random).catch(
            (error: unknown) => error,
          );
          if (outcome instanceof KeywardError) {
            expect(outcome.code).toBe('KW_INTERNAL');
          } else {
            const { externalId } = outcome as { externalId: string };
            expect(externalId).not.toBe(previous);
            expect(externalId).toMatch(FORMAT);
          }
        },
      ),
    );
  });

  it('also skips IDs other tenants hold', async () => {
    const previous = generateExternalId(() => Buffer.alloc(20, 1));
    const other = generateExternalId(() => Buffer.alloc(20, 2));
    const source = scripted(Buffer.alloc(20, 1), Buffer.alloc(20, 2), Buffer.alloc(20, 3));
    const result = await regenerateExternalId(previous, async (id) => id === other, source.random);
    expect(result.externalId).toBe(`kw-${referenceBase32(Buffer.alloc(20, 3))}`);
  });

  it('gives up with KW_INTERNAL rather than return the previous ID from a constant source', async () => {
    const previous = generateExternalId(() => Buffer.alloc(20, 9));
    const error: unknown = await regenerateExternalId(
      previous,
      () => false,
      () => Buffer.alloc(20, 9),
    ).catch((caught: unknown) => caught);
    expect(isKeywardError(error, 'KW_INTERNAL')).toBe(true);
  });

  it('returns the notice that the trust policy must be updated', async () => {
    const result = await regenerateExternalId('kw-old', () => false);
    expect(result.externalId).toMatch(FORMAT);
    expect(result.notice).toBe(REGENERATED_NOTICE);
    expect(result.notice).toBe(
      "A new External ID was issued. The role's trust policy still names the old one, so the platform can no longer assume the role until the customer updates the sts:ExternalId condition (setup step 3) and the test is run again.",
    );
    expect(result.notice).toMatch(/trust policy/);
    expect(result.notice).toMatch(/sts:ExternalId/);
    expect(result.notice).toMatch(/step 3/);
  });
});
