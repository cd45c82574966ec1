import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SandboxConfigError } from './config.js';
import {
  SANDBOX_ERRORS,
  SandboxError,
  isSandboxError,
  type SandboxErrorCode,
  type SandboxErrorEntry,
} from './sandbox-errors.js';
import { SeedError } from './seed/build-state.js';
import { SandboxStateError } from './state/persistence.js';

const ROW = /^\| `(KW_[A-Z_]+)` \| (\d) \| (.+) \|$/;

/** The code table of docs/sandbox.md; a row that starts like one but does not parse is an error. */
function documentedCodes(): Map<string, SandboxErrorEntry> {
  const markdown = readFileSync(new URL('../../../docs/sandbox.md', import.meta.url), 'utf8');
  const rows = new Map<string, SandboxErrorEntry>();
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('| `KW_')) continue;
    const match = ROW.exec(line);
    expect(match, `docs/sandbox.md row does not parse: ${line}`).not.toBeNull();
    expect(rows.has(match![1]!), `docs/sandbox.md lists ${match![1]} twice`).toBe(false);
    rows.set(match![1]!, { exitCode: Number(match![2]) as 1 | 2, message: match![3]! });
  }
  return rows;
}

describe('sandbox error catalogue', () => {
  it('docs/sandbox.md lists exactly the catalogue codes, with the same exit code and meaning', () => {
    const documented = documentedCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(SANDBOX_ERRORS).sort());
    for (const [code, entry] of Object.entries(SANDBOX_ERRORS))
      expect(documented.get(code), code).toEqual({ exitCode: entry.exitCode, message: entry.message });
  });

  it('every code is KW_SANDBOX_ prefixed, exits 1 or 2, and has a sentence for a message', () => {
    for (const [code, entry] of Object.entries(SANDBOX_ERRORS)) {
      expect(code).toMatch(/^KW_SANDBOX_[A-Z]+(_[A-Z]+)*$/);
      expect([1, 2], code).toContain(entry.exitCode);
      expect(entry.message, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('a SandboxError carries the catalogue exit code and message, and serialises without a stack', () => {
    const cause = new Error('fetch failed');
    const error = new SandboxError('KW_SANDBOX_ADMIN_UNAVAILABLE', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SandboxError');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(SANDBOX_ERRORS.KW_SANDBOX_ADMIN_UNAVAILABLE.message);
    expect(error.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(error))).toEqual({
      code: 'KW_SANDBOX_ADMIN_UNAVAILABLE',
      message: error.message,
    });
  });

  it('a specific message replaces the default; isSandboxError narrows by code', () => {
    const error = new SandboxError('KW_SANDBOX_ARGUMENT', { message: 'advance() takes …' });
    expect(error.message).toBe('advance() takes …');
    expect(error.exitCode).toBe(2);
    expect(isSandboxError(error)).toBe(true);
    expect(isSandboxError(error, 'KW_SANDBOX_ARGUMENT')).toBe(true);
    expect(isSandboxError(error, 'KW_SANDBOX_SEED' as SandboxErrorCode)).toBe(false);
    expect(isSandboxError(new Error('x'))).toBe(false);
    expect(isSandboxError({ code: 'KW_SANDBOX_SEED', exitCode: 2 })).toBe(false);
  });

  it.each([
    [new SandboxConfigError('bad port'), 'SandboxConfigError', 'KW_SANDBOX_CONFIG'],
    [new SeedError('bad seed'), 'SeedError', 'KW_SANDBOX_SEED'],
    [new SandboxStateError('bad state'), 'SandboxStateError', 'KW_SANDBOX_STATE'],
  ] as const)('%s is a SandboxError with its own name and code', (error, name, code) => {
    expect(isSandboxError(error, code)).toBe(true);
    expect(error.name).toBe(name);
    expect(error.exitCode).toBe(SANDBOX_ERRORS[code].exitCode);
  });
});
