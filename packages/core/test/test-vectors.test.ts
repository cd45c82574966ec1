/**
 * Checks the committed test vectors (docs/test-vectors/) three ways:
 * 1. with an independent implementation of docs/format.md below, built on node:crypto only and
 *    importing none of core's envelope code;
 * 2. through core's public API (createKeyward), decrypting both forms and, for valid vectors,
 *    encrypting again with the vector's salt and IV injected;
 * 3. against the generator: the committed files are byte-identical to what it builds now.
 */
import { createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  KeywardError,
  LocalRootKey,
  MemoryTenantKeyStore,
  SecretKey,
  createKeyward,
  type EncryptionContext,
  type RandomSource,
  type RootKey,
  type WrapContext,
} from '@keyward/core';
import {
  VECTORS_DIR,
  buildVectorFiles,
  type DecryptInput,
  type InvalidVector,
  type KeyringSpec,
  type LocalRootKeyInvalidVector,
  type LocalRootKeyVector,
  type ValidVector,
} from './vectors/generate.js';

function load<T>(name: string): T {
  return JSON.parse(readFileSync(`${VECTORS_DIR}${name}`, 'utf8')) as T;
}

const valid = load<{ cases: ValidVector[] }>('valid.json').cases;
const invalid = load<{ cases: InvalidVector[] }>('invalid.json').cases;
const local = load<{ valid: LocalRootKeyVector[]; invalid: LocalRootKeyInvalidVector[] }>(
  'local-root-key.json',
);
const formatDoc = readFileSync(new URL('../../../docs/format.md', import.meta.url), 'utf8');

const unhex = (text: string): Buffer => Buffer.from(text, 'hex');

// ---------------------------------------------------------------------------------------------
// 1. An independent implementation of docs/format.md (node:crypto only).
// ---------------------------------------------------------------------------------------------

type Outcome = { ok: true; plaintext: Buffer } | { ok: false; code: string };

class Failure extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const spec = {
  prefix: 'kw1:',
  headerBytes: 34,
  overheadBytes: 50,
  messageKeyLabel: 'keyward/v1/message-key',
  localWrapLabel: 'keyward/v1/local-root-wrap',
  maxEntries: 64,
  maxKeyBytes: 256,
  maxValueBytes: 4096,
  maxEncodedBytes: 8192,
};

function u16(value: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(value);
  return out;
}

function u32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value);
  return out;
}

/** §2: "kw1:" ‖ unpadded base64url; strict, and canonical (zero trailing bits). */
function decodeText(text: string, maxPlaintextBytes: number): Buffer {
  if (!text.startsWith(spec.prefix)) throw new Failure('KW_CIPHERTEXT_MALFORMED');
  const encoded = text.slice(spec.prefix.length);
  if (encoded.length > Math.ceil(((maxPlaintextBytes + spec.overheadBytes) * 4) / 3))
    throw new Failure('KW_CIPHERTEXT_TOO_LARGE');
  if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1)
    throw new Failure('KW_CIPHERTEXT_MALFORMED');
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) throw new Failure('KW_CIPHERTEXT_MALFORMED');
  return bytes;
}

/** §4: the canonical context encoding, with its validation. */
function encodeContextIndependently(context: unknown): Buffer {
  if (context === undefined) return Buffer.from([0, 0]);
  if (typeof context !== 'object' || context === null || Array.isArray(context))
    throw new Failure('KW_CONTEXT_INVALID');
  const entries = Object.entries(context as Record<string, unknown>).map(([key, value]) => {
    if (typeof value !== 'string' || !key.isWellFormed() || !value.isWellFormed())
      throw new Failure('KW_CONTEXT_INVALID');
    const k = Buffer.from(key, 'utf8');
    const v = Buffer.from(value, 'utf8');
    if (k.length < 1 || k.length > spec.maxKeyBytes || v.length > spec.maxValueBytes)
      throw new Failure('KW_CONTEXT_INVALID');
    return [k, v] as const;
  });
  if (entries.length > spec.maxEntries) throw new Failure('KW_CONTEXT_INVALID');
  entries.sort(([a], [b]) => Buffer.compare(a, b));
  const encoded = Buffer.concat([
    u16(entries.length),
    ...entries.flatMap(([k, v]) => [u16(k.length), k, u16(v.length), v]),
  ]);
  if (encoded.length > spec.maxEncodedBytes) throw new Failure('KW_CONTEXT_INVALID');
  return encoded;
}

