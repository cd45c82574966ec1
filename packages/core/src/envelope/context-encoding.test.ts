import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isKeywardError } from '../errors.js';
import {
  CONTEXT_LIMITS,
  encodeContext,
  encodeContextAfter,
  sharedEncodingAfter,
  type EncryptionContext,
} from './context-encoding.js';

const hex = (context: unknown): string => encodeContext(context as EncryptionContext).toString('hex');

function expectInvalid(context: unknown): void {
  let thrown: unknown;
  try {
    encodeContext(context as EncryptionContext);
  } catch (error) {
    thrown = error;
  }
  expect(
    isKeywardError(thrown, 'KW_CONTEXT_INVALID'),
    `expected KW_CONTEXT_INVALID, got ${String(thrown)}`,
  ).toBe(true);
}

/** A context of `count` entries with distinct one-to-three character ASCII keys. */
function entries(count: number, value = ''): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));
}

describe('encodeContext: canonical bytes', () => {
  it('encodes undefined, {} and a null-prototype {} as a zero entry count 0x0000', () => {
    expect(hex(undefined)).toBe('0000');
    expect(hex({})).toBe('0000');
    expect(hex(Object.create(null))).toBe('0000');
  });

  it('encodes one entry as count ‖ u16 len ‖ key ‖ u16 len ‖ value', () => {
    expect(hex({ a: 'b' })).toBe('0001' + '0001' + '61' + '0001' + '62');
    expect(hex({ k: '' })).toBe('0001' + '0001' + '6b' + '0000');
  });

  it('encodes known multi-entry contexts sorted by key', () => {
    expect(hex({ b: '2', a: '1' })).toBe(
      '0002' + '0001' + '61' + '0001' + '31' + '0001' + '62' + '0001' + '32',
    );
    expect(hex({ tenant: 'acme', purpose: 'invoice' })).toBe(
      '0002' +
        '0007' +
        Buffer.from('purpose').toString('hex') +
        '0007' +
        Buffer.from('invoice').toString('hex') +
        '0006' +
        Buffer.from('tenant').toString('hex') +
        '0004' +
        Buffer.from('acme').toString('hex'),
    );
  });

  it('sorts keys by their UTF-8 bytes, not by UTF-16 code units', () => {
    // UTF-16 puts U+1F600 (a surrogate pair, 0xD83D…) before U+FF21; UTF-8 puts ef bc a1 before f0 9f 98 80.
    expect(hex({ '😀': '', Ａ: '' })).toBe(
      '0002' + '0003' + 'efbca1' + '0000' + '0004' + 'f09f9880' + '0000',
    );
  });

  it('does not depend on the order of the keys', () => {
    const forward = encodeContext({ a: '1', b: '2', c: '3', é: '4' });
    expect(encodeContext({ é: '4', c: '3', a: '1', b: '2' }).equals(forward)).toBe(true);
    expect(encodeContext({ b: '2', é: '4', a: '1', c: '3' }).equals(forward)).toBe(true);
  });

  it('encodes {"ab":"c"} and {"a":"bc"} differently', () => {
    expect(hex({ ab: 'c' })).toBe('0001000261620001' + '63');
    expect(hex({ a: 'bc' })).toBe('00010001610002' + '6263');
    expect(hex({ ab: 'c' })).not.toBe(hex({ a: 'bc' }));
  });
});

describe('encodeContext: limits', () => {
  it(`accepts ${CONTEXT_LIMITS.maxEntries} entries and refuses ${CONTEXT_LIMITS.maxEntries + 1}`, () => {
    expect(encodeContext(entries(64)).readUInt16BE(0)).toBe(64);
    expectInvalid(entries(65));
  });

  it(`accepts a key of ${CONTEXT_LIMITS.maxKeyBytes} UTF-8 bytes and refuses ${CONTEXT_LIMITS.maxKeyBytes + 1}`, () => {
    expect(encodeContext({ ['k'.repeat(256)]: 'v' }).readUInt16BE(2)).toBe(256);
    // 128 two-byte characters are 256 bytes: the limit counts bytes, not characters.
    expect(encodeContext({ ['é'.repeat(128)]: 'v' }).readUInt16BE(2)).toBe(256);
    expectInvalid({ ['k'.repeat(257)]: 'v' });
    expectInvalid({ ['é'.repeat(128) + 'k']: 'v' });
  });

  it(`accepts a value of ${CONTEXT_LIMITS.maxValueBytes} UTF-8 bytes and refuses ${CONTEXT_LIMITS.maxValueBytes + 1}`, () => {
    expect(encodeContext({ k: 'v'.repeat(4096) }).readUInt16BE(5)).toBe(4096);
    expectInvalid({ k: 'v'.repeat(4097) });
    expectInvalid({ k: '€'.repeat(1365) + 'ab' }); // 4095 + 2 bytes
  });

  it(`accepts an encoding of exactly ${CONTEXT_LIMITS.maxEncodedBytes} bytes and refuses one more`, () => {
    // 2 + (4 + 1 + 4096) + (4 + 1 + 4084) = 8192.
    const atLimit = { a: 'x'.repeat(4096), b: 'y'.repeat(4084) };
    expect(encodeContext(atLimit).length).toBe(8192);
    expectInvalid({ a: 'x'.repeat(4096), b: 'y'.repeat(4085) });
  });

  it('refuses an empty key', () => {
    expectInvalid({ '': 'v' });
    expectInvalid({ a: 'b', '': '' });
  });
});

