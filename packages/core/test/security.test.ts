import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createKeyward,
  deriveMessageKey,
  encodeContext,
  KeywardError,
  LocalRootKey,
  ManualClock,
  MemoryTenantKeyStore,
  messageKeyInfo,
  open,
  parseCiphertext,
  SecretKey,
  TenantKeyCache,
  type ErrorCode,
  type Keyward,
  type KeywardOptions,
  type Logger,
  type RootKey,
  type WrapContext,
} from '@keyward/core';
import { KeyMaterial } from '../src/keys/key-material.js';

interface Recorded {
  source: 'generated' | 'unwrapped';
  tenantId: string;
  version: number;
  copy: Buffer;
  live: Buffer;
}

/** Wraps a root key and records every tenant key it hands out: a copy (taken before anything zeroes it) and the live buffer. */
class RecordingRootKey implements RootKey {
  readonly kind: RootKey['kind'];
  readonly id: string;
  readonly keys: Recorded[] = [];
  readonly #inner: RootKey;
  constructor(inner: RootKey) {
    [this.#inner, this.kind, this.id] = [inner, inner.kind, inner.id];
  }
  #record(source: Recorded['source'], key: SecretKey, context: WrapContext): SecretKey {
    this.keys.push({ source, ...context, copy: Buffer.from(key.bytes()), live: key.bytes() });
    return key;
  }
  async generateTenantKey(context: WrapContext) {
    const generated = await this.#inner.generateTenantKey(context);
    this.#record('generated', generated.key, context);
    return generated;
  }
  wrap = (key: SecretKey, context: WrapContext) => this.#inner.wrap(key, context);
  async unwrap(wrappedKey: Uint8Array, context: WrapContext) {
    return this.#record('unwrapped', await this.#inner.unwrap(wrappedKey, context), context);
  }
}

/** A root key binding no context: any tenant's record unwraps anywhere, so two tenants can share one tenant key. */
function contextFreeRoot(): RootKey {
  const inner = new LocalRootKey(randomBytes(32));
  const fixed = { tenantId: 'shared', version: 1 };
  return {
    kind: 'local',
    id: inner.id,
    generateTenantKey: () => inner.generateTenantKey(fixed),
    wrap: (key) => inner.wrap(key, fixed),
    unwrap: (wrapped) => inner.unwrap(wrapped, fixed),
  };
}

const instances: Keyward[] = [];
afterEach(() => {
  for (const keyward of instances.splice(0)) keyward.close();
  vi.useRealTimers();
});

function setup(options: Partial<KeywardOptions> = {}) {
  const store = new MemoryTenantKeyStore();
  const root = new RecordingRootKey(new LocalRootKey(randomBytes(32)));
  const clock = new ManualClock(Date.UTC(2025, 0, 1));
  const keyward = createKeyward({ store, rootKeys: root, clock, ...options });
  instances.push(keyward);
  return { store, root, clock, keyward };
}

/** Runs a decryption that must fail with a KeywardError: never plaintext, never another kind of error. */
async function keywardFailure(run: () => Promise<unknown>): Promise<ErrorCode> {
  let result: unknown;
  try {
    result = await run();
  } catch (error) {
    if (error instanceof KeywardError) return error.code;
    throw new Error(`failed with a non-Keyward error: ${String(error)}`, { cause: error });
  }
  throw new Error(`returned a result instead of failing: ${inspect(result)}`);
}

const plaintexts = fc.uint8Array({ maxLength: 64 });
const text = fc.string({ unit: fc.constantFrom('a', 'b', '=', '\u0000', 'é'), maxLength: 3 });
const contexts = fc.dictionary(
  text.filter((key) => key.length > 0),
  text,
  { maxKeys: 3 },
);

