import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CUSTOMER_ACCOUNT_ID,
  PLATFORM_ACCOUNT_ID,
  startSandbox,
  type RunningSandbox,
} from '@keyward/sandbox';
import { loadConfig, startServer, type RunningServer } from '@keyward/server';

/** How often the demo's health monitor checks each BYOK tenant (the default is 60 s). */
export const DEMO_HEALTH_INTERVAL_SECONDS = 2;

export interface DemoEnvironment {
  server: RunningServer;
  sandbox: RunningSandbox;
  platformAccount: string;
  customerAccount: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A throwaway Keyward: the sandbox (in memory) and the server on PGlite in a temporary directory,
 * both on free ports. The environment's KEYWARD_* settings are deliberately ignored, so the demo
 * never touches a real store or real AWS whatever the shell has set.
 */
export async function startDemoEnvironment(): Promise<DemoEnvironment> {
  const dataDir = await mkdtemp(join(tmpdir(), 'keyward-demo-'));
  let sandbox: RunningSandbox | undefined;
  try {
    sandbox = await startSandbox({ port: 0, env: {} });
    const config = loadConfig(
      {},
      {
        aws: { endpoint: sandbox.endpoint },
        listen: { port: 0 },
        store: { dataDir },
        demoTenant: '',
        health: { intervalSeconds: DEMO_HEALTH_INTERVAL_SECONDS },
        jobs: { pollMs: 200 },
        logLevel: 'error',
      },
    );
    const server = await startServer({ config, logger: false, env: {} });
    const box = sandbox;
    return {
      server,
      sandbox: box,
      platformAccount: PLATFORM_ACCOUNT_ID,
      customerAccount: CUSTOMER_ACCOUNT_ID,
      dataDir,
      async close() {
        await server.close().catch(() => undefined);
        await box.close().catch(() => undefined);
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await sandbox?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
