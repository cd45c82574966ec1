import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ERROR_CATALOGUE,
  KeywardError,
  exitCodeOf,
  findingOf,
  isErrorCode,
  isKeywardError,
  isRedacted,
  isRetryable,
  publicAwsOf,
  publicMessageOf,
  revocationOf,
  type ErrorCode,
} from './errors.js';

/** A row of docs/errors.md: code, HTTP, category, retry, finding, shown, exit, message, what to do. */
const ROW =
  /^\| `(KW_[A-Z_]+)` \| (\d{3}) \| (\w+) \| (yes|no) \| (?:`(\w+)`|—) \| (shown|redacted) \| (\d) \| (.+?) \| (.+) \|$/;

interface DocumentedRow {
  status: number;
  category: string;
  message: string;
  retryable: boolean;
  finding: string | null;
  redacted: boolean;
  exitCode: number;
}

function documentedRows(): Map<string, DocumentedRow> {
  const markdown = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map<string, DocumentedRow>();
  for (const line of markdown.split('\n')) {
    const match = ROW.exec(line);
    if (match !== null)
      rows.set(match[1]!, {
        status: Number(match[2]),
        category: match[3]!,
        retryable: match[4] === 'yes',
        finding: match[5] ?? null,
        redacted: match[6] === 'redacted',
        exitCode: Number(match[7]),
        message: match[8]!,
      });
  }
  return rows;
}

function documentedCodes(): Map<string, { status: number; category: string; message: string }> {
  return new Map(
    [...documentedRows()].map(([code, { status, category, message }]) => [
      code,
      { status, category, message },
    ]),
  );
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

  it("docs/errors.md gives every code the catalogue's retry, finding, shown and exit columns, both ways", () => {
    const documented = documentedRows();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      expect(documented.get(code), code).toEqual({
        status: entry.status,
        category: entry.category,
        message: entry.message,
        retryable: entry.retryable,
        finding: entry.finding,
        redacted: entry.redacted,
        exitCode: entry.exitCode,
      });
    }
  });

  it("every helper answers from the entry of the error's code, for every code", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const error = new KeywardError(code as ErrorCode, { message: `A specific ${code} message.` });
      expect(isErrorCode(code), code).toBe(true);
      expect(isRetryable(error), code).toBe(entry.retryable);
      expect(findingOf(error) ?? null, code).toBe(entry.finding);
      expect(revocationOf(error) ?? null, code).toBe(entry.finding === 'unreachable' ? null : entry.finding);
      expect(isRedacted(error), code).toBe(entry.redacted);
      expect(publicMessageOf(error), code).toBe(
        entry.redacted ? entry.message : `A specific ${code} message.`,
      );
      expect(exitCodeOf(code), code).toBe(entry.exitCode);
    }
  });

  it('an error without an entry is not retryable, says nothing about the key and has no exit code here', () => {
    for (const error of [new Error('connection lost'), Object.assign(new Error('x'), { code: 'KW_USAGE' })]) {
      expect(isRetryable(error)).toBe(false);
      expect(findingOf(error)).toBeUndefined();
      expect(revocationOf(error)).toBeUndefined();
    }
    for (const code of [
      'KW_USAGE',
      'KW_SANDBOX_CONFIG',
      'EADDRINUSE',
      'toString',
      'constructor',
      undefined,
      7,
    ])
      expect([isErrorCode(code), exitCodeOf(code)]).toEqual([false, undefined]);
  });

  it("keeps AWS's message for the customer's refusals and drops it from redacted errors", () => {
    const aws = {
      service: 'kms' as const,
      operation: 'Decrypt',
      errorName: 'X',
      requestId: 'r-1',
      awsMessage: 'connect ECONNREFUSED 10.0.3.7:443',
    };
    expect(publicAwsOf(new KeywardError('KW_KMS_KEY_DISABLED', { aws }))).toEqual(aws);
    expect(publicAwsOf(new KeywardError('KW_AWS_UNAVAILABLE', { aws }))).toEqual({
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'X',
      requestId: 'r-1',
    });
    expect(publicAwsOf(new KeywardError('KW_AWS_UNAVAILABLE'))).toBeUndefined();
  });

  it('the behaviour fields agree with each other: AWS not answering is retried, a withdrawal is not', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      if (entry.finding === 'unreachable') expect(entry.retryable, code).toBe(true);
      if (entry.finding !== null && entry.finding !== 'unreachable')
        expect(entry.retryable, code).toBe(false);
      // The platform's own faults and outages describe the platform, never the caller's request.
      expect(entry.redacted, code).toBe(entry.category === 'internal' || entry.category === 'unavailable');
      // A client's mistake (a 400 or 413) is the user's to fix: exit 2, as docs/cli.md says.
      if (entry.status === 400 || entry.status === 413) expect(entry.exitCode, code).toBe(2);
    }
  });
});
