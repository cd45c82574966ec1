import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isSandboxError,
  SandboxAdminClient,
  SandboxError,
  SandboxStateError,
  systemClock,
  type RunningSandbox,
  type SandboxErrorCode,
} from '../src/index.js';
import { sandbox } from '@keyward/test-kit/sandbox-clients';

/** Awaits a failure and returns it, failing the test if the call succeeds. */
async function failure(call: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof call === 'function' ? call() : call);
  } catch (error) {
    return error;
  }
  throw new Error('expected a SandboxError');
}

function expectSandboxError(error: unknown, code: SandboxErrorCode, message: RegExp): void {
  expect(error).toBeInstanceOf(SandboxError);
  expect(isSandboxError(error, code), `${String(error)}`).toBe(true);
  expect((error as SandboxError).message).toMatch(message);
}

/** A stand-in for a sandbox whose admin API answers `status` with `body`. */
async function stub(status: number, body: string): Promise<{ endpoint: string; server: Server }> {
  const server = createServer((_request, response) => response.writeHead(status).end(body));
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('every failure the sandbox reports is a SandboxError from the catalogue', () => {
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(() => box.close());

  it('credentials() of a user the sandbox does not have: KW_SANDBOX_NO_SUCH_USER, exit 2', async () => {
    const error = await failure(() => box.credentials('123456789012', 'nobody'));
    expectSandboxError(
      error,
      'KW_SANDBOX_NO_SUCH_USER',
      /^The sandbox has no access key for user nobody in account 123456789012$/,
    );
    expect((error as SandboxError).exitCode).toBe(2);
  });

  it('moving resource time backwards: KW_SANDBOX_ARGUMENT', async () => {
    const error = await failure(() => systemClock().advance(-1));
    expectSandboxError(error, 'KW_SANDBOX_ARGUMENT', /non-negative number of milliseconds/);
  });

  it('a data directory that cannot be written stops start-up with KW_SANDBOX_STATE naming the file', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'keyward-sandbox-errors-'));
    try {
      /* A regular file where the directory should be: unwritable even for root. */
      const notADirectory = join(parent, 'file');
      writeFileSync(notADirectory, '');
      const error = await failure(sandbox({ dataDir: notADirectory }));
      expect(error).toBeInstanceOf(SandboxStateError);
      expectSandboxError(error, 'KW_SANDBOX_STATE', /sandbox-state\.json cannot be written \(.*\)$/);
      expect((error as Error).cause).toBeInstanceOf(Error);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('an admin request the sandbox refuses (4xx): KW_SANDBOX_ADMIN_REFUSED, exit 2, with its answer', async () => {
    const error = await failure(box.admin.addFault({ mode: 'latency' }));
    expectSandboxError(error, 'KW_SANDBOX_ADMIN_REFUSED', /^sandbox admin POST faults: 400 invalid_fault /);
    expect((error as SandboxError).exitCode).toBe(2);
  });

  it('an admin API that does not answer: KW_SANDBOX_ADMIN_UNAVAILABLE, exit 1', async () => {
    const closed = await sandbox();
    await closed.close();
    const error = await failure(new SandboxAdminClient(closed.endpoint).trail());
    expectSandboxError(
      error,
      'KW_SANDBOX_ADMIN_UNAVAILABLE',
      new RegExp(`^sandbox admin GET trail: no answer from ${closed.endpoint} \\(`),
    );
    expect((error as SandboxError).exitCode).toBe(1);
  });

  it.each([
    [
      500,
      '{"error":{"code":"internal","message":"broken"}}',
      /^sandbox admin GET faults: 500 internal broken$/,
    ],
    [502, '<html>Bad gateway</html>', /^sandbox admin GET faults: 502 <html>Bad gateway<\/html>$/],
    [200, '<html>not the sandbox</html>', /^sandbox admin GET faults: 200 with a body that is not JSON$/],
  ])('an admin answer %i %s: KW_SANDBOX_ADMIN_UNAVAILABLE', async (status, body, message) => {
    const { endpoint, server } = await stub(status, body);
    try {
      expectSandboxError(
        await failure(new SandboxAdminClient(endpoint).faults()),
        'KW_SANDBOX_ADMIN_UNAVAILABLE',
        message,
      );
    } finally {
      await new Promise((resolveClose) => server.close(resolveClose));
    }
  });
});
