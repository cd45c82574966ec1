import { describe, expect, it } from 'vitest';
import { isKeywardError, type ErrorCode } from '../errors.js';
import {
  FORMAT_VERSION,
  HEADER_BYTES,
  OVERHEAD_BYTES,
  TEXT_PREFIX,
  fromText,
  parseCiphertext,
  toBinary,
  toText,
} from './format.js';

const MAX = 1024;

function expectCode(code: ErrorCode, run: () => unknown): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(isKeywardError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
}

/** A well-formed binary ciphertext: header with recognisable fields, `bodyBytes` body bytes, tag. */
function ciphertext(bodyBytes = 0, keyVersion = 7): Buffer {
  const out = Buffer.alloc(OVERHEAD_BYTES + bodyBytes);
  out[0] = 1;
  out[1] = 1;
  out.writeUInt32BE(keyVersion, 2);
  out.fill(0xaa, 6, 22); // salt
  out.fill(0xbb, 22, 34); // IV
  out.fill(0xdd, 34, 34 + bodyBytes); // body
  out.fill(0xcc, 34 + bodyBytes); // tag
  return out;
}

describe('format constants', () => {
  it('has a 34-byte header, 50 bytes of overhead and the kw1: text prefix', () => {
    expect([FORMAT_VERSION, HEADER_BYTES, OVERHEAD_BYTES, TEXT_PREFIX]).toEqual([1, 34, 50, 'kw1:']);
  });
});

describe('parseCiphertext', () => {
  it('parses the minimal 50-byte ciphertext (empty plaintext) into its fields', () => {
    const parsed = parseCiphertext(ciphertext(), MAX);
    expect(parsed.keyVersion).toBe(7);
    expect(parsed.salt.toString('hex')).toBe('aa'.repeat(16));
    expect(parsed.iv.toString('hex')).toBe('bb'.repeat(12));
    expect(parsed.body.length).toBe(0);
    expect(parsed.tag.toString('hex')).toBe('cc'.repeat(16));
    expect(parsed.headerBytes.equals(ciphertext().subarray(0, 34))).toBe(true);
  });

  it('splits the body from the tag', () => {
    const parsed = parseCiphertext(ciphertext(3, 0xffff_ffff), MAX);
    expect(parsed.keyVersion).toBe(0xffff_ffff);
    expect(parsed.body.toString('hex')).toBe('dddddd');
    expect(parsed.tag.toString('hex')).toBe('cc'.repeat(16));
  });

  it('reads a Uint8Array view at a non-zero offset of a larger buffer', () => {
    const backing = Buffer.concat([Buffer.from([9, 9, 9]), ciphertext(2, 5), Buffer.from([9])]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 3, OVERHEAD_BYTES + 2);
    const parsed = parseCiphertext(view, MAX);
    expect(parsed.keyVersion).toBe(5);
    expect(parsed.body.toString('hex')).toBe('dddd');
    expect(parsed.tag.toString('hex')).toBe('cc'.repeat(16));
  });

  it.each([0, 1, 2, 33, 34, 49])('refuses a truncated %i-byte input as KW_CIPHERTEXT_MALFORMED', (length) => {
    expectCode('KW_CIPHERTEXT_MALFORMED', () => parseCiphertext(ciphertext().subarray(0, length), MAX));
  });

  it.each([0, 2, 0x81, 0xff])('refuses format version byte %i as KW_CIPHERTEXT_UNSUPPORTED', (version) => {
    const bytes = ciphertext();
    bytes[0] = version;
    expectCode('KW_CIPHERTEXT_UNSUPPORTED', () => parseCiphertext(bytes, MAX));
  });

  it.each([0, 2, 0xff])('refuses algorithm suite %i as KW_CIPHERTEXT_UNSUPPORTED', (suite) => {
    const bytes = ciphertext();
    bytes[1] = suite;
    expectCode('KW_CIPHERTEXT_UNSUPPORTED', () => parseCiphertext(bytes, MAX));
  });

  it('refuses key version 0 as KW_CIPHERTEXT_MALFORMED', () => {
    expectCode('KW_CIPHERTEXT_MALFORMED', () => parseCiphertext(ciphertext(0, 0), MAX));
  });

  it('accepts a body of exactly maxPlaintextBytes and refuses one byte more with KW_CIPHERTEXT_TOO_LARGE', () => {
    expect(parseCiphertext(ciphertext(10), 10).body.length).toBe(10);
    expectCode('KW_CIPHERTEXT_TOO_LARGE', () => parseCiphertext(ciphertext(11), 10));
  });
});