/** §3: info = label ‖ u16 len ‖ tenant ID ‖ u32 version. */
function infoOf(tenantId: string, version: number): Buffer {
  const tenant = Buffer.from(tenantId, 'utf8');
  return Buffer.concat([Buffer.from(spec.messageKeyLabel, 'utf8'), u16(tenant.length), tenant, u32(version)]);
}

function messageKeyOf(tenantKey: Buffer, salt: Buffer, tenantId: string, version: number): Buffer {
  return Buffer.from(hkdfSync('sha256', tenantKey, salt, infoOf(tenantId, version), 32));
}

/** §7, step by step. */
function independentDecrypt(input: DecryptInput): Outcome {
  try {
    const bytes =
      input.ciphertextText === undefined
        ? unhex(input.ciphertext ?? '')
        : decodeText(input.ciphertextText, input.maxPlaintextBytes);
    if (bytes.length < 2) throw new Failure('KW_CIPHERTEXT_MALFORMED');
    if (bytes[0] !== 0x01 || bytes[1] !== 0x01) throw new Failure('KW_CIPHERTEXT_UNSUPPORTED');
    if (bytes.length < spec.overheadBytes) throw new Failure('KW_CIPHERTEXT_MALFORMED');
    if (bytes.length - spec.overheadBytes > input.maxPlaintextBytes)
      throw new Failure('KW_CIPHERTEXT_TOO_LARGE');
    const version = bytes.readUInt32BE(2);
    if (version === 0) throw new Failure('KW_CIPHERTEXT_MALFORMED');
    const header = bytes.subarray(0, spec.headerBytes);
    const salt = bytes.subarray(6, 22);
    const iv = bytes.subarray(22, 34);
    const body = bytes.subarray(spec.headerBytes, bytes.length - 16);
    const tag = bytes.subarray(bytes.length - 16);
    const context = encodeContextIndependently(input.context);
    if (version > input.keyring.latestVersion) throw new Failure('KW_KEY_VERSION_TOO_NEW');
    if (version < input.keyring.minDecryptionVersion) throw new Failure('KW_KEY_VERSION_TOO_OLD');
    const tenantKey = input.keyring.keys[String(version)];
    if (tenantKey === undefined) throw new Failure('KW_KEY_VERSION_NOT_FOUND');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      messageKeyOf(unhex(tenantKey), salt, input.tenantId, version),
      iv,
      { authTagLength: 16 },
    );
    decipher.setAAD(Buffer.concat([header, context]));
    decipher.setAuthTag(tag);
    const plaintext = decipher.update(body);
    try {
      decipher.final();
    } catch {
      throw new Failure('KW_DECRYPTION_FAILED');
    }
    return { ok: true, plaintext };
  } catch (error) {
    if (error instanceof Failure) return { ok: false, code: error.code };
    throw error;
  }
}

/** The keyring a valid vector decrypts with: its own version only (docs/format.md §10). */
function ownKeyring(vector: { keyVersion: number; tenantKey: string }): KeyringSpec {
  return {
    latestVersion: vector.keyVersion,
    minDecryptionVersion: 1,
    keys: { [String(vector.keyVersion)]: vector.tenantKey },
  };
}