describe('ciphertext integrity (binary form)', () => {
  it('fails every single-byte change of a ciphertext, at every position and with every non-zero xor', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'tiny', { k: 'v' });
    for (let position = 0; position < ciphertext.length; position++) {
      for (let xor = 1; xor < 256; xor++) {
        const changed = Buffer.from(ciphertext);
        changed[position]! ^= xor;
        const code = await keywardFailure(() => keyward.decrypt('acme', changed, { k: 'v' }));
        if (position >= 6) expect(code).toBe('KW_DECRYPTION_FAILED');
        else if (position < 2) expect(code).toBe('KW_CIPHERTEXT_UNSUPPORTED');
        else
          expect(['KW_DECRYPTION_FAILED', 'KW_KEY_VERSION_TOO_NEW', 'KW_CIPHERTEXT_MALFORMED']).toContain(
            code,
          );
      }
    }
  });

  it('fails a single-byte change of any ciphertext (property)', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await fc.assert(
      fc.asyncProperty(
        plaintexts,
        contexts,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (plaintext, context, at, xor) => {
          const changed = await keyward.encrypt('acme', plaintext, context);
          const position = at % changed.length;
          changed[position]! ^= xor;
          const code = await keywardFailure(() => keyward.decrypt('acme', changed, context));
          if (position >= 6) expect(code).toBe('KW_DECRYPTION_FAILED');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails every truncation, in binary and in text form (property)', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await fc.assert(
      fc.asyncProperty(plaintexts, fc.nat(), async (plaintext, cut) => {
        const ciphertext = await keyward.encrypt('acme', plaintext);
        await keywardFailure(() => keyward.decrypt('acme', ciphertext.subarray(0, cut % ciphertext.length)));
        const asText = await keyward.encryptText('acme', plaintext);
        await keywardFailure(() => keyward.decrypt('acme', asText.slice(0, cut % asText.length)));
      }),
      { numRuns: 300 },
    );
  });

  it('fails a ciphertext with bytes appended (property)', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await fc.assert(
      fc.asyncProperty(
        plaintexts,
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        async (plaintext, extra) => {
          const ciphertext = await keyward.encrypt('acme', plaintext);
          expect(
            await keywardFailure(() => keyward.decrypt('acme', Buffer.concat([ciphertext, extra]))),
          ).toBe('KW_DECRYPTION_FAILED');
        },
      ),
      { numRuns: 300 },
    );
  });

  it('fails when the encryption context differs (as a set of pairs) from the one used to encrypt (property)', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await fc.assert(
      fc.asyncProperty(plaintexts, contexts, contexts, async (plaintext, used, presented) => {
        fc.pre(!encodeContext(used).equals(encodeContext(presented)));
        const ciphertext = await keyward.encrypt('acme', plaintext, used);
        expect((await keyward.decrypt('acme', ciphertext, used)).equals(Buffer.from(plaintext))).toBe(true);
        expect(await keywardFailure(() => keyward.decrypt('acme', ciphertext, presented))).toBe(
          'KW_DECRYPTION_FAILED',
        );
      }),
      { numRuns: 300 },
    );
  });
});

describe('tenant isolation', () => {
  it("fails tenant A's ciphertext presented as tenant B's, whose key differs", async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('tenant-a');
    await keyward.createTenantKey('tenant-b');
    const ciphertext = await keyward.encrypt('tenant-a', 'for A only');
    expect(await keywardFailure(() => keyward.decrypt('tenant-b', ciphertext))).toBe('KW_DECRYPTION_FAILED');
  });

  it("fails across tenants even when B's key version holds a copy of A's wrapped key (same tenant key): HKDF info binds the tenant", async () => {
    const root = new RecordingRootKey(contextFreeRoot());
    const store = new MemoryTenantKeyStore();
    const keyward = createKeyward({ store, rootKeys: root });
    instances.push(keyward);
    await keyward.createTenantKey('tenant-a');
    await keyward.createTenantKey('tenant-b');
    await store.replaceWrappedKeys('tenant-b', [(await store.getVersion('tenant-a', 1))!]);
    await fc.assert(
      fc.asyncProperty(plaintexts, contexts, async (plaintext, context) => {
        const fromA = await keyward.encrypt('tenant-a', plaintext, context);
        const fromB = await keyward.encrypt('tenant-b', plaintext, context);
        expect((await keyward.decrypt('tenant-b', fromB, context)).equals(Buffer.from(plaintext))).toBe(true);
        expect(await keywardFailure(() => keyward.decrypt('tenant-b', fromA, context))).toBe(
          'KW_DECRYPTION_FAILED',
        );
        expect(await keywardFailure(() => keyward.decrypt('tenant-a', fromB, context))).toBe(
          'KW_DECRYPTION_FAILED',
        );
      }),
      { numRuns: 100 },
    );
    // The setup really gave both tenants the same tenant key.
    const unwrapped = (tenantId: string) =>
      root.keys.find((key) => key.source === 'unwrapped' && key.tenantId === tenantId)?.copy.toString('hex');
    expect(unwrapped('tenant-a')).toMatch(/^[0-9a-f]{64}$/);
    expect(unwrapped('tenant-b')).toBe(unwrapped('tenant-a'));
  });

  it('fails a ciphertext relabelled with another version of the same tenant key: HKDF info binds the version', async () => {
    const store = new MemoryTenantKeyStore();
    const keyward = createKeyward({ store, rootKeys: contextFreeRoot() });
    instances.push(keyward);
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    await store.replaceWrappedKeys('acme', [{ ...(await store.getVersion('acme', 1))!, version: 2 }]);
    const relabelled = await keyward.encrypt('acme', 'v1', undefined, { keyVersion: 1 });
    relabelled.writeUInt32BE(2, 2);
    expect(await keywardFailure(() => keyward.decrypt('acme', relabelled))).toBe('KW_DECRYPTION_FAILED');
  });
});

