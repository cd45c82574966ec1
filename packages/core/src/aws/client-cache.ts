import { KMSClient } from '@aws-sdk/client-kms';
import type { Clock } from '../clock.js';
import { LruTtlCache } from '../cache/lru-ttl-cache.js';
import {
  sdkClientConfig,
  sdkCredentials,
  AWS_CLIENT_DEFAULTS,
  type AwsClientOptions,
} from './client-options.js';
import type { AwsCredentials } from './ports.js';

/**
 * KMS clients per (region, credentials): creating a client per call would cost a TLS handshake per
 * call. Bounded; a client that leaves the cache is destroyed, closing its sockets. Clients of
 * assumed-role sessions expire with their credentials.
 */
export class KmsClientCache {
  readonly #clients: LruTtlCache<string, KMSClient>;
  readonly #options: AwsClientOptions;
  readonly #clock: Clock;

  constructor(options: AwsClientOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
    this.#clients = new LruTtlCache({
      maxEntries: options.maxClients ?? AWS_CLIENT_DEFAULTS.maxClients,
      ttlMs: Number.MAX_SAFE_INTEGER,
      clock,
      sweepIntervalMs: 60_000,
      onDispose: (client) => client.destroy(),
    });
  }

  get size(): number {
    return this.#clients.size;
  }

  get(region: string, credentials?: AwsCredentials): KMSClient {
    const key = `${region}\u0000${credentials?.accessKeyId ?? ''}`;
    const cached = this.#clients.get(key);
    if (cached !== undefined) return cached;
    const client = new KMSClient({
      ...sdkClientConfig(this.#options, region),
      ...(credentials === undefined
        ? { credentials: sdkCredentials(this.#options.credentials) }
        : { credentials: sdkCredentials(credentials) }),
    });
    const ttlMs =
      credentials?.expiration === undefined
        ? undefined
        : Math.max(1, credentials.expiration.getTime() - this.#clock.now());
    this.#clients.set(key, client, ttlMs);
    return client;
  }

  close(): void {
    this.#clients.close();
  }
}