function decryptInputs(vector: ValidVector): DecryptInput[] {
  const common = {
    tenantId: vector.tenantId,
    context: vector.context,
    keyring: ownKeyring(vector),
    maxPlaintextBytes: 64 * 1024 * 1024,
  };
  return [
    { ...common, ciphertext: vector.ciphertext },
    { ...common, ciphertextText: vector.ciphertextText },
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. Core's public API, with tenant keys taken from the vectors.
// ---------------------------------------------------------------------------------------------

/** A test-only root key: the "wrapped" key is the tenant key itself. */
class VectorRootKey implements RootKey {
  readonly kind = 'local' as const;
  readonly id = 'test-vectors';
  readonly unwrapped: WrapContext[] = [];

  generateTenantKey(): Promise<{ key: SecretKey; wrappedKey: Uint8Array }> {
    return Promise.reject(new Error('the vectors fix every tenant key'));
  }

  wrap(key: SecretKey): Promise<Uint8Array> {
    return Promise.resolve(Uint8Array.from(key.bytes()));
  }

  unwrap(wrappedKey: Uint8Array, context: WrapContext): Promise<SecretKey> {
    this.unwrapped.push(context);
    return Promise.resolve(SecretKey.takeFrom(Uint8Array.from(wrappedKey)));
  }
}

/** A random source that hands out the given public values in order. */
function fixedRandom(values: Buffer[]): RandomSource {
  const queue = [...values];
  return {
    publicBytes(length) {
      const next = queue.shift();
      if (next?.length !== length) throw new Error(`unexpected request for ${length} public random bytes`);
      return Buffer.from(next);
    },
    secretBytes() {
      throw new Error('no secret random bytes expected');
    },
  };
}

async function coreKeyward(
  tenantId: string,
  keyring: KeyringSpec,
  maxPlaintextBytes: number,
  random?: RandomSource,
) {
  const root = new VectorRootKey();
  const store = new MemoryTenantKeyStore();
  const versions = Object.keys(keyring.keys)
    .map(Number)
    .sort((a, b) => a - b);
  // The memory store creates a keyring at any first version and then adds consecutive ones.
  expect(versions.at(-1)).toBe(keyring.latestVersion);
  versions.forEach((version, index) => {
    if (index > 0) expect(version).toBe((versions[index - 1] as number) + 1);
  });
  const record = (version: number) => ({
    version,
    wrappedKey: unhex(keyring.keys[String(version)] as string),
    rootKeyId: root.id,
    createdAt: new Date(0),
  });
  const [first, ...rest] = versions as [number, ...number[]];
  await store.createKeyring(tenantId, record(first));
  for (const version of rest) await store.addVersion(tenantId, record(version), version - 1);
  if (keyring.minDecryptionVersion !== 1) {
    const policy = { latestVersion: keyring.latestVersion, minEncryptionVersion: 0, minDecryptionVersion: 1 };
    await store.setPolicy(
      tenantId,
      { ...policy, minDecryptionVersion: keyring.minDecryptionVersion },
      policy,
    );
  }
  const keyward = createKeyward({
    store,
    rootKeys: root,
    limits: { maxPlaintextBytes },
    ...(random === undefined ? {} : { random }),
  });
  return { keyward, root };
}

async function coreDecrypt(input: DecryptInput): Promise<Outcome> {
  const { keyward } = await coreKeyward(input.tenantId, input.keyring, input.maxPlaintextBytes);
  try {
    const ciphertext = input.ciphertextText ?? unhex(input.ciphertext ?? '');
    const plaintext =
      'context' in input
        ? await keyward.decrypt(input.tenantId, ciphertext, input.context as EncryptionContext)
        : await keyward.decrypt(input.tenantId, ciphertext);
    return { ok: true, plaintext };
  } catch (error) {
    if (error instanceof KeywardError) return { ok: false, code: error.code };
    throw error;
  } finally {
    keyward.close();
  }
}

// ---------------------------------------------------------------------------------------------

describe('test vectors: the files', () => {
  it('are exactly what the generator builds (run `npx tsx packages/core/test/vectors/generate.ts` after a change)', async () => {
    const built = await buildVectorFiles();
    expect(readdirSync(VECTORS_DIR).sort()).toEqual(Object.keys(built).sort());
    for (const [name, content] of Object.entries(built))
      expect(readFileSync(`${VECTORS_DIR}${name}`, 'utf8'), name).toBe(content);
  });

  it('cover what docs/format.md §10 promises', () => {
    expect(valid.length).toBeGreaterThanOrEqual(8);
    expect(invalid.length).toBeGreaterThanOrEqual(10);
    const ids = [...valid, ...invalid].map((vector) => vector.id);
    expect(new Set(ids).size).toBe(ids.length);
    const lengths = valid.map((vector) => vector.plaintext.length / 2);
    expect(lengths).toEqual(expect.arrayContaining([0, 1, 64]));
    expect(lengths.some((length) => length > 32 && length % 16 !== 0)).toBe(true);
    expect(valid.some((vector) => vector.keyVersion > 1)).toBe(true);
    expect(valid.some((vector) => vector.tenantId.length === 128)).toBe(true);
    const codes = new Set(invalid.map((vector) => vector.expectedError));
    for (const code of [
      'KW_CIPHERTEXT_MALFORMED',
      'KW_CIPHERTEXT_UNSUPPORTED',
      'KW_CIPHERTEXT_TOO_LARGE',
      'KW_KEY_VERSION_TOO_OLD',
      'KW_KEY_VERSION_TOO_NEW',
      'KW_CONTEXT_INVALID',
      'KW_DECRYPTION_FAILED',
    ]) {
      expect(codes).toContain(code);
    }
  });

  it('every invalid input has exactly one ciphertext form', () => {
    for (const vector of invalid)
      expect(
        [vector.decrypt.ciphertext, vector.decrypt.ciphertextText].filter((form) => form !== undefined),
        vector.id,
      ).toHaveLength(1);
  });
});

describe('test vectors: docs/format.md', () => {
  const flat = formatDoc.replace(/[\s`|]/g, '').toLowerCase();

  it('shows the worked HKDF info of tenant "acme", version 1', () => {
    expect(flat).toContain(infoOf('acme', 1).toString('hex'));
  });

  it('shows the encodings of {"ab":"c"} and {"a":"bc"}', () => {
    expect(flat).toContain(encodeContextIndependently({ ab: 'c' }).toString('hex'));
    expect(flat).toContain(encodeContextIndependently({ a: 'bc' }).toString('hex'));
  });

  it('states how many vectors each file holds', () => {
    expect(formatDoc).toContain(`| \`docs/test-vectors/valid.json\` | ${valid.length} ciphertexts`);
    expect(formatDoc).toContain(`| \`docs/test-vectors/invalid.json\` | ${invalid.length} decrypt inputs`);
    expect(formatDoc).toContain(
      `| \`docs/test-vectors/local-root-key.json\` | ${local.valid.length} LocalRootKey envelopes that MUST unwrap, and ${local.invalid.length} that MUST fail`,
    );
  });

  it('shows the worked example of the first valid vector', () => {
    const [first] = valid as [ValidVector];
    for (const value of [
      first.tenantKey,
      first.salt,
      first.iv,
      first.intermediate.messageKey,
      first.ciphertext,
    ])
      expect(flat).toContain(value);
    expect(formatDoc).toContain(first.ciphertextText);
  });
});

describe('test vectors: independent implementation (node:crypto only)', () => {
  it.each(valid.map((vector) => [vector.id, vector] as const))(
    'valid %s: every intermediate value and both forms',
    (_id, vector) => {
      const info = infoOf(vector.tenantId, vector.keyVersion);
      expect(info.toString('hex')).toBe(vector.intermediate.info);
      const messageKey = messageKeyOf(
        unhex(vector.tenantKey),
        unhex(vector.salt),
        vector.tenantId,
        vector.keyVersion,
      );
      expect(messageKey.toString('hex')).toBe(vector.intermediate.messageKey);
      const context = encodeContextIndependently(vector.context);
      expect(context.toString('hex')).toBe(vector.intermediate.encodedContext);
      const binary = unhex(vector.ciphertext);
      expect(binary.subarray(0, 6).toString('hex')).toBe(`0101${u32(vector.keyVersion).toString('hex')}`);
      expect(binary.subarray(6, 22).toString('hex')).toBe(vector.salt);
      expect(binary.subarray(22, 34).toString('hex')).toBe(vector.iv);
      expect(binary.length).toBe(vector.plaintext.length / 2 + 50);
      expect(Buffer.concat([binary.subarray(0, 34), context]).toString('hex')).toBe(vector.intermediate.aad);
      expect(vector.ciphertextText).toBe(`kw1:${binary.toString('base64url')}`);
      for (const input of decryptInputs(vector))
        expect(independentDecrypt(input)).toEqual({ ok: true, plaintext: unhex(vector.plaintext) });
    },
  );

  it.each(invalid.map((vector) => [vector.id, vector] as const))('invalid %s', (_id, vector) => {
    // The message the case was derived from is itself valid…
    const original = {
      tenantId: vector.tenantId,
      context: vector.context,
      keyring: ownKeyring(vector),
      maxPlaintextBytes: 64 * 1024 * 1024,
    };
    expect(independentDecrypt({ ...original, ciphertext: vector.ciphertext })).toEqual({
      ok: true,
      plaintext: unhex(vector.plaintext),
    });
    expect(independentDecrypt({ ...original, ciphertextText: vector.ciphertextText })).toEqual({
      ok: true,
      plaintext: unhex(vector.plaintext),
    });
    // …and the altered input fails with the expected code.
    expect(independentDecrypt(vector.decrypt)).toEqual({ ok: false, code: vector.expectedError });
  });

  it('{"ab":"c"} and {"a":"bc"}: same body, different tag', () => {
    const ab = valid.find((vector) => vector.id === 'context-ab-c') as ValidVector;
    const a = valid.find((vector) => vector.id === 'context-a-bc') as ValidVector;
    expect([ab.tenantKey, ab.salt, ab.iv, ab.plaintext]).toEqual([a.tenantKey, a.salt, a.iv, a.plaintext]);
    const [x, y] = [unhex(ab.ciphertext), unhex(a.ciphertext)];
    expect(x.subarray(0, x.length - 16)).toEqual(y.subarray(0, y.length - 16));
    expect(x.subarray(x.length - 16)).not.toEqual(y.subarray(y.length - 16));
  });

  it.each(local.valid.map((vector) => [vector.id, vector] as const))('local root key %s', (_id, vector) => {
    const master = unhex(vector.masterKey);
    expect(vector.rootKeyId).toBe(
      `local:${createHmac('sha256', master).update('keyward local root key id').digest('hex').slice(0, 16)}`,
    );
    const aad = Buffer.concat([
      Buffer.from(spec.localWrapLabel, 'utf8'),
      encodeContextIndependently({
        'keyward:tenant': vector.tenantId,
        'keyward:key-version': String(vector.version),
      }),
    ]);
    expect(aad.toString('hex')).toBe(vector.aad);
    const wrapped = unhex(vector.wrappedKey);
    expect(wrapped.length).toBe(61);
    expect(wrapped[0]).toBe(0x01);
    expect(wrapped.subarray(1, 13).toString('hex')).toBe(vector.iv);
    const decipher = createDecipheriv('aes-256-gcm', master, wrapped.subarray(1, 13), { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(wrapped.subarray(45));
    expect(Buffer.concat([decipher.update(wrapped.subarray(13, 45)), decipher.final()]).toString('hex')).toBe(
      vector.tenantKey,
    );
  });

  it.each(local.invalid.map((vector) => [vector.id, vector] as const))(
    'local root key invalid %s',
    (_id, vector) => {
      const wrapped = unhex(vector.wrappedKey);
      const unwrap = (): Buffer => {
        if (wrapped.length !== 61 || wrapped[0] !== 0x01) throw new Failure('KW_ROOT_KEY_UNWRAP_FAILED');
        const decipher = createDecipheriv('aes-256-gcm', unhex(vector.masterKey), wrapped.subarray(1, 13), {
          authTagLength: 16,
        });
        decipher.setAAD(
          Buffer.concat([
            Buffer.from(spec.localWrapLabel, 'utf8'),
            encodeContextIndependently({
              'keyward:tenant': vector.tenantId,
              'keyward:key-version': String(vector.version),
            }),
          ]),
        );
        decipher.setAuthTag(wrapped.subarray(45));
        try {
          return Buffer.concat([decipher.update(wrapped.subarray(13, 45)), decipher.final()]);
        } catch {
          throw new Failure('KW_ROOT_KEY_UNWRAP_FAILED');
        }
      };
      expect(unwrap).toThrow(new Failure(vector.expectedError));
    },
  );
});

describe('test vectors: core public API', () => {
  it.each(valid.map((vector) => [vector.id, vector] as const))(
    'valid %s: decrypts both forms',
    async (_id, vector) => {
      for (const input of decryptInputs(vector))
        expect(await coreDecrypt(input)).toEqual({ ok: true, plaintext: unhex(vector.plaintext) });
    },
  );

  it.each(valid.map((vector) => [vector.id, vector] as const))(
    "valid %s: encrypt with the vector's salt and IV gives the vector",
    async (_id, vector) => {
      const plaintext = unhex(vector.plaintext);
      for (const form of ['binary', 'text'] as const) {
        const { keyward, root } = await coreKeyward(
          vector.tenantId,
          ownKeyring(vector),
          64 * 1024 * 1024,
          fixedRandom([unhex(vector.salt), unhex(vector.iv)]),
        );
        try {
          const out =
            form === 'binary'
              ? (await keyward.encrypt(vector.tenantId, plaintext, vector.context)).toString('hex')
              : await keyward.encryptText(vector.tenantId, plaintext, vector.context);
          expect(out).toBe(form === 'binary' ? vector.ciphertext : vector.ciphertextText);
          expect(root.unwrapped).toEqual([{ tenantId: vector.tenantId, version: vector.keyVersion }]);
        } finally {
          keyward.close();
        }
      }
    },
  );

  it.each(invalid.map((vector) => [vector.id, vector] as const))('invalid %s', async (_id, vector) => {
    expect(await coreDecrypt(vector.decrypt)).toEqual({ ok: false, code: vector.expectedError });
  });

  it.each(local.valid.map((vector) => [vector.id, vector] as const))(
    'LocalRootKey %s: unwraps, and wraps again with the same IV',
    async (_id, vector) => {
      const context = { tenantId: vector.tenantId, version: vector.version };
      const root = new LocalRootKey(unhex(vector.masterKey), { random: fixedRandom([unhex(vector.iv)]) });
      expect(root.id).toBe(vector.rootKeyId);
      expect((await root.unwrap(unhex(vector.wrappedKey), context)).bytes().toString('hex')).toBe(
        vector.tenantKey,
      );
      expect(
        Buffer.from(await root.wrap(SecretKey.takeFrom(unhex(vector.tenantKey)), context)).toString('hex'),
      ).toBe(vector.wrappedKey);
    },
  );

  it.each(local.invalid.map((vector) => [vector.id, vector] as const))(
    'LocalRootKey invalid %s',
    async (_id, vector) => {
      const root = new LocalRootKey(unhex(vector.masterKey));
      await expect(
        root.unwrap(unhex(vector.wrappedKey), { tenantId: vector.tenantId, version: vector.version }),
      ).rejects.toMatchObject({ code: vector.expectedError });
    },
  );
});