describe('hostile input', () => {
  it('fails random strings, bytes, near-valid forms and non-ciphertext values cleanly with a KeywardError (property)', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const nearValid = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 120 }))
      .map(([version, rest]) => Buffer.concat([Buffer.from([1, 1, 0, 0, 0, version]), rest]));
    const garbage = fc.oneof(
      fc.string(),
      fc.uint8Array({ maxLength: 200 }),
      nearValid,
      nearValid.map((bytes) => `kw1:${bytes.toString('base64url')}`),
      fc.anything(),
    );
    await fc.assert(
      fc.asyncProperty(
        garbage,
        fc.oneof(fc.constant(undefined), contexts, fc.anything()),
        async (input, context) => {
          await keywardFailure(() =>
            keyward.decrypt('acme', input as string, context as Record<string, string>),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses oversize input with KW_CIPHERTEXT_TOO_LARGE before touching the store or the root key', async () => {
    const { keyward, store, root } = setup({ limits: { maxPlaintextBytes: 64 } });
    await keyward.createTenantKey('acme');
    const getPolicy = vi.spyOn(store, 'getPolicy');
    const getVersion = vi.spyOn(store, 'getVersion');
    const unwrap = vi.spyOn(root, 'unwrap');
    const oversize = Buffer.alloc(50 + 65, 0xab);
    oversize.set([1, 1, 0, 0, 0, 1]);
    for (const tenantId of ['acme', 'unknown-tenant']) {
      expect(await keywardFailure(() => keyward.decrypt(tenantId, oversize))).toBe('KW_CIPHERTEXT_TOO_LARGE');
      expect(
        await keywardFailure(() => keyward.decrypt(tenantId, `kw1:${oversize.toString('base64url')}`)),
      ).toBe('KW_CIPHERTEXT_TOO_LARGE');
      expect(await keywardFailure(() => keyward.decrypt(tenantId, `kw1:${'A'.repeat(10_000_000)}`))).toBe(
        'KW_CIPHERTEXT_TOO_LARGE',
      );
    }
    expect([getPolicy.mock.calls.length, getVersion.mock.calls.length, unwrap.mock.calls.length]).toEqual([
      0, 0, 0,
    ]);
  });
});