describe('text form', () => {
  it('is kw1: followed by unpadded base64url, and round trips for every length modulo 3', () => {
    for (const bodyBytes of [0, 1, 2, 3, 250]) {
      const binary = ciphertext(bodyBytes);
      // 0xfb 0xff bytes make base64 use "+" and "/", which base64url spells "-" and "_".
      binary.fill(0xfb, 34, 34 + bodyBytes);
      const text = toText(binary);
      expect(text).toBe(`kw1:${binary.toString('base64url')}`);
      expect(text).not.toMatch(/[=+/]/);
      expect(fromText(text, MAX).equals(binary)).toBe(true);
    }
  });

  it('encodes a Uint8Array view without its neighbouring bytes', () => {
    const backing = Buffer.concat([Buffer.from([1, 2]), ciphertext(), Buffer.from([3])]);
    expect(toText(backing.subarray(2, 52))).toBe(toText(ciphertext()));
  });

  it.each([
    ['no prefix', ciphertext().toString('base64url')],
    ['an upper-case prefix', `KW1:${ciphertext().toString('base64url')}`],
    ['another version prefix', `kw2:${ciphertext().toString('base64url')}`],
    ['the empty string', ''],
    ['a leading space', ` ${toText(ciphertext())}`],
  ])('refuses %s as KW_CIPHERTEXT_MALFORMED', (_name, text) => {
    expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText(text, MAX));
  });

  it.each(['+', '/', ' ', '\n', '.', '*', 'é', '\u0000'])(
    'refuses the invalid character %j as KW_CIPHERTEXT_MALFORMED',
    (character) => {
      const text = toText(ciphertext(1));
      expectCode('KW_CIPHERTEXT_MALFORMED', () =>
        fromText(text.slice(0, 10) + character + text.slice(11), MAX),
      );
    },
  );

  it('refuses "=" padding as KW_CIPHERTEXT_MALFORMED', () => {
    const twoPads = ciphertext(2); // 52 bytes: padded base64 ends with "=="
    const onePad = ciphertext(3); // 53 bytes: padded base64 ends with one "="
    expect(twoPads.toString('base64')).toMatch(/[^=]==$/);
    expect(onePad.toString('base64')).toMatch(/[^=]=$/);
    expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText(`kw1:${twoPads.toString('base64url')}==`, MAX));
    expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText(`kw1:${onePad.toString('base64url')}=`, MAX));
  });

  it('refuses a last character with non-zero unused bits, so that each ciphertext has one text spelling', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 52 bytes end in a 2-character group (4 unused bits), 53 bytes in a 3-character group (2 unused bits).
    for (const [bodyBytes, unusedBits] of [
      [2, 4],
      [3, 2],
    ] as const) {
      const text = toText(ciphertext(bodyBytes));
      const last = alphabet.indexOf(text.at(-1)!);
      expect(last & ((1 << unusedBits) - 1)).toBe(0);
      for (let bit = 0; bit < unusedBits; bit++) {
        const respelled = text.slice(0, -1) + alphabet[last | (1 << bit)]!;
        expect(Buffer.from(respelled.slice(4), 'base64url').equals(ciphertext(bodyBytes))).toBe(true); // Node would accept it
        expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText(respelled, MAX));
      }
    }
  });

  it('refuses a length of 1 modulo 4 as KW_CIPHERTEXT_MALFORMED', () => {
    const text = toText(ciphertext(0)); // 50 bytes → 67 characters, 3 mod 4
    expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText(`${text}AA`, MAX)); // 69 → 1 mod 4
    expectCode('KW_CIPHERTEXT_MALFORMED', () => fromText('kw1:A', MAX));
  });

  it('refuses text longer than the largest allowed ciphertext as KW_CIPHERTEXT_TOO_LARGE', () => {
    // maxPlaintextBytes 10 → at most 60 bytes → at most 80 characters.
    expect(fromText(`kw1:${'A'.repeat(80)}`, 10).length).toBe(60);
    expectCode('KW_CIPHERTEXT_TOO_LARGE', () => fromText(`kw1:${'A'.repeat(84)}`, 10));
    expectCode('KW_CIPHERTEXT_TOO_LARGE', () => fromText(`kw1:${'A'.repeat(81)}`, 10));
  });
});

describe('toBinary', () => {
  it('returns bytes as they are and decodes strings as the text form', () => {
    const binary = ciphertext(1);
    expect(toBinary(binary, MAX)).toBe(binary);
    const view = new Uint8Array(binary);
    expect(toBinary(view, MAX)).toBe(view);
    expect(Buffer.from(toBinary(toText(binary), MAX)).equals(binary)).toBe(true);
  });

  it.each([
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { 0: 1 }],
    ['an array of numbers', Array.from(ciphertext())],
    ['an ArrayBuffer', new ArrayBuffer(50)],
    ['a DataView', new DataView(new ArrayBuffer(50))],
    ['a Uint16Array', new Uint16Array(25)],
  ])('refuses %s (neither a string nor bytes) as KW_CIPHERTEXT_MALFORMED', (_name, input) => {
    expectCode('KW_CIPHERTEXT_MALFORMED', () => toBinary(input as unknown as Uint8Array, MAX));
  });
});
