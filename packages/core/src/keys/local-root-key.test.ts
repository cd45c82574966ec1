import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { KeywardError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { LOCAL_ROOT_KEY_ENV, LocalRootKey } from './local-root-key.js';
import { SecretKey } from './secret-key.js';

type Call = { level: keyof Logger; fields: Record<string, unknown>; message: string };

function recordingLogger(): Logger & { calls: Call[] } {
  const calls: Call[] = [];
  const record = (level: keyof Logger) => (fields: Record<string, unknown>, message: string) =>
    void calls.push({ level, fields, message });
  return {
    calls,
    debug: record('debug'),
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
  };
}

async function rejection(promise: Promise<unknown>): Promise<KeywardError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof KeywardError) return error;
    throw error;
  }
  throw new Error('expected a KeywardError, but the promise resolved');
}

function expectConfigError(run: () => unknown, code: ErrorCode = 'KW_ROOT_KEY_CONFIG'): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(KeywardError);
  expect((thrown as KeywardError).code).toBe(code);
}

const master = randomBytes(32);
const context = { tenantId: 'acme', version: 1 };
const tenantKey = (): SecretKey => new SecretKey(Buffer.from('k'.repeat(32)));
const dir = mkdtempSync(join(tmpdir(), 'keyward-local-root-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Proves two root keys share a master: what one wraps, the other unwraps. */
async function sameMaster(a: LocalRootKey, b: LocalRootKey): Promise<boolean> {
  const unwrapped = await b.unwrap(await a.wrap(tenantKey(), context), context);
  return unwrapped.bytes().equals(tenantKey().bytes()) && a.id === b.id;
}

describe('LocalRootKey: loading the master key', () => {
  const reference = new LocalRootKey(master);

  it('fromEnv reads 64 hex digits from KEYWARD_LOCAL_ROOT_KEY (upper or lower case, surrounding space ignored)', async () => {
    expect(LOCAL_ROOT_KEY_ENV).toBe('KEYWARD_LOCAL_ROOT_KEY');
    expect(
      await sameMaster(LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: master.toString('hex') }), reference),
    ).toBe(true);
    expect(
      await sameMaster(
        LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: ` ${master.toString('hex').toUpperCase()}\n` }),
        reference,
      ),
    ).toBe(true);
  });

  it('fromEnv reads base64 (padded) and base64url (unpadded), and another variable name', async () => {
    expect(
      await sameMaster(
        LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: master.toString('base64') }),
        reference,
      ),
    ).toBe(true);
    expect(
      await sameMaster(
        LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: master.toString('base64url') }),
        reference,
      ),
    ).toBe(true);
    expect(
      await sameMaster(LocalRootKey.fromEnv({ MY_KEY: master.toString('hex') }, 'MY_KEY'), reference),
    ).toBe(true);
  });

  it('fromFile reads a file of 32 raw bytes', async () => {
    const path = join(dir, 'raw.key');
    writeFileSync(path, master);
    expect(await sameMaster(LocalRootKey.fromFile(path), reference)).toBe(true);
  });

  it('fromFile reads a text file of hex or base64 with a trailing newline', async () => {
    writeFileSync(join(dir, 'hex.key'), `${master.toString('hex')}\n`);
    writeFileSync(join(dir, 'b64.key'), `${master.toString('base64')}\n`);
    expect(await sameMaster(LocalRootKey.fromFile(join(dir, 'hex.key')), reference)).toBe(true);
    expect(await sameMaster(LocalRootKey.fromFile(join(dir, 'b64.key')), reference)).toBe(true);
  });

  it.each([
    ['unset', {}],
    ['empty', { KEYWARD_LOCAL_ROOT_KEY: '' }],
    ['blank', { KEYWARD_LOCAL_ROOT_KEY: '   ' }],
    ['31 bytes of hex', { KEYWARD_LOCAL_ROOT_KEY: master.subarray(0, 31).toString('hex') }],
    [
      '33 bytes of hex',
      { KEYWARD_LOCAL_ROOT_KEY: Buffer.concat([master, Buffer.from([1])]).toString('hex') },
    ],
    ['31 bytes of base64', { KEYWARD_LOCAL_ROOT_KEY: master.subarray(0, 31).toString('base64') }],
    ['garbled hex', { KEYWARD_LOCAL_ROOT_KEY: `${'zz'}${master.toString('hex').slice(2)}` }],
    [
      'garbled base64',
      {
        KEYWARD_LOCAL_ROOT_KEY: `${master.toString('base64').slice(0, 20)}!${master.toString('base64').slice(21)}`,
      },
    ],
    ['a passphrase', { KEYWARD_LOCAL_ROOT_KEY: 'correct horse battery staple' }],
  ])('fromEnv refuses a %s key with KW_ROOT_KEY_CONFIG', (_name, env) => {
    expectConfigError(() => LocalRootKey.fromEnv(env));
  });

  it('fromFile refuses a missing file, a short raw key and a garbled text key with KW_ROOT_KEY_CONFIG', () => {
    writeFileSync(join(dir, 'short.key'), master.subarray(0, 31));
    writeFileSync(join(dir, 'garbled.key'), `${master.toString('hex').slice(0, 63)}g\n`);
    expectConfigError(() => LocalRootKey.fromFile(join(dir, 'missing.key')));
    expectConfigError(() => LocalRootKey.fromFile(join(dir, 'short.key')));
    expectConfigError(() => LocalRootKey.fromFile(join(dir, 'garbled.key')));
  });

  it('the constructor refuses a master key that is not 32 bytes with KW_ROOT_KEY_CONFIG', () => {
    expectConfigError(() => new LocalRootKey(randomBytes(31)));
    expectConfigError(() => new LocalRootKey(randomBytes(33)));
    expectConfigError(() => new LocalRootKey(new Uint8Array(0)));
  });

  it('Precondition: the master key is not all zeros (an uninitialised buffer), however it is given: KW_ROOT_KEY_CONFIG', () => {
    const zeros = Buffer.alloc(32);
    writeFileSync(join(dir, 'zero.key'), zeros);
    writeFileSync(join(dir, 'zero-hex.key'), `${zeros.toString('hex')}\n`);
    expectConfigError(() => new LocalRootKey(zeros));
    expectConfigError(() => new LocalRootKey(new Uint8Array(32)));
    expectConfigError(() => LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: zeros.toString('base64') }));
    expectConfigError(() => LocalRootKey.fromFile(join(dir, 'zero.key')));
    expectConfigError(() => LocalRootKey.fromFile(join(dir, 'zero-hex.key')));
  });

  it('fromFile reads a 32-byte file of printable characters or whitespace as text, refused with KW_ROOT_KEY_CONFIG, and other 32-byte files as raw keys', async () => {
    const texts = {
      'passphrase.key': 'correct horse battery staple 42\n',
      'truncated-hex.key': `${master.toString('hex').slice(0, 30)}\r\n`,
      'printable.key': '0123456789abcdefghijklmnopqrstuv',
      'blank.key': `${' '.repeat(30)}\t\n`,
    };
    for (const [name, content] of Object.entries(texts)) {
      expect(Buffer.byteLength(content), name).toBe(32);
      writeFileSync(join(dir, name), content);
      expectConfigError(() => LocalRootKey.fromFile(join(dir, name)));
    }
    // One byte outside printable ASCII makes it a raw key.
    const raw = Buffer.concat([Buffer.from('k'.repeat(31)), Buffer.from([0x80])]);
    writeFileSync(join(dir, 'mostly-printable.key'), raw);
    expect(
      await sameMaster(LocalRootKey.fromFile(join(dir, 'mostly-printable.key')), new LocalRootKey(raw)),
    ).toBe(true);
  });

  it('Precondition: the master key is 32 bytes, not a string (which would decode to a guessable key)', () => {
    expectConfigError(() => new LocalRootKey('0123456789abcdef0123456789abcdef' as unknown as Uint8Array));
  });

  it("keeps its own copy of the master: changing the caller's buffer afterwards changes nothing", async () => {
    const copy = Buffer.from(master);
    const root = new LocalRootKey(copy);
    copy.fill(0);
    expect(await sameMaster(root, reference)).toBe(true);
  });
});