describe('key material never leaks, and is zeroed when it leaves', () => {
  it('never shows an unwrapped tenant key, message key or master key in outputs, stats, errors or log records of a full workflow', async () => {
    const records: unknown[] = [];
    const record = (level: string) => (fields: Record<string, unknown>, message: string) =>
      void records.push({ level, fields, message });
    const logger: Logger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const masters = [randomBytes(32), randomBytes(32)];
    const [first, second] = masters.map(
      (master) => new RecordingRootKey(new LocalRootKey(Buffer.from(master), { logger })),
    );
    let current = first!;
    const store = new MemoryTenantKeyStore();
    const keyward = createKeyward({ store, rootKeys: () => current, logger });
    instances.push(keyward);
    const ciphertexts: Array<{ tenantId: string; ciphertext: Buffer }> = [];
    const errors: unknown[] = [];
    const failing = async (run: () => Promise<unknown>) =>
      run().then(
        () => expect.fail('should have failed'),
        (error: unknown) => void errors.push(error),
      );

    for (const tenantId of ['acme', 'beta']) {
      await keyward.createTenantKey(tenantId);
      const ciphertext = await keyward.encrypt(tenantId, 'hello', { purpose: 'leak-test' });
      ciphertexts.push({ tenantId, ciphertext });
      await keyward.decrypt(tenantId, ciphertext, { purpose: 'leak-test' });
      await failing(() => keyward.decrypt(tenantId, ciphertext, { purpose: 'other' }));
    }
    await keyward.rotateTenantKey('acme');
    const rewrapped = await keyward.rewrap('acme', ciphertexts[0]!.ciphertext, { purpose: 'leak-test' });
    ciphertexts.push(
      { tenantId: 'acme', ciphertext: rewrapped },
      { tenantId: 'acme', ciphertext: (await keyward.generateDataKey('acme')).wrappedKey },
    );
    await keyward.setFloors('acme', { minDecryptionVersion: 2 });
    await failing(() => keyward.decrypt('acme', ciphertexts[0]!.ciphertext, { purpose: 'leak-test' }));
    await keyward.rewrapTenantKeys('acme', first!, second!);
    current = second!;
    await keyward.decrypt('acme', rewrapped, { purpose: 'leak-test' });
    keyward.evict('acme');
    const [version2] = await store
      .listVersions('acme')
      .then((versions) => versions.filter((version) => version.version === 2));
    await store.replaceWrappedKeys('acme', [
      {
        ...version2!,
        wrappedKey: Uint8Array.from(version2!.wrappedKey, (byte, i) => (i === 20 ? byte ^ 1 : byte)),
      },
    ]);
    await failing(() => keyward.decrypt('acme', rewrapped, { purpose: 'leak-test' }));
    expect(errors.map((error) => (error as KeywardError).code)).toEqual([
      'KW_DECRYPTION_FAILED',
      'KW_DECRYPTION_FAILED',
      'KW_KEY_VERSION_TOO_OLD',
      'KW_ROOT_KEY_UNWRAP_FAILED',
    ]);
    expect(
      records.some((entry) => (entry as { message: string }).message === 'tenant key unwrap failed'),
    ).toBe(true);

    const tenantKeys = [...first!.keys, ...second!.keys];
    expect(tenantKeys.length).toBeGreaterThanOrEqual(6);
    const messageKeys = ciphertexts.map(({ tenantId, ciphertext }) => {
      const parsed = parseCiphertext(ciphertext, 1 << 20);
      const tenantKey = tenantKeys.find(
        (key) => key.tenantId === tenantId && key.version === parsed.keyVersion,
      )!.copy;
      return deriveMessageKey(tenantKey, parsed.salt, messageKeyInfo(tenantId, parsed.keyVersion));
    });
    // A cache and key material holding one of the real keys, inspected directly.
    const cache = new TenantKeyCache(new ManualClock());
    const material = new KeyMaterial('acme', 1, new SecretKey(Buffer.from(tenantKeys[0]!.copy)));
    material.encryptionKey({
      publicBytes: (length) => Buffer.alloc(length, 1),
      secretBytes: (length) => Buffer.alloc(length),
    });
    await cache.loadKey('acme', 1, () => Promise.resolve(material));

    const deep = (value: unknown) => [
      JSON.stringify(value) ?? '',
      inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    ];
    const outputs = [
      ...deep(keyward),
      ...deep(keyward.stats()),
      ...deep(cache),
      ...deep(material),
      ...deep(cache.stats()),
      ...deep(records),
      ...errors.flatMap((error) => [...deep(error), String(error), (error as Error).stack ?? '']),
      ...records.flatMap(deep),
    ].join('\n');
    cache.close();
    const secrets = [...tenantKeys.map((key) => key.copy), ...messageKeys, ...masters];
    for (const secret of secrets) {
      for (const form of [
        secret.toString('hex'),
        secret.toString('hex').toUpperCase(),
        secret.toString('base64'),
        secret.toString('base64url'),
        secret.toString('latin1'),
        inspect(secret).slice(8, 55),
      ]) {
        expect(outputs.includes(form), `found key material (${form.slice(0, 12)}…) in the outputs`).toBe(
          false,
        );
      }
    }
  });

  it("does not show a data key's plaintext in JSON.stringify or util.inspect of the DataKey, which still reads and destructures it", async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const dataKey = await keyward.generateDataKey('acme', { file: 'a.txt' });
    const { plaintextKey, wrappedKey } = dataKey;
    expect(plaintextKey.length).toBe(32);
    expect(dataKey.plaintextKey).toBe(plaintextKey);
    expect((await keyward.decrypt('acme', wrappedKey, { file: 'a.txt' })).equals(plaintextKey)).toBe(true);
    const shown = [
      JSON.stringify(dataKey),
      JSON.stringify({ dataKey }),
      inspect(dataKey),
      inspect({ dataKey }, { depth: Infinity }),
    ].join('\n');
    expect(shown).not.toContain('plaintextKey');
    for (const form of [
      JSON.stringify(plaintextKey),
      plaintextKey.toString('hex'),
      plaintextKey.toString('base64'),
      inspect(plaintextKey).slice(8, 55),
    ]) {
      expect(shown.includes(form), `found the data key (${form.slice(0, 12)}…) in the output`).toBe(false);
    }
  });

  const isZero = (bytes: Buffer) => bytes.every((byte) => byte === 0);

  it("zeroes generated keys at once, and unwrapped keys on evict(tenant) while leaving other tenants' keys", async () => {
    const { keyward, root } = setup();
    for (const tenantId of ['acme', 'beta']) await keyward.createTenantKey(tenantId);
    expect(root.keys.map((key) => isZero(key.live))).toEqual([true, true]);
    for (const tenantId of ['acme', 'beta'])
      await keyward.decrypt(tenantId, await keyward.encrypt(tenantId, 'x'));
    const [acme, beta] = root.keys.slice(2);
    expect([isZero(acme!.live), isZero(beta!.live), acme!.live.equals(acme!.copy)]).toEqual([
      false,
      false,
      true,
    ]);
    expect(keyward.evict('acme')).toBe(1);
    expect([isZero(acme!.live), isZero(beta!.live)]).toEqual([true, false]);
  });

  it.each(['evictAll', 'close'] as const)('zeroes every unwrapped key on %s()', async (method) => {
    const { keyward, root } = setup();
    for (const tenantId of ['acme', 'beta']) {
      await keyward.createTenantKey(tenantId);
      await keyward.encrypt(tenantId, 'x');
    }
    keyward[method]();
    expect(root.keys.length).toBe(4);
    expect(root.keys.every((key) => isZero(key.live))).toBe(true);
  });

  it('zeroes an expired key on the TTL sweep, without anyone reading it again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { keyward, root, clock } = setup({ cache: { ttlMs: 60_000, sweepIntervalMs: 1_000 } });
    await keyward.createTenantKey('acme');
    await keyward.encrypt('acme', 'x');
    const unwrapped = root.keys.at(-1)!;
    clock.advance(59_999);
    vi.advanceTimersByTime(1_000);
    expect(isZero(unwrapped.live)).toBe(false);
    clock.advance(1);
    vi.advanceTimersByTime(1_000);
    expect(isZero(unwrapped.live)).toBe(true);
    expect(keyward.stats().entries).toBe(0);
  });

  it('zeroes the keys rewrapTenantKeys unwrapped from the old root and checked under the new one', async () => {
    const { keyward, root } = setup();
    await keyward.createTenantKey('acme');
    const next = new RecordingRootKey(new LocalRootKey(randomBytes(32)));
    await keyward.rewrapTenantKeys('acme', root, next);
    expect([root.keys.length, next.keys.length]).toEqual([2, 1]);
    expect([...root.keys, ...next.keys].every((key) => isZero(key.live))).toBe(true);
  });

  it('never seals with a zeroed key, nor throws a non-Keyward error, when evict() lands while a key is loading', async () => {
    const store = new MemoryTenantKeyStore();
    const real = new LocalRootKey(randomBytes(32));
    const verifier = createKeyward({ store, rootKeys: real });
    instances.push(verifier);
    await verifier.createTenantKey('acme');
    const afterTicks = async <T>(ticks: number, run: () => T): Promise<Awaited<T>> => {
      for (let i = 0; i < ticks; i++) await Promise.resolve();
      return await run();
    };
    const problems: string[] = [];
    for (let hitAt = 0; hitAt < 16; hitAt++) {
      for (let evictAt = 0; evictAt < 16; evictAt++) {
        // The unwrap completes only when released, so the other calls can be placed relative to it.
        let release!: () => void;
        const gate = new Promise<void>((resolve) => (release = resolve));
        const gated: RootKey = {
          kind: 'local',
          id: real.id,
          generateTenantKey: (c) => real.generateTenantKey(c),
          wrap: (k, c) => real.wrap(k, c),
          unwrap: (w, c) => gate.then(() => real.unwrap(w, c)),
        };
        const keyward = createKeyward({ store, rootKeys: gated });
        const victim = keyward.encrypt('acme', 'victim');
        await new Promise((resolve) => setImmediate(resolve));
        release();
        const hitter = afterTicks(hitAt, () => keyward.encrypt('acme', 'hitter'));
        void afterTicks(evictAt, () => keyward.evict('acme'));
        for (const outcome of await Promise.allSettled([victim, hitter])) {
          if (outcome.status === 'rejected') {
            if (!(outcome.reason instanceof KeywardError))
              problems.push(`${hitAt}/${evictAt}: ${String(outcome.reason)}`);
            continue;
          }
          const zeroKey = (() => {
            try {
              open(Buffer.alloc(32), parseCiphertext(outcome.value, 1024), encodeContext(undefined));
              return true;
            } catch {
              return false;
            }
          })();
          if (zeroKey) problems.push(`${hitAt}/${evictAt}: sealed with the all-zero message key`);
        }
        keyward.close();
      }
    }
    expect(problems).toEqual([]);
  });
});
