import { join } from 'node:path';
import { startServer, type RunningServer, type ServerConfig, type StartServerOptions } from '@keyward/server';

/** The sandbox this process started as the server's AWS. */
export interface EmbeddedSandbox {
  endpoint: string;
  close(): Promise<void>;
}

export interface RunningKeyward {
  server: RunningServer;
  /** Started in this process because the sandbox was the AWS and no endpoint was configured. */
  sandbox?: EmbeddedSandbox;
  /** Stops the server, then the sandbox it used. */
  close(): Promise<void>;
}

/** Whether `keyward serve` must start the sandbox itself: sandbox mode with no endpoint to reach one at. */
export function needsEmbeddedSandbox(config: ServerConfig): boolean {
  return config.aws.mode === 'sandbox' && config.aws.endpoint === undefined;
}

/**
 * Where the embedded sandbox keeps its state: KEYWARD_SANDBOX_DATA_DIR, else beside the embedded
 * store, so that the platform key survives a restart with the tenant keys it wraps. With
 * PostgreSQL there is no store directory to sit beside, and the sandbox lives in memory.
 */
export function embeddedSandboxDataDir(config: ServerConfig, env: NodeJS.ProcessEnv): string | undefined {
  return (
    env.KEYWARD_SANDBOX_DATA_DIR ??
    (config.store.databaseUrl === undefined ? join(config.store.dataDir, 'sandbox') : undefined)
  );
}

/**
 * Starts Keyward as `keyward serve` runs it: the sandbox first when it is the AWS and none was
 * given (its other settings, such as KEYWARD_SANDBOX_PORT, from the environment), then the server
 * with the sandbox's endpoint. The server depends on core only; this is where the two meet.
 */
export async function startKeyward(options: StartServerOptions): Promise<RunningKeyward> {
  const { config } = options;
  if (!needsEmbeddedSandbox(config)) {
    const server = await startServer(options);
    return { server, close: () => server.close() };
  }
  const env = options.env ?? process.env;
  // Imported only when needed, so that a server on real AWS never loads the sandbox.
  const { startSandbox } = await import('@keyward/sandbox');
  const dataDir = embeddedSandboxDataDir(config, env);
  const sandbox = await startSandbox({
    env,
    region: config.aws.region,
    ...(dataDir === undefined ? {} : { dataDir }),
  });
  try {
    const server = await startServer({
      ...options,
      config: { ...config, aws: { ...config.aws, endpoint: sandbox.endpoint } },
    });
    return {
      server,
      sandbox: { endpoint: sandbox.endpoint, close: () => sandbox.close() },
      async close() {
        await server.close();
        await sandbox.close();
      },
    };
  } catch (error) {
    await sandbox.close().catch(() => undefined);
    throw error;
  }
}
