import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, KeywardError, isKeywardError, type ErrorCode } from './errors.js';

const ROW = /^\| `(KW_[A-Z_]+)` \| (\d{3}) \| (\w+) \| (.+?) \| (.+) \|$/;

function documentedCodes(): Map<string, { status: number; category: string; message: string }> {
  const markdown = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, { status: number; category: string; message: string }>();
  for (const line of markdown.split('\n')) {
    const match = ROW.exec(line);
    if (match !== null)
      rows.set(match[1]!, { status: Number(match[2]), category: match[3]!, message: match[4]! });
  }
  return rows;
}

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the catalogue codes, with the same status, category and message', () => {
    const documented = documentedCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(documented.get(code), code).toEqual({
        status: entry.status,
        category: entry.category,
        message: entry.message,
      });
    }
  });

  it('every code is KW_ prefixed, has a 4xx/5xx status and a sentence for a message', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(code).toMatch(/^KW_[A-Z]+(_[A-Z]+)*$/);
      expect(entry.status >= 400 && entry.status < 600, code).toBe(true);
      expect(entry.message, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it('a KeywardError carries the catalogue status, category and message, and serialises without a stack', () => {
    const error = new KeywardError('KW_KMS_KEY_DISABLED', {
      aws: { service: 'kms', operation: 'Decrypt', errorName: 'DisabledException', requestId: 'req-1' },
    });
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(403);
    expect(error.category).toBe('revoked');
    expect(error.message).toBe(ERROR_CATALOGUE.KW_KMS_KEY_DISABLED.message);
    const body = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(body).toEqual({
      code: 'KW_KMS_KEY_DISABLED',
      message: error.message,
      aws: { service: 'kms', operation: 'Decrypt', errorName: 'DisabledException', requestId: 'req-1' },
    });
    expect(JSON.stringify(error)).not.toContain('at ');
  });

  it('a specific message and details replace the defaults; isKeywardError narrows by code', () => {
    const error = new KeywardError('KW_INVALID_ARGUMENT', {
      message: 'bytes must be 1 to 1024.',
      details: { bytes: 0 },
    });
    expect(error.message).toBe('bytes must be 1 to 1024.');
    expect(error.toJSON()).toEqual({
      code: 'KW_INVALID_ARGUMENT',
      message: 'bytes must be 1 to 1024.',
      details: { bytes: 0 },
    });
    expect(isKeywardError(error)).toBe(true);
    expect(isKeywardError(error, 'KW_INVALID_ARGUMENT')).toBe(true);
    expect(isKeywardError(error, 'KW_INTERNAL' as ErrorCode)).toBe(false);
    expect(isKeywardError(new Error('x'))).toBe(false);
  });
});
