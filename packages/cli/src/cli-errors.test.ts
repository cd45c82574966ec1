import { readFileSync } from 'node:fs';
import { ERROR_CATALOGUE, KeywardError, type ErrorCode } from '@keyward/core';
import { SANDBOX_ERRORS, SandboxError } from '@keyward/sandbox/errors';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './api-client.js';
import { CLI_ERRORS, CliError, isCliErrorCode, type CliErrorCode } from './cli-errors.js';
import { UsageError } from './connection.js';
import { DemoError } from './demo/demo-error.js';
import { exitCodeOf, reportFailure } from './report-failure.js';
import { CredentialsError } from './verify/aws-access.js';

/** The rows of a markdown table whose first cell is a `KW_…` code: code → the cells after it. */
function tableRows(doc: string, columns: number): Map<string, string[]> {
  const markdown = readFileSync(new URL(`../../../docs/${doc}`, import.meta.url), 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    const match = /^\| `(KW_[A-Z_]+)` \| (.*) \|$/.exec(line);
    if (match === null) continue;
    const cells = match[2]!.split(' | ');
    if (cells.length >= columns) rows.set(match[1]!, cells);
  }
  return rows;
}

/** docs/cli.md's table of the command's own codes: code → exit code. */
function documentedCliCodes(): Map<string, number> {
  return new Map([...tableRows('cli.md', 2)].map(([code, cells]) => [code, Number(cells[0])]));
}

/** docs/errors.md's table: code → its Exit column (the seventh cell after the code's). */
function documentedApiExitCodes(): Map<string, number> {
  return new Map([...tableRows('errors.md', 8)].map(([code, cells]) => [code, Number(cells[5])]));
}

describe("the command's error catalogue", () => {
  it("docs/cli.md lists exactly the catalogue's codes, with the same exit codes", () => {
    const documented = documentedCliCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(CLI_ERRORS).sort());
    for (const [code, entry] of Object.entries(CLI_ERRORS))
      expect(documented.get(code), code).toBe(entry.exitCode);
  });

  it("shares no code with core's or the sandbox's catalogue: every code has one exit code", () => {
    for (const code of Object.keys(CLI_ERRORS)) {
      expect(Object.hasOwn(ERROR_CATALOGUE, code), code).toBe(false);
      expect(Object.hasOwn(SANDBOX_ERRORS, code), code).toBe(false);
    }
    for (const code of Object.keys(SANDBOX_ERRORS))
      expect(Object.hasOwn(ERROR_CATALOGUE, code), code).toBe(false);
  });

  it('every code is KW_ prefixed, exits 1, 2 or 3, and has a sentence for a message', () => {
    for (const [code, entry] of Object.entries(CLI_ERRORS)) {
      expect(code).toMatch(/^KW_[A-Z]+(_[A-Z]+)*$/);
      expect([1, 2, 3], code).toContain(entry.exitCode);
      expect(entry.message, code).toMatch(/^[A-Z].*\.$/);
    }
  });

  it("a CliError carries its code, the catalogue's exit code and message, or a specific message", () => {
    const error = new CliError('KW_PORT_IN_USE');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      code: 'KW_PORT_IN_USE',
      exitCode: 2,
      message: CLI_ERRORS.KW_PORT_IN_USE.message,
    });
    expect(new CliError('KW_UNREACHABLE', 'Cannot reach Keyward.').message).toBe('Cannot reach Keyward.');
    expect(isCliErrorCode('KW_USAGE')).toBe(true);
    for (const code of ['KW_INTERNAL', 'KW_SANDBOX_CONFIG', 'toString', 7])
      expect(isCliErrorCode(code)).toBe(false);
  });

  it("the command's error classes are CliErrors with their catalogue's codes", () => {
    expect(new UsageError('No token.')).toMatchObject({ name: 'UsageError', code: 'KW_USAGE', exitCode: 2 });
    expect(new CredentialsError('No AWS credentials.')).toMatchObject({
      name: 'CredentialsError',
      code: 'KW_AWS_CREDENTIALS',
      exitCode: 2,
    });
    expect(new DemoError('A step failed.')).toMatchObject({ code: 'KW_DEMO_FAILED', exitCode: 1 });
    expect(new DemoError('The Test failed.', 'KW_DEMO_CHECK_FAILED')).toMatchObject({ exitCode: 3 });
  });
});

describe('exitCodeOf: the exit code from the catalogue the code belongs to', () => {
  it("the command's own codes exit as docs/cli.md says", () => {
    for (const [code, exit] of documentedCliCodes())
      expect(exitCodeOf(new CliError(code as CliErrorCode)), code).toBe(exit);
  });

  it("core's codes exit as docs/errors.md says, thrown here or answered by the server", () => {
    const documented = documentedApiExitCodes();
    expect([...documented.keys()].sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
    for (const [code, exit] of documented) {
      const entry = ERROR_CATALOGUE[code as ErrorCode];
      expect(exitCodeOf(new KeywardError(code as ErrorCode)), code).toBe(exit);
      expect(exitCodeOf(new ApiError(code, entry.message, entry.status)), code).toBe(exit);
    }
  });

  it("the sandbox's codes exit as its catalogue (docs/sandbox.md) says; an unknown code is ours", () => {
    for (const code of ['KW_SANDBOX_CONFIG', 'KW_SANDBOX_SEED', 'KW_SANDBOX_STATE'])
      expect(exitCodeOf(Object.assign(new Error('bad'), { code })), code).toBe(2);
    for (const [code, entry] of Object.entries(SANDBOX_ERRORS))
      expect(exitCodeOf(new SandboxError(code as keyof typeof SANDBOX_ERRORS)), code).toBe(entry.exitCode);
    const uncatalogued = ['KW', 'SANDBOX', 'OTHER'].join('_');
    expect(exitCodeOf(Object.assign(new Error('bad'), { code: uncatalogued, exitCode: 3 }))).toBe(1);
  });

  it("Node's port errors are the user's; a server's uncatalogued 400 is too; anything else is ours", () => {
    expect(exitCodeOf(Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' }))).toBe(2);
    expect(exitCodeOf(Object.assign(new Error('listen EACCES'), { code: 'EACCES' }))).toBe(2);
    expect(exitCodeOf(new ApiError('HTTP_400', 'HTTP 400', 400))).toBe(2);
    expect(exitCodeOf(new ApiError('HTTP_404', 'HTTP 404', 404))).toBe(1);
    expect(exitCodeOf(new TypeError('x is undefined'))).toBe(1);
    expect(exitCodeOf('a string')).toBe(1);
    expect(exitCodeOf(undefined)).toBe(1);
  });
});

describe('reportFailure', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes one line with the stable code, and returns the exit code', () => {
    const written: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    expect(reportFailure(new UsageError('No token.'), false)).toBe(2);
    expect(
      reportFailure(Object.assign(new Error('listen EADDRINUSE: :::8080'), { code: 'EADDRINUSE' }), false),
    ).toBe(2);
    expect(reportFailure(new KeywardError('KW_TENANT_NOT_FOUND'), false)).toBe(1);
    expect(written).toEqual([
      'keyward: KW_USAGE: No token.\n',
      'keyward: KW_PORT_IN_USE: The port is already in use; choose another with --port (listen EADDRINUSE: :::8080)\n',
      `keyward: KW_TENANT_NOT_FOUND: ${ERROR_CATALOGUE.KW_TENANT_NOT_FOUND.message}\n`,
    ]);
  });
});
