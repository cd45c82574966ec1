import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import type { AwsCredentials } from './ports.js';

/** How Keyward talks to AWS (or to the sandbox). One object for KMS and STS. */
export interface AwsClientOptions {
  /** The platform's home region: STS calls and the platform key go there. */
  region: string;
  /** An endpoint override for every service, such as the sandbox `http://127.0.0.1:4599`. */
  endpoint?: string;
  /** The platform's own credentials; omitted, the SDK's default credential chain applies. */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** TCP connect timeout; default 3 s. */
  connectionTimeoutMs?: number;
  /** Time allowed for a response once connected; default 10 s. */
  requestTimeoutMs?: number;
  /** Attempts per call including the first, with adaptive retries (backoff, jitter, client-side rate limiting); default 3. */
  maxAttempts?: number;
  /** KMS clients kept, one per (region, credentials); default 256. */
  maxClients?: number;
}

export const AWS_CLIENT_DEFAULTS = {
  connectionTimeoutMs: 3000,
  requestTimeoutMs: 10_000,
  maxAttempts: 3,
  maxClients: 256,
} as const;

function identity(credentials: AwsCredentials): AwsCredentialIdentity {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { sessionToken: credentials.sessionToken }),
    ...(credentials.expiration === undefined ? {} : { expiration: credentials.expiration }),
  };
}

export function sdkCredentials(
  credentials: AwsClientOptions['credentials'],
): AwsCredentialIdentity | AwsCredentialIdentityProvider | undefined {
  if (credentials === undefined) return undefined;
  if (typeof credentials === 'function') return async () => identity(await credentials());
  return identity(credentials);
}

/** The configuration shared by every SDK client Keyward creates: endpoint, timeouts and retries. */
export function sdkClientConfig(options: AwsClientOptions, region: string) {
  const keepAlive = { keepAlive: true, maxSockets: 64 };
  return {
    region,
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
    maxAttempts: options.maxAttempts ?? AWS_CLIENT_DEFAULTS.maxAttempts,
    retryMode: 'adaptive',
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? AWS_CLIENT_DEFAULTS.connectionTimeoutMs,
      requestTimeout: options.requestTimeoutMs ?? AWS_CLIENT_DEFAULTS.requestTimeoutMs,
      // Without this the handler only logs a warning when the timeout passes, and keeps waiting.
      throwOnRequestTimeout: true,
      httpAgent: new HttpAgent(keepAlive),
      httpsAgent: new HttpsAgent(keepAlive),
    }),
  } as const;
}