describe('LocalRootKey: identity and logging', () => {
  it('has the id local: followed by 16 hex digits of an HMAC fingerprint that does not reveal the key', () => {
    const root = new LocalRootKey(master);
    const fingerprint = createHmac('sha256', master)
      .update('keyward local root key id')
      .digest('hex')
      .slice(0, 16);
    expect(root.kind).toBe('local');
    expect(root.id).toMatch(/^local:[0-9a-f]{16}$/);
    expect(root.id).toBe(`local:${fingerprint}`);
    const masterHex = master.toString('hex');
    expect(masterHex.includes(root.id.slice(6))).toBe(false);
    expect(root.id.includes(masterHex.slice(0, 16))).toBe(false);
    expect(new LocalRootKey(master).id).toBe(root.id);
    expect(new LocalRootKey(randomBytes(32)).id).not.toBe(root.id);
  });

  it('does not show the master key in JSON.stringify or util.inspect', () => {
    const root = new LocalRootKey(master);
    const shown = JSON.stringify(root) + inspect(root, { depth: Infinity, showHidden: true });
    for (const form of [master.toString('hex'), master.toString('base64'), master.toString('latin1')])
      expect(shown.includes(form)).toBe(false);
  });

  it('logs a warning on construction saying it is for development only', () => {
    const logger = recordingLogger();
    const root = new LocalRootKey(master, { logger });
    expect(logger.calls).toHaveLength(1);
    const [call] = logger.calls;
    expect(call?.level).toBe('warn');
    expect(call?.fields).toEqual({ rootKey: root.id, developmentOnly: true });
    expect(call?.message).toMatch(/development[- ]only/i);
    expect(JSON.stringify(logger.calls).includes(master.toString('hex'))).toBe(false);
  });

  it('logs the warning when loaded from the environment too', () => {
    const logger = recordingLogger();
    LocalRootKey.fromEnv({ KEYWARD_LOCAL_ROOT_KEY: master.toString('hex') }, LOCAL_ROOT_KEY_ENV, { logger });
    expect(logger.calls.map((call) => call.level)).toEqual(['warn']);
  });
});

