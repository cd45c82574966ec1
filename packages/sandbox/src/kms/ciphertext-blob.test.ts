import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsError } from '../protocol/aws-error.js';
import { invalidCiphertext, openBlob, readBlobHeader, sealBlob, type BlobHeader } from './ciphertext-blob.js';

const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const header: BlobHeader = { keyArn: KEY_ARN, materialId: 'ab'.repeat(32) };
const material = Buffer.alloc(32, 7);
const BLOB_KEY = Buffer.alloc(32, 9);
const plaintext = Buffer.from('tenant data key');
const context = { tenant: 'acme', purpose: 'byok' };

/** Asserts that `open` fails exactly as KMS does: InvalidCiphertextException with no message. */
function expectInvalidCiphertext(open: () => unknown): void {
  let thrown: unknown;
  try {
    open();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AwsError);
  const error = thrown as AwsError;
  expect(error.code).toBe('InvalidCiphertextException');
  expect(error.hasMessage).toBe(false);
  expect(error.status).toBe(400);
}

describe('sealBlob / openBlob', () => {
  it('round-trips the plaintext', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);
    expect(openBlob(BLOB_KEY, blob, material, context).toString()).toBe('tenant data key');
  });

  it('round-trips with the context pairs in another order', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);
    expect(openBlob(BLOB_KEY, blob, material, { purpose: 'byok', tenant: 'acme' }).equals(plaintext)).toBe(
      true,
    );
  });

  it('round-trips without a context, and treats {} as no context', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, undefined);
    expect(openBlob(BLOB_KEY, blob, material, undefined).equals(plaintext)).toBe(true);
    expect(openBlob(BLOB_KEY, blob, material, {}).equals(plaintext)).toBe(true);
  });

  it('round-trips binary and maximum-size plaintext', () => {
    const big = randomBytes(4096);
    expect(
      openBlob(BLOB_KEY, sealBlob(BLOB_KEY, header, material, big, context), material, context).equals(big),
    ).toBe(true);
    const one = Buffer.from([0]);
    expect(
      openBlob(BLOB_KEY, sealBlob(BLOB_KEY, header, material, one, undefined), material, undefined).equals(
        one,
      ),
    ).toBe(true);
  });

  it('has the documented layout: version, ARN length, ARN, material ID, header tag, IV, ciphertext, tag', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);
    const arnLength = Buffer.byteLength(KEY_ARN);
    expect(blob[0]).toBe(0x01);
    expect(blob.readUInt16BE(1)).toBe(arnLength);
    expect(blob.subarray(3, 3 + arnLength).toString()).toBe(KEY_ARN);
    expect(blob.subarray(3 + arnLength, 3 + arnLength + 32).toString('hex')).toBe(header.materialId);
    expect(blob.length).toBe(3 + arnLength + 32 + 16 + 12 + plaintext.length + 16);
    expect(blob.includes(plaintext)).toBe(false);
  });

  it('authenticates the header with the blob key before anything else reads it', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);
    expect(readBlobHeader(BLOB_KEY, blob).keyArn).toBe(KEY_ARN);
    expectInvalidCiphertext(() => readBlobHeader(Buffer.alloc(32, 1), blob));
    const renamed = Buffer.from(blob);
    renamed[10] = renamed[10]! ^ 0x20;
    expectInvalidCiphertext(() => readBlobHeader(BLOB_KEY, renamed));
  });

  it('uses a fresh IV each time', () => {
    const first = sealBlob(BLOB_KEY, header, material, plaintext, context);
    const second = sealBlob(BLOB_KEY, header, material, plaintext, context);
    expect(first.equals(second)).toBe(false);
    expect(openBlob(BLOB_KEY, second, material, context).equals(plaintext)).toBe(true);
  });

  describe('refuses with InvalidCiphertextException', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);

    it.each([
      ['a wrong context value', { tenant: 'globex', purpose: 'byok' }],
      ['a value differing only in case', { tenant: 'ACME', purpose: 'byok' }],
      ['a key differing only in case', { Tenant: 'acme', purpose: 'byok' }],
      ['a missing pair', { tenant: 'acme' }],
      ['an extra pair', { ...context, extra: 'x' }],
      ['no context', undefined],
      ['an empty context', {}],
      ['the pieces regrouped', { tenantacme: '', purposebyok: '' }],
    ])('%s', (_label, given) => {
      expectInvalidCiphertext(() => openBlob(BLOB_KEY, blob, material, given));
    });

    it('a context when the blob was sealed with none', () => {
      const noContext = sealBlob(BLOB_KEY, header, material, plaintext, undefined);
      expectInvalidCiphertext(() => openBlob(BLOB_KEY, noContext, material, { tenant: 'acme' }));
    });

    it('the wrong key material', () => {
      expectInvalidCiphertext(() => openBlob(BLOB_KEY, blob, Buffer.alloc(32, 8), context));
      expectInvalidCiphertext(() => openBlob(BLOB_KEY, blob, randomBytes(32), context));
    });

    it('a flipped bit at any position', () => {
      const small = sealBlob(
        BLOB_KEY,
        { keyArn: 'arn:aws:kms:us-east-1:111122223333:key/k', materialId: '00'.repeat(32) },
        material,
        Buffer.from('x'),
        { a: 'b' },
      );
      let checked = 0;
      for (let position = 0; position < small.length; position++) {
        for (const bit of [0x01, 0x80]) {
          const tampered = Buffer.from(small);
          tampered[position]! ^= bit;
          expectInvalidCiphertext(() => openBlob(BLOB_KEY, tampered, material, { a: 'b' }));
          checked++;
        }
      }
      expect(checked).toBe(small.length * 2);
      // and the untampered blob still opens
      expect(openBlob(BLOB_KEY, small, material, { a: 'b' }).toString()).toBe('x');
    });

    it('a truncated blob, at every length', () => {
      for (let length = 0; length < blob.length; length++) {
        expectInvalidCiphertext(() => openBlob(BLOB_KEY, blob.subarray(0, length), material, context));
      }
    });

    it('a blob with bytes appended', () => {
      expectInvalidCiphertext(() =>
        openBlob(BLOB_KEY, Buffer.concat([blob, Buffer.from([0])]), material, context),
      );
    });

    it('another version byte', () => {
      const other = Buffer.from(blob);
      other[0] = 0x02;
      expectInvalidCiphertext(() => readBlobHeader(BLOB_KEY, other));
    });

    it('random bytes', () => {
      expectInvalidCiphertext(() =>
        openBlob(BLOB_KEY, Buffer.concat([Buffer.from([1, 0, 4]), randomBytes(80)]), material, context),
      );
      expectInvalidCiphertext(() => openBlob(BLOB_KEY, Buffer.alloc(0), material, context));
    });
  });
});

describe('readBlobHeader', () => {
  it('reads the key ARN and material ID without decrypting', () => {
    const blob = sealBlob(BLOB_KEY, header, material, plaintext, context);
    expect(readBlobHeader(BLOB_KEY, blob)).toEqual({
      keyArn: KEY_ARN,
      materialId: header.materialId,
      headerLength: 3 + Buffer.byteLength(KEY_ARN) + 32,
    });
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['two bytes', Buffer.from([1, 0])],
    [
      'a header with no room for IV and tag',
      Buffer.concat([Buffer.from([1, 0, 1]), Buffer.from('k'), Buffer.alloc(32)]),
    ],
    ['an ARN length beyond the blob', Buffer.concat([Buffer.from([1, 0xff, 0xff]), Buffer.alloc(100)])],
  ])('refuses %s', (_label, blob) => {
    expectInvalidCiphertext(() => readBlobHeader(BLOB_KEY, blob));
  });
});

describe('invalidCiphertext', () => {
  it('has no message, as on the wire', () => {
    const error = invalidCiphertext();
    expect(error.code).toBe('InvalidCiphertextException');
    expect(error.hasMessage).toBe(false);
    expect(error.type).toBe('Sender');
  });
});
