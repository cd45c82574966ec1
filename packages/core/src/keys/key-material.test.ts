import { hkdfSync } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MESSAGES_PER_MESSAGE_KEY, messageKeyInfo } from '../envelope/message-key.js';
import { SecretKey } from './secret-key.js';
import type { RandomSource } from '../random.js';
import { KeyMaterial } from './key-material.js';

const TENANT_KEY = Buffer.from('5a'.repeat(32), 'hex');

/** Salts 01…01, 02…02, … in order, so each draw is recognisable. */
function countingRandom(): RandomSource & { publicCalls: number } {
  const source = {
    publicCalls: 0,
    publicBytes(length: number) {
      source.publicCalls++;
      return Buffer.alloc(length, source.publicCalls);
    },
    secretBytes(length: number) {
      return Buffer.alloc(length, 0xee);
    },
  };
  return source;
}

function material(tenantId = 'acme', version = 3): { material: KeyMaterial; tenantKeyBytes: Buffer } {
  const tenantKeyBytes = Buffer.from(TENANT_KEY);
  return { material: new KeyMaterial(tenantId, version, new SecretKey(tenantKeyBytes)), tenantKeyBytes };
}

/** The message key as docs/format.md §3 defines it, computed independently of message-key.ts. */
function expectedMessageKey(salt: Buffer, tenantId: string, version: number): Buffer {
  const tenant = Buffer.from(tenantId, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(tenant.length);
  const versionBytes = Buffer.alloc(4);
  versionBytes.writeUInt32BE(version);
  const info = Buffer.concat([Buffer.from('keyward/v1/message-key'), length, tenant, versionBytes]);
  return Buffer.from(hkdfSync('sha256', TENANT_KEY, salt, info, 32));
}

const salt = (byte: number): Buffer => Buffer.alloc(16, byte);
const isZero = (bytes: Buffer): boolean => bytes.every((byte) => byte === 0);

describe('KeyMaterial: message keys for encryption', () => {
  it(`reuses one salt and message key (budget ${MESSAGES_PER_MESSAGE_KEY} = 2^24 messages) across calls`, () => {
    expect(MESSAGES_PER_MESSAGE_KEY).toBe(2 ** 24);
    const random = countingRandom();
    const { material: keys } = material();
    const first = keys.encryptionKey(random);
    const firstSalt = Buffer.from(first.salt);
    for (let i = 0; i < 1000; i++) {
      const next = keys.encryptionKey(random);
      expect(next.salt.equals(firstSalt)).toBe(true);
      expect(next.key).toBe(first.key);
    }
    // One draw of public randomness for 1001 messages: the salt is not redrawn per message.
    expect(random.publicCalls).toBe(1);
    expect(firstSalt.equals(salt(1))).toBe(true);
  });

  it('derives the message key with HKDF-SHA256(tenant key, salt, "keyward/v1/message-key" ‖ u16 len ‖ tenant ‖ u32 version)', () => {
    const { material: keys } = material('acme', 3);
    const { salt: drawn, key } = keys.encryptionKey(countingRandom());
    expect(key.equals(expectedMessageKey(drawn, 'acme', 3))).toBe(true);
    expect(messageKeyInfo('acme', 3).toString('hex')).toBe(
      Buffer.from('keyward/v1/message-key').toString('hex') +
        '0004' +
        Buffer.from('acme').toString('hex') +
        '00000003',
    );
  });

  it('binds the tenant and version: the same tenant key and salt give other keys for another tenant or version', () => {
    const keyFor = (tenantId: string, version: number) =>
      material(tenantId, version).material.encryptionKey(countingRandom()).key;
    const base = keyFor('acme', 3);
    expect(keyFor('acme2', 3).equals(base)).toBe(false);
    expect(keyFor('acme', 4).equals(base)).toBe(false);
    expect(keyFor('acme', 3).equals(base)).toBe(true);
  });

  it('gives each material its own salt', () => {
    const random = countingRandom();
    const a = material().material.encryptionKey(random);
    const b = material().material.encryptionKey(random);
    expect(a.salt.equals(b.salt)).toBe(false);
  });
});

describe('KeyMaterial: message keys for decryption', () => {
  it('returns the encryption key for the encryption salt without deriving again', () => {
    const { material: keys } = material();
    const { salt: drawn, key } = keys.encryptionKey(countingRandom());
    expect(keys.decryptionKey(Buffer.from(drawn))).toBe(key);
  });

  it('derives the key for another salt, and keeps it for the next ciphertext with that salt', () => {
    const { material: keys } = material('acme', 3);
    const key = keys.decryptionKey(salt(0x42));
    expect(key.equals(expectedMessageKey(salt(0x42), 'acme', 3))).toBe(true);
    expect(keys.decryptionKey(salt(0x42))).toBe(key);
  });

  it('keeps the 16 most recent decryption keys, zeroing the oldest when a 17th arrives', () => {
    const { material: keys } = material();
    const kept = Array.from({ length: 16 }, (_, i) => keys.decryptionKey(salt(i + 1)));
    expect(kept.some(isZero)).toBe(false);
    keys.decryptionKey(salt(17));
    expect(isZero(kept[0]!)).toBe(true);
    expect(kept.slice(1).some(isZero)).toBe(false);
    // Asking for the dropped salt again derives a fresh, correct key.
    expect(keys.decryptionKey(salt(1)).equals(expectedMessageKey(salt(1), 'acme', 3))).toBe(true);
  });
});

describe('KeyMaterial: dispose', () => {
  it('zeroes the tenant key, the encryption key and every decryption key, and is no longer alive', () => {
    const { material: keys, tenantKeyBytes } = material();
    const { key: encryptionKey } = keys.encryptionKey(countingRandom());
    const decryptionKeys = [keys.decryptionKey(salt(0x42)), keys.decryptionKey(salt(0x43))];
    const tenantKey = keys.tenantKey();
    expect(keys.alive).toBe(true);
    keys.dispose();
    expect(keys.alive).toBe(false);
    expect(isZero(tenantKeyBytes)).toBe(true);
    expect(tenantKey.zeroed).toBe(true);
    expect(isZero(encryptionKey)).toBe(true);
    for (const key of decryptionKeys) expect(isZero(key)).toBe(true);
    keys.dispose();
    expect(keys.alive).toBe(false);
  });

  it('a disposed KeyMaterial that never encrypted refuses to derive keys (its tenant key is zeroed)', () => {
    const { material: keys } = material();
    keys.dispose();
    expect(() => keys.encryptionKey(countingRandom())).toThrow('A tenant key was used after it was evicted.');
    expect(() => keys.decryptionKey(salt(0x42))).toThrow('A tenant key was used after it was evicted.');
  });

  it('a disposed KeyMaterial never hands out its zeroed encryption key', () => {
    const { material: keys } = material();
    const random = countingRandom();
    keys.encryptionKey(random);
    keys.dispose();
    let handedOut: Buffer | undefined;
    try {
      handedOut = keys.encryptionKey(random).key;
    } catch {
      // Refusing is the correct outcome.
    }
    expect(handedOut).toBeUndefined();
  });

  it('shows no key bytes to JSON.stringify or util.inspect', () => {
    const { material: keys } = material();
    const { key } = keys.encryptionKey(countingRandom());
    const shown = [
      JSON.stringify(keys),
      inspect(keys, { depth: Infinity, showHidden: true }),
      inspect(keys, { customInspect: false, depth: Infinity, showHidden: true }),
    ].join('\n');
    expect(JSON.stringify(keys)).toBe('{"tenantId":"acme","version":3,"alive":true}');
    expect(inspect(keys)).toBe('KeyMaterial { tenantId: "acme", version: 3, key: [redacted] }');
    for (const bytes of [TENANT_KEY, key]) {
      for (const form of [
        bytes.toString('hex'),
        bytes.toString('base64'),
        bytes.toString('latin1'),
        bytes.subarray(0, 4).toString('hex').replace(/(..)/g, '$1 ').trim(),
      ]) {
        expect(shown.includes(form)).toBe(false);
      }
    }
  });
});