describe('encodeContext: refuses what is not a plain object of well-formed strings', () => {
  it.each([
    ['a number value', { a: 1 }],
    ['a boolean value', { a: true }],
    ['a null value', { a: null }],
    ['an undefined value', { a: undefined }],
    ['an object value', { a: {} }],
    ['an array value', { a: ['x'] }],
  ])('refuses %s', (_name, context) => expectInvalid(context));

  class Context {
    a = 'b';
  }

  it.each([
    ['null', null],
    ['an array', ['a', 'b']],
    ['an array of pairs', [['a', 'b']]],
    ['a Map', new Map([['a', 'b']])],
    ['a class instance', new Context()],
    ['a Date', new Date(0)],
    ['a string', 'a=b'],
    ['a number', 7],
  ])('refuses %s as the context', (_name, context) => expectInvalid(context));

  it('refuses lone surrogates in keys and values', () => {
    expectInvalid({ '\uD800': 'v' });
    expectInvalid({ k: 'a\uDC00' });
    expectInvalid({ k: '\uDBFF' });
    // A well-formed pair is fine.
    expect(hex({ k: '\uD83D\uDE00' })).toBe('000100016b0004f09f9880');
  });
});

describe('encodeContext: injectivity', () => {
  // A small alphabet, including the bytes a naive encoding would confuse, makes near-collisions likely.
  const text = fc.string({ unit: fc.constantFrom('a', 'b', '=', ',', '\u0000', 'é', '😀'), maxLength: 4 });
  const context = fc.dictionary(
    text.filter((key) => key.length > 0),
    text,
    { maxKeys: 4 },
  );
  const pairs = (value: Record<string, string>): string =>
    JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

  it('never encodes distinct contexts (as sets of pairs) alike', () => {
    fc.assert(
      fc.property(context, context, (a, b) => {
        const same = pairs(a) === pairs(b);
        expect(encodeContext(a).equals(encodeContext(b))).toBe(same);
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes a context alike whatever order its keys were inserted in', () => {
    fc.assert(
      fc.property(context, (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(encodeContext(reversed).equals(encodeContext(value))).toBe(true);
      }),
    );
  });
});

describe('encodeContext: reads each value once', () => {
  it('a getter that changes its value after the check cannot smuggle a different value into the encoding', () => {
    let reads = 0;
    const context = Object.defineProperty({}, 'k', {
      enumerable: true,
      get: () => (reads++ === 0 ? 'short' : 'x'.repeat(10_000)),
    }) as EncryptionContext;
    expect(encodeContext(context).equals(encodeContext({ k: 'short' }))).toBe(true);
    expect(reads).toBe(1);
  });
});

describe('sharedEncodingAfter (the AAD of runs of calls with one context)', () => {
  it('encodes as encodeContextAfter does, and shares the encoding while the entries stay the same', () => {
    // The reserved bytes are the cipher's to fill: only what follows them is compared.
    const first = sharedEncodingAfter(34, { table: 'invoices', row: '1' });
    expect(first.subarray(34)).toEqual(encodeContextAfter(34, { table: 'invoices', row: '1' }).subarray(34));
    expect(sharedEncodingAfter(34, { table: 'invoices', row: '1' })).toBe(first);
    const other = sharedEncodingAfter(34, { table: 'invoices', row: '2' });
    expect(other).not.toBe(first);
    expect(other.subarray(34)).toEqual(encodeContextAfter(34, { table: 'invoices', row: '2' }).subarray(34));
    expect(sharedEncodingAfter(0, { table: 'invoices', row: '2' })).toEqual(
      encodeContextAfter(0, { table: 'invoices', row: '2' }),
    );
  });

  it('encodes what it read once: a getter that answers differently later never gets an old encoding', () => {
    let reads = 0;
    const shifty = {
      get row() {
        return String(++reads);
      },
    };
    const a = sharedEncodingAfter(0, shifty);
    expect(a).toEqual(encodeContextAfter(0, { row: '1' }));
    const b = sharedEncodingAfter(0, shifty);
    expect(b).toEqual(encodeContextAfter(0, { row: '2' }));
  });

  it('refuses what the encoding refuses, even right after a valid context with the same entries', () => {
    sharedEncodingAfter(34, { a: 'b' });
    class Context {
      a = 'b';
    }
    expect(() => sharedEncodingAfter(34, new Context() as unknown as EncryptionContext)).toThrow(
      expect.objectContaining({ code: 'KW_CONTEXT_INVALID' }),
    );
  });
});
