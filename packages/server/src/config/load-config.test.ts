import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load-config.js';
import { demoTenantOf } from './schema.js';
import { SERVER_DEFAULTS } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function failure(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('KW_CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('with nothing set, is the embedded development setup (one defaults object)', () => {
    expect(loadConfig({})).toEqual({
      platform: { serviceRoleArn: SERVER_DEFAULTS.platform.serviceRoleArn },
      aws: { mode: 'sandbox', region: 'us-east-1' },
      rootKey: SERVER_DEFAULTS.rootKey,
      cache: { ttlSeconds: 300 },
      health: { intervalSeconds: 60, graceSeconds: 120 },
      listen: { host: '127.0.0.1', port: 8080 },
      store: { dataDir: '.data/keyward' },
      jobs: { concurrency: 4, pollMs: 1000, leaseSeconds: 30, maxAttempts: 5, retryBaseMs: 1000 },
      webhooks: { retryBaseMs: 1000 },
      tokenCacheSeconds: 5,
      rateLimit: { requestsPerSecond: 1000, burst: 2000 },
      limits: { bodyBytes: 8 * 1024 * 1024, batchItems: 1000 },
      logLevel: 'info',
    });
    expect(demoTenantOf(loadConfig({}))).toBe('demo');
  });

  it("with real AWS, refuses the sandbox's Service Role and platform key and a missing operator token, and seeds no demo tenant", () => {
    expect(() => loadConfig({ KEYWARD_AWS_MODE: 'aws' })).toThrow(
      /platform\.serviceRoleArn \(KEYWARD_PLATFORM_SERVICE_ROLE_ARN\): must be set.*rootKey \(KEYWARD_ROOT_KEY\): must be set.*operatorToken \(KEYWARD_OPERATOR_TOKEN\): must be set/,
    );
    const config = loadConfig({
      KEYWARD_AWS_MODE: 'aws',
      KEYWARD_PLATFORM_SERVICE_ROLE_ARN: 'arn:aws:iam::123456789012:role/platform',
      KEYWARD_ROOT_KEY: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      KEYWARD_OPERATOR_TOKEN: 'x'.repeat(40),
    });
    expect(demoTenantOf(config)).toBe('');
    expect(demoTenantOf({ ...config, demoTenant: 'trial' })).toBe('trial');
  });

  it('reads the limits, rate limits, demo tenant and log level, and names a bad one', () => {
    const config = loadConfig({
      KEYWARD_RATE_LIMIT_PER_SECOND: '0',
      KEYWARD_MAX_BATCH_ITEMS: '50',
      KEYWARD_DEMO_TENANT: '',
      KEYWARD_LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      rateLimit: { requestsPerSecond: 0 },
      limits: { batchItems: 50 },
      demoTenant: '',
      logLevel: 'warn',
    });
    expect(demoTenantOf(config)).toBe('');
    expect(() => loadConfig({ KEYWARD_MAX_BATCH_ITEMS: '20000' })).toThrow(
      /limits\.batchItems \(KEYWARD_MAX_BATCH_ITEMS\): must be at most 10000/,
    );
    expect(() => loadConfig({ KEYWARD_DEMO_TENANT: 'bad id' })).toThrow(/demoTenant \(KEYWARD_DEMO_TENANT\)/);
    expect(() => loadConfig({ KEYWARD_LOG_LEVEL: 'loud' })).toThrow(/logLevel \(KEYWARD_LOG_LEVEL\)/);
  });

  it('reads KEYWARD_* variables and DATABASE_URL, converting numbers', () => {
    const config = loadConfig({
      KEYWARD_PLATFORM_SERVICE_ROLE_ARN: 'arn:aws-us-gov:iam::123456789012:role/path/keyward',
      KEYWARD_PLATFORM_ACCOUNT_ID: '123456789012',
      KEYWARD_AWS_MODE: 'aws',
      KEYWARD_AWS_REGION: 'us-gov-west-1',
      KEYWARD_ROOT_KEY:
        'arn:aws-us-gov:kms:us-gov-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      KEYWARD_CACHE_TTL_SECONDS: '60',
      KEYWARD_HOST: '0.0.0.0',
      KEYWARD_PORT: '9443',
      DATABASE_URL: 'postgres://keyward@db:5432/keyward',
      KEYWARD_OPERATOR_TOKEN: 'x'.repeat(40),
    });
    expect(config).toMatchObject({
      aws: { mode: 'aws', region: 'us-gov-west-1' },
      cache: { ttlSeconds: 60 },
      listen: { host: '0.0.0.0', port: 9443 },
      store: { databaseUrl: 'postgres://keyward@db:5432/keyward' },
    });
  });

  it('reads an optional YAML or JSON file, which the environment overrides', () => {
    const yaml = join(dir, 'keyward.yaml');
    writeFileSync(yaml, 'listen:\n  port: 7000\ncache:\n  ttlSeconds: 30\n');
    expect(loadConfig({ KEYWARD_CONFIG_FILE: yaml })).toMatchObject({
      listen: { host: '127.0.0.1', port: 7000 },
      cache: { ttlSeconds: 30 },
    });
    expect(loadConfig({ KEYWARD_CONFIG_FILE: yaml, KEYWARD_PORT: '7001' }).listen.port).toBe(7001);
    const json = join(dir, 'keyward.json');
    writeFileSync(json, JSON.stringify({ aws: { endpoint: 'http://127.0.0.1:4599' } }));
    expect(loadConfig({ KEYWARD_CONFIG_FILE: json }).aws).toEqual({
      mode: 'sandbox',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4599',
    });
  });

  it('names every bad setting and its variable, all at once', () => {
    const message = failure({
      KEYWARD_PORT: '70000',
      KEYWARD_CACHE_TTL_SECONDS: '7200',
      KEYWARD_ROOT_KEY: 'alias/x',
      KEYWARD_AWS_ENDPOINT: 'not a url',
    });
    expect(message).toContain('listen.port (KEYWARD_PORT)');
    expect(message).toContain(
      'cache.ttlSeconds (KEYWARD_CACHE_TTL_SECONDS): must be at most 3600 (one hour)',
    );
    expect(message).toContain('rootKey (KEYWARD_ROOT_KEY): must be a KMS key or alias ARN, or "local"');
    expect(message).toContain('aws.endpoint (KEYWARD_AWS_ENDPOINT)');
  });

  it('refuses a partition or account that disagrees with the Service Role ARN, and a local root key with real AWS', () => {
    expect(failure({ KEYWARD_PLATFORM_ACCOUNT_ID: '999999999999' })).toContain(
      "platform.accountId (KEYWARD_PLATFORM_ACCOUNT_ID): must match the Service Role ARN's account (111122223333)",
    );
    expect(failure({ KEYWARD_PLATFORM_PARTITION: 'aws-cn' })).toContain(
      "must match the Service Role ARN's partition (aws)",
    );
    expect(failure({ KEYWARD_AWS_MODE: 'aws', KEYWARD_ROOT_KEY: 'local' })).toContain(
      'rootKey (KEYWARD_ROOT_KEY): a local root key is for development only',
    );
  });

  it('refuses an unreadable or malformed file, and unknown settings in it', () => {
    expect(failure({ KEYWARD_CONFIG_FILE: join(dir, 'missing.yaml') })).toMatch(
      /Cannot read the configuration file .*missing\.yaml \(KEYWARD_CONFIG_FILE\): ENOENT/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ nope');
    expect(failure({ KEYWARD_CONFIG_FILE: bad })).toMatch(/is not valid JSON/);
    const unknown = join(dir, 'unknown.yaml');
    writeFileSync(unknown, 'listen:\n  prot: 1\n');
    expect(failure({ KEYWARD_CONFIG_FILE: unknown })).toMatch(/listen/);
  });

  it('allows private webhook addresses with the sandbox and refuses them with real AWS unless set', async () => {
    const { allowPrivateWebhooksOf } = await import('./schema.js');
    expect(allowPrivateWebhooksOf(loadConfig({}))).toBe(true);
    const aws = {
      KEYWARD_AWS_MODE: 'aws',
      KEYWARD_PLATFORM_SERVICE_ROLE_ARN: 'arn:aws:iam::123456789012:role/platform',
      KEYWARD_ROOT_KEY: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      KEYWARD_OPERATOR_TOKEN: 'x'.repeat(40),
    };
    expect(allowPrivateWebhooksOf(loadConfig(aws))).toBe(false);
    expect(
      allowPrivateWebhooksOf(loadConfig({ ...aws, KEYWARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'true' })),
    ).toBe(true);
    expect(allowPrivateWebhooksOf(loadConfig({ KEYWARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'false' }))).toBe(
      false,
    );
    expect(() => loadConfig({ KEYWARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES: 'yes' })).toThrow(
      /webhooks\.allowPrivateAddresses \(KEYWARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES\): must be true or false/,
    );
  });
});
