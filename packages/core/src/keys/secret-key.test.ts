import { Console } from 'node:console';
import { Writable } from 'node:stream';
import { format, inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretKey } from './secret-key.js';

const REDACTED = '[SecretKey: redacted]';
const HEX = '00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210';

function key(): { secret: SecretKey; bytes: Buffer } {
  const bytes = Buffer.from(HEX, 'hex');
  return { secret: new SecretKey(bytes), bytes };
}

/** Every textual form of the key bytes a formatter could produce. */
function forms(bytes: Buffer): string[] {
  return [
    bytes.toString('hex'),
    bytes.toString('hex').toUpperCase(),
    bytes.toString('base64'),
    bytes.toString('base64url'),
    bytes.toString('latin1'),
    bytes.subarray(0, 8).toString('hex'),
    // How util.inspect prints a Buffer or a byte array: "00 11 22" and "0, 17, 34".
    '00 11 22 33',
    [...bytes.subarray(0, 4)].join(', '),
  ];
}

function expectNoKeyIn(text: string): void {
  for (const form of forms(Buffer.from(HEX, 'hex')))
    expect(text.includes(form), `found ${JSON.stringify(form)} in ${text}`).toBe(false);
}

/** What console.log/console.error would print, captured from a Console writing to memory. */
function consoleOutput(...args: unknown[]): string {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      out += chunk.toString('utf8');
      done();
    },
  });
  const memoryConsole = new Console({ stdout: stream, stderr: stream, colorMode: false });
  memoryConsole.log(...args);
  memoryConsole.error('%s | %o | %O | %j', ...args, ...args, ...args, ...args);
  memoryConsole.dir(args[0], { depth: Infinity, showHidden: true });
  return out;
}

describe('SecretKey: redaction', () => {
  it('shows only the redacted label to JSON.stringify, for the key and for objects containing it', () => {
    const { secret } = key();
    expect(JSON.stringify(secret)).toBe(JSON.stringify(REDACTED));
    expect(JSON.stringify({ tenant: 't', key: secret, nested: [{ secret }] })).toBe(
      `{"tenant":"t","key":"${REDACTED}","nested":[{"secret":"${REDACTED}"}]}`,
    );
  });

  it('shows only the redacted label to util.inspect, even with showHidden, depth Infinity and customInspect off', () => {
    const { secret } = key();
    expect(inspect(secret)).toBe(REDACTED);
    expect(inspect({ a: { b: { c: { key: secret } } } }, { depth: Infinity, showHidden: true })).toContain(
      REDACTED,
    );
    expectNoKeyIn(inspect({ a: { b: { c: { key: secret } } } }, { depth: Infinity, showHidden: true }));
    // Without its custom inspector the bytes still do not show: they live in a private field.
    expectNoKeyIn(
      inspect(secret, { customInspect: false, showHidden: true, depth: Infinity, getters: true }),
    );
  });

  it('shows only the redacted label to String() and template literals', () => {
    const { secret } = key();
    expect(String(secret)).toBe(REDACTED);
    expect(`key=${String(secret)}`).toBe(`key=${REDACTED}`);
    expect(`${secret as unknown as string}`).toBe(REDACTED);
    expect('' + (secret as unknown as string)).toBe(REDACTED);
  });

  it('shows only the redacted label to console-style formatting (util.format and console.log/error/dir)', () => {
    const { secret } = key();
    expect(format('%s', secret)).toBe(REDACTED);
    expect(format('%o', secret)).toBe(REDACTED);
    expect(format('%O', { secret })).toBe(`{ secret: ${REDACTED} }`);
    expect(format('%j', { secret })).toBe(`{"secret":"${REDACTED}"}`);
    expect(format(secret, { secret })).toBe(`${REDACTED} { secret: ${REDACTED} }`);
    const printed = consoleOutput(secret, { holder: { secret } });
    expect(printed).toContain(REDACTED);
    expectNoKeyIn(printed);
  });

  it('has no enumerable fields for spreading, Object.keys or structuredClone to copy', () => {
    const { secret } = key();
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    expectNoKeyIn(JSON.stringify(structuredClone({ secret })));
  });
});

describe('SecretKey: lifecycle', () => {
  it('gives the cipher the bytes it was built with, and its length', () => {
    const { secret, bytes } = key();
    expect(secret.bytes()).toBe(bytes);
    expect(secret.bytes().toString('hex')).toBe(HEX);
    expect(secret.length).toBe(32);
    expect(secret.zeroed).toBe(false);
  });

  it('zero() overwrites every byte and marks the key zeroed', () => {
    const { secret, bytes } = key();
    secret.zero();
    expect(bytes.equals(Buffer.alloc(32))).toBe(true);
    expect(secret.zeroed).toBe(true);
    expect(secret.length).toBe(32);
    // Zeroing twice is harmless.
    secret.zero();
    expect(bytes.equals(Buffer.alloc(32))).toBe(true);
  });

  it('Precondition: the key has not been zeroed — bytes() after zero() throws', () => {
    const { secret } = key();
    secret.zero();
    expect(() => secret.bytes()).toThrow('SecretKey used after it was zeroed');
  });

  it('takeFrom copies the source into a fresh buffer and zeroes the source', () => {
    const source = new Uint8Array(Buffer.from(HEX, 'hex'));
    const secret = SecretKey.takeFrom(source);
    expect(source.every((byte) => byte === 0)).toBe(true);
    expect(secret.bytes().toString('hex')).toBe(HEX);
    expect(secret.bytes().buffer).not.toBe(source.buffer);
  });

  it('takeFrom zeroes only the view it was given, not the rest of the backing buffer', () => {
    const backing = Buffer.from(`ffff${HEX}ffff`, 'hex');
    const secret = SecretKey.takeFrom(backing.subarray(2, 34));
    expect(backing.toString('hex')).toBe(`ffff${'00'.repeat(32)}ffff`);
    expect(secret.bytes().toString('hex')).toBe(HEX);
  });
});
