import { describe, expect, it } from 'vitest';
import { RequestContext } from '../policy/context.js';
import { AwsError } from '../protocol/aws-error.js';
import {
  addContextConditionKeys,
  checkEncryptionContext,
  encodeEncryptionContext,
} from './encryption-context.js';

const hex = (context: Record<string, string> | undefined) => encodeEncryptionContext(context).toString('hex');

/** Every context that can be made by cutting `text` into alternating key/value pieces (non-empty keys). */
function contextsFrom(text: string): Record<string, string>[] {
  const results: Record<string, string>[] = [];
  const cut = (rest: string, pieces: string[]) => {
    if (rest === '') {
      if (pieces.length % 2 === 0 && pieces.length > 0) {
        const context: Record<string, string> = {};
        for (let i = 0; i < pieces.length; i += 2) context[pieces[i]!] = pieces[i + 1]!;
        if (Object.keys(context).length === pieces.length / 2) results.push(context);
      }
      return;
    }
    const isKey = pieces.length % 2 === 0;
    for (let end = 1; end <= rest.length; end++) cut(rest.slice(end), [...pieces, rest.slice(0, end)]);
    if (!isKey) cut(rest, [...pieces, '']); // a value may be empty
  };
  cut(text, []);
  return results;
}

describe('encodeEncryptionContext', () => {
  it('has an exact, length-prefixed layout', () => {
    expect(hex({ a: 'b' })).toBe('00000001' + '00000001' + '61' + '00000001' + '62');
    expect(hex({ tenant: '' })).toBe(
      '00000001' + '00000006' + Buffer.from('tenant').toString('hex') + '00000000',
    );
  });

  it('encodes no context and an empty context the same way (a zero count)', () => {
    expect(hex(undefined)).toBe('00000000');
    expect(hex({})).toBe('00000000');
  });

  it('counts UTF-8 bytes, not characters', () => {
    expect(hex({ ä: '€' })).toBe('00000001' + '00000002' + 'c3a4' + '00000003' + 'e282ac');
  });

  it.each([
    [
      { a: '1', b: '2', c: '3' },
      { c: '3', a: '1', b: '2' },
    ],
    [
      { tenant: 'acme', purpose: 'byok' },
      { purpose: 'byok', tenant: 'acme' },
    ],
    [
      { z: '', é: 'x', A: 'y' },
      { A: 'y', é: 'x', z: '' },
    ],
  ])('is independent of pair order: %j', (first, second) => {
    expect(hex(first)).toBe(hex(second));
  });

  it('sorts keys by their UTF-8 bytes', () => {
    // "B" (0x42) < "a" (0x61) < "é" (0xc3 0xa9)
    const encoded = encodeEncryptionContext({ é: '3', a: '2', B: '1' });
    const keys: string[] = [];
    let offset = 4;
    while (offset < encoded.length) {
      const keyLength = encoded.readUInt32BE(offset);
      keys.push(encoded.subarray(offset + 4, offset + 4 + keyLength).toString('utf8'));
      offset += 4 + keyLength;
      offset += 4 + encoded.readUInt32BE(offset);
    }
    expect(keys).toEqual(['B', 'a', 'é']);
  });

  it.each([
    [{ ab: 'c' }, { a: 'bc' }],
    [{ a: 'b', c: 'd' }, { a: 'bcd' }],
    [{ a: 'b', c: 'd' }, { ab: 'cd' }],
    [{ a: '', b: 'c' }, { ab: 'c' }],
    [{ a: 'b:c' }, { 'a:b': 'c' }],
    [{ a: 'b' }, { a: 'b', '': '' }],
  ])('keeps %j and %j apart', (first, second) => {
    expect(hex(first)).not.toBe(hex(second));
  });

  it.each(['abcd', 'abcdef', 'aaaa', 'tenant=acme'])(
    'gives every distinct way of cutting %j its own encoding',
    (text) => {
      const contexts = contextsFrom(text);
      const distinct = new Set(contexts.map((context) => JSON.stringify(Object.entries(context).sort())));
      const encodings = new Set(contexts.map((context) => hex(context)));
      expect(distinct.size).toBeGreaterThan(3);
      expect(encodings.size).toBe(distinct.size);
    },
  );
});

describe('checkEncryptionContext', () => {
  const validationError = (context: Record<string, string>): AwsError => {
    try {
      checkEncryptionContext(context);
    } catch (error) {
      expect(error).toBeInstanceOf(AwsError);
      return error as AwsError;
    }
    throw new Error('expected a ValidationException');
  };

  it.each([
    ['no context', undefined],
    ['an empty context', {}],
    ['an ordinary context', { tenant: 'acme', purpose: 'byok' }],
    ['an empty value', { tenant: '' }],
    ['exactly 8192 bytes', { k: 'v'.repeat(8191) }],
    ['exactly 8192 bytes over several pairs', { a: 'x'.repeat(4095), b: 'y'.repeat(4095) }],
    ['exactly 8192 bytes of two-byte characters', { é: 'é'.repeat(4095) }],
  ])('accepts %s', (_label, context) => {
    expect(() => checkEncryptionContext(context)).not.toThrow();
  });

  it.each([
    ['8193 bytes', { k: 'v'.repeat(8192) }],
    ['8193 bytes over several pairs', { a: 'x'.repeat(4095), bb: 'y'.repeat(4095) }],
    ['two-byte characters counted as two bytes', { é: 'é'.repeat(4096) }],
  ])('refuses %s', (_label, context) => {
    const error = validationError(context);
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe('Encryption context exceeds the maximum size of 8192 bytes');
    expect(error.status).toBe(400);
  });

  it('refuses an empty key', () => {
    const error = validationError({ '': 'value' });
    expect(error.code).toBe('ValidationException');
    expect(error.message).toBe('Encryption context keys must not be empty');
  });
});

describe('addContextConditionKeys', () => {
  it('adds kms:EncryptionContext:<key> per pair and the multi-valued kms:EncryptionContextKeys', () => {
    const context = addContextConditionKeys(new RequestContext(), { Tenant: 'acme', purpose: 'byok' });
    expect(context.get('kms:EncryptionContext:Tenant')).toEqual(['acme']);
    expect(context.get('KMS:ENCRYPTIONCONTEXT:TENANT')).toEqual(['acme']);
    expect(context.get('kms:EncryptionContext:purpose')).toEqual(['byok']);
    expect(context.get('kms:EncryptionContextKeys')).toEqual(['Tenant', 'purpose']);
    expect(context.isMultiValued('kms:EncryptionContextKeys')).toBe(true);
    expect(context.isMultiValued('kms:EncryptionContext:Tenant')).toBe(false);
  });

  it('adds nothing for no context', () => {
    expect(addContextConditionKeys(new RequestContext(), undefined).entries()).toEqual([]);
    expect(addContextConditionKeys(new RequestContext(), {}).entries()).toEqual([]);
  });

  it('keeps what the target already holds', () => {
    const context = addContextConditionKeys(new RequestContext().set('kms:CallerAccount', '111122223333'), {
      a: 'b',
    });
    expect(context.get('kms:CallerAccount')).toEqual(['111122223333']);
    expect(context.get('kms:EncryptionContext:a')).toEqual(['b']);
  });
});
