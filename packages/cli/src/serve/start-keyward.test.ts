import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@keyward/server';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedSandboxDataDir, needsEmbeddedSandbox, startKeyward } from './start-keyward.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-serve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port nothing listens on now (the system picks it; closed again at once). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const quiet = { listen: { port: 0 }, demoTenant: '', logLevel: 'silent' };

describe('the embedded sandbox of keyward serve', () => {
  it('is started only in sandbox mode without an endpoint', () => {
    expect(needsEmbeddedSandbox(loadConfig({}))).toBe(true);
    expect(needsEmbeddedSandbox(loadConfig({ KEYWARD_AWS_ENDPOINT: 'http://127.0.0.1:4599' }))).toBe(false);
    expect(
      needsEmbeddedSandbox(
        loadConfig({
          KEYWARD_AWS_MODE: 'aws',
          KEYWARD_PLATFORM_SERVICE_ROLE_ARN: 'arn:aws:iam::111122223333:role/keyward-service-prod',
          KEYWARD_ROOT_KEY: 'arn:aws:kms:us-east-1:111122223333:key/example',
          KEYWARD_OPERATOR_TOKEN: 'an-operator-token-of-enough-length-0123456789',
        }),
      ),
    ).toBe(false);
  });

  it('keeps its state beside the embedded store, or where KEYWARD_SANDBOX_DATA_DIR says; in memory with PostgreSQL', () => {
    const embedded = loadConfig({}, { store: { dataDir: '/srv/keyward' } });
    expect(embeddedSandboxDataDir(embedded, {})).toBe('/srv/keyward/sandbox');
    expect(embeddedSandboxDataDir(embedded, { KEYWARD_SANDBOX_DATA_DIR: '/srv/aws' })).toBe('/srv/aws');
    const postgres = loadConfig({ DATABASE_URL: 'postgres://keyward@db/keyward' });
    expect(embeddedSandboxDataDir(postgres, {})).toBeUndefined();
    expect(embeddedSandboxDataDir(postgres, { KEYWARD_SANDBOX_DATA_DIR: '/srv/aws' })).toBe('/srv/aws');
  });

  it("starts before the server, which reaches AWS at the sandbox's endpoint, and stops after it", async () => {
    const dataDir = join(dir, 'started');
    const config = loadConfig({}, { ...quiet, store: { dataDir } });
    const keyward = await startKeyward({ config, env: { KEYWARD_SANDBOX_PORT: '0' }, logger: false });
    try {
      expect(keyward.sandbox?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(keyward.server.services.config.aws.endpoint).toBe(keyward.sandbox!.endpoint);
      expect(existsSync(join(dataDir, 'sandbox'))).toBe(true);
      // The server's platform root key lives in the sandbox: an encryption goes through it.
      const tenant = await fetch(`${keyward.server.url}/v1/tenants`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${keyward.server.operatorToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ id: 'acme', name: 'Acme' }),
      });
      expect(tenant.status).toBe(201);
    } finally {
      await keyward.close();
    }
    await expect(fetch(`${keyward.sandbox!.endpoint}/_sandbox/health`)).rejects.toThrow();
    await expect(fetch(`${keyward.server.url}/healthz`)).rejects.toThrow();
  });

  it('is stopped again when the server fails to start', async () => {
    const sandboxPort = await freePort();
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const config = loadConfig(
        {},
        {
          ...quiet,
          listen: { port: (taken.address() as { port: number }).port },
          store: { dataDir: join(dir, 'failed') },
        },
      );
      await expect(
        startKeyward({ config, env: { KEYWARD_SANDBOX_PORT: String(sandboxPort) }, logger: false }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
      await expect(fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/health`)).rejects.toThrow();
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