describe('LocalRootKey: wrapping', () => {
  const root = new LocalRootKey(master);

  it('wraps into 0x01 ‖ IV ‖ ciphertext ‖ tag and unwraps to the same key', async () => {
    const wrapped = Buffer.from(await root.wrap(tenantKey(), context));
    expect(wrapped.length).toBe(1 + 12 + 32 + 16);
    expect(wrapped[0]).toBe(1);
    expect(wrapped.includes(tenantKey().bytes())).toBe(false);
    const unwrapped = await root.unwrap(wrapped, context);
    expect(unwrapped.bytes().equals(tenantKey().bytes())).toBe(true);
  });

  it('generates a fresh random 32-byte tenant key each time, with a wrapped form that unwraps to it', async () => {
    const first = await root.generateTenantKey(context);
    const second = await root.generateTenantKey(context);
    expect(first.key.length).toBe(32);
    expect(first.key.bytes().equals(second.key.bytes())).toBe(false);
    expect((await root.unwrap(first.wrappedKey, context)).bytes().equals(first.key.bytes())).toBe(true);
  });

  it('uses a fresh IV for every wrap', async () => {
    const a = Buffer.from(await root.wrap(tenantKey(), context));
    const b = Buffer.from(await root.wrap(tenantKey(), context));
    expect(a.subarray(1, 13).equals(b.subarray(1, 13))).toBe(false);
  });

  it.each([
    ['another tenant', { tenantId: 'other', version: 1 }],
    ['another version', { tenantId: 'acme', version: 2 }],
  ])('refuses to unwrap with %s in the context: KW_ROOT_KEY_UNWRAP_FAILED', async (_name, other) => {
    const wrapped = await root.wrap(tenantKey(), context);
    expect((await rejection(root.unwrap(wrapped, other))).code).toBe('KW_ROOT_KEY_UNWRAP_FAILED');
  });

  it('refuses to unwrap under a different master: KW_ROOT_KEY_UNWRAP_FAILED', async () => {
    const wrapped = await root.wrap(tenantKey(), context);
    expect((await rejection(new LocalRootKey(randomBytes(32)).unwrap(wrapped, context))).code).toBe(
      'KW_ROOT_KEY_UNWRAP_FAILED',
    );
  });

  it('refuses a modified envelope at any byte (version, IV, ciphertext, tag): KW_ROOT_KEY_UNWRAP_FAILED', async () => {
    const wrapped = Buffer.from(await root.wrap(tenantKey(), context));
    for (let position = 0; position < wrapped.length; position++) {
      const modified = Buffer.from(wrapped);
      modified[position]! ^= 0x01;
      expect((await rejection(root.unwrap(modified, context))).code).toBe('KW_ROOT_KEY_UNWRAP_FAILED');
    }
  });

  it('refuses a truncated or extended envelope: KW_ROOT_KEY_UNWRAP_FAILED', async () => {
    const wrapped = Buffer.from(await root.wrap(tenantKey(), context));
    for (const modified of [
      wrapped.subarray(0, 60),
      Buffer.concat([wrapped, Buffer.from([0])]),
      Buffer.alloc(0),
    ]) {
      expect((await rejection(root.unwrap(modified, context))).code).toBe('KW_ROOT_KEY_UNWRAP_FAILED');
    }
  });
});
