import { z } from 'zod';

/**
 * The server's configuration: one schema, one defaults object. The defaults are the embedded
 * development setup (`npm start`): PGlite in `.data/keyward`, the sandbox as AWS, its platform
 * account and Service Role, and its platform KMS key for platform-managed tenants.
 */
export const SERVER_DEFAULTS = {
  platform: {
    serviceRoleArn: 'arn:aws:iam::111122223333:role/keyward-service',
  },
  aws: {
    /**
     * `sandbox`: the local sandbox at `endpoint` (`keyward serve` starts one in its process when none
     * is given; the server itself needs the endpoint); `aws`: real AWS.
     */
    mode: 'sandbox',
    region: 'us-east-1',
  },
  /** The root key of platform-managed tenants: a KMS key or alias ARN, or `local` (development only). */
  rootKey: 'arn:aws:kms:us-east-1:111122223333:alias/keyward-platform',
  cache: { ttlSeconds: 300 },
  /** Health checks of BYOK tenants' CMKs (0 turns the periodic checks off), and how long an outage is served from cache. */
  health: { intervalSeconds: 60, graceSeconds: 120 },
  listen: { host: '127.0.0.1', port: 8080 },
  store: { dataDir: '.data/keyward' },
  /**
   * Background jobs (enable, switch CMK, revert, platform key rotation): jobs run at once by this
   * instance (0: none), how often it looks for work, how long a claim holds without renewal (a
   * killed instance's job resumes elsewhere after this), and retries of transient failures.
   */
  jobs: { concurrency: 4, pollMs: 1000, leaseSeconds: 30, maxAttempts: 5, retryBaseMs: 1000 },
  /** Webhook deliveries: the first retry's delay, doubling each time (five attempts in all). */
  webhooks: { retryBaseMs: 1000 },
  /** How long an instance keeps accepting a token it checked, when no revocation message reaches it. */
  tokenCacheSeconds: 5,
  /** Per token: a bucket of `burst` requests refilled at `requestsPerSecond`; 0 turns limiting off. */
  rateLimit: { requestsPerSecond: 1000, burst: 2000 },
  /** Request bodies and data-plane batches (documented in the API reference). */
  limits: { bodyBytes: 8 * 1024 * 1024, batchItems: 1000 },
  /** The tenant seeded at start in sandbox mode (with its External ID issued); never with real AWS unless set. */
  demoTenant: 'demo',
  logLevel: 'info',
} as const;

const ARN_ROLE = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const ARN_KMS = /^arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+$/;

export const serverConfigSchema = z
  .object({
    platform: z
      .object({
        serviceRoleArn: z
          .string()
          .regex(ARN_ROLE, 'must be an IAM role ARN such as arn:aws:iam::111122223333:role/keyward-service')
          .default(SERVER_DEFAULTS.platform.serviceRoleArn),
        /** Derived from the Service Role ARN when not given; must agree with it when given. */
        partition: z.enum(['aws', 'aws-cn', 'aws-us-gov']).optional(),
        accountId: z
          .string()
          .regex(/^\d{12}$/, 'must be a 12-digit AWS account ID')
          .optional(),
      })
      .strict()
      .default(SERVER_DEFAULTS.platform),
    aws: z
      .object({
        mode: z.enum(['sandbox', 'aws']).default(SERVER_DEFAULTS.aws.mode),
        endpoint: z.url({ message: 'must be a URL such as http://127.0.0.1:4599' }).optional(),
        region: z
          .string()
          .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}$/, 'must be a region such as us-east-1')
          .default(SERVER_DEFAULTS.aws.region),
      })
      .strict()
      .default(SERVER_DEFAULTS.aws),
    rootKey: z
      .union([z.literal('local'), z.string().regex(ARN_KMS, 'must be a KMS key or alias ARN, or "local"')])
      .default(SERVER_DEFAULTS.rootKey),
    cache: z
      .object({
        /** The longest a revoked customer key keeps working on an instance nobody told (ARCHITECTURE §2). */
        ttlSeconds: z.coerce
          .number()
          .int()
          .min(1)
          .max(3600, 'must be at most 3600 (one hour)')
          .default(SERVER_DEFAULTS.cache.ttlSeconds),
      })
      .strict()
      .default(SERVER_DEFAULTS.cache),
    health: z
      .object({
        intervalSeconds: z.coerce
          .number()
          .int()
          .min(0)
          .max(86_400)
          .default(SERVER_DEFAULTS.health.intervalSeconds),
        /** Capped at the cache TTL: a key is never served longer than the cache would keep it anyway. */
        graceSeconds: z.coerce.number().int().min(0).max(3600).default(SERVER_DEFAULTS.health.graceSeconds),
      })
      .strict()
      .default(SERVER_DEFAULTS.health),
    listen: z
      .object({
        host: z.string().min(1).default(SERVER_DEFAULTS.listen.host),
        port: z.coerce.number().int().min(0).max(65535).default(SERVER_DEFAULTS.listen.port),
      })
      .strict()
      .default(SERVER_DEFAULTS.listen),
    store: z
      .object({
        dataDir: z.string().min(1).default(SERVER_DEFAULTS.store.dataDir),
        /** A PostgreSQL server; when set, the data directory is not used. */
        databaseUrl: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .optional(),
        /** A PostgreSQL schema of its own (created if missing), so that deployments can share a database. */
        schema: z
          .string()
          .regex(
            /^[a-z_][a-z0-9_]{0,62}$/,
            'must be lower-case letters, digits and _ (a PostgreSQL identifier)',
          )
          .optional(),
      })
      .strict()
      .default(SERVER_DEFAULTS.store),
    jobs: z
      .object({
        concurrency: z.coerce.number().int().min(0).max(64).default(SERVER_DEFAULTS.jobs.concurrency),
        pollMs: z.coerce.number().int().min(10).max(60_000).default(SERVER_DEFAULTS.jobs.pollMs),
        leaseSeconds: z.coerce.number().int().min(1).max(3600).default(SERVER_DEFAULTS.jobs.leaseSeconds),
        maxAttempts: z.coerce.number().int().min(1).max(100).default(SERVER_DEFAULTS.jobs.maxAttempts),
        retryBaseMs: z.coerce.number().int().min(1).max(600_000).default(SERVER_DEFAULTS.jobs.retryBaseMs),
      })
      .strict()
      .default(SERVER_DEFAULTS.jobs),
    webhooks: z
      .object({
        retryBaseMs: z.coerce
          .number()
          .int()
          .min(10)
          .max(600_000)
          .default(SERVER_DEFAULTS.webhooks.retryBaseMs),
        /** Default: allowed with the sandbox (development), refused with real AWS (see `allowPrivateWebhooksOf`). */
        allowPrivateAddresses: z
          .union([z.boolean(), z.stringbool({ truthy: ['true'], falsy: ['false'] })], {
            error: 'must be true or false',
          })
          .optional(),
      })
      .strict()
      .default(SERVER_DEFAULTS.webhooks),
    tokenCacheSeconds: z.coerce.number().int().min(0).max(300).default(SERVER_DEFAULTS.tokenCacheSeconds),
    rateLimit: z
      .object({
        requestsPerSecond: z.coerce.number().min(0).default(SERVER_DEFAULTS.rateLimit.requestsPerSecond),
        burst: z.coerce.number().int().min(1).default(SERVER_DEFAULTS.rateLimit.burst),
      })
      .strict()
      .default(SERVER_DEFAULTS.rateLimit),
    limits: z
      .object({
        bodyBytes: z.coerce
          .number()
          .int()
          .min(1024)
          .max(64 * 1024 * 1024, 'must be at most 64 MiB')
          .default(SERVER_DEFAULTS.limits.bodyBytes),
        batchItems: z.coerce
          .number()
          .int()
          .min(1)
          .max(10_000, 'must be at most 10000')
          .default(SERVER_DEFAULTS.limits.batchItems),
      })
      .strict()
      .default(SERVER_DEFAULTS.limits),
    /** Default: `demo` in sandbox mode, none with real AWS (see `demoTenantOf`). */
    demoTenant: z
      .union([
        z.literal(''),
        z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'must be a tenant ID, or empty for none'),
      ])
      .optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default(SERVER_DEFAULTS.logLevel),
    /** The operator's token; generated and printed at start when not set. */
    operatorToken: z.string().min(32, 'must have at least 32 characters').optional(),
  })
  .strict()
  .superRefine((config, context) => {
    const [, partition, accountId] = ARN_ROLE.exec(config.platform.serviceRoleArn) ?? [];
    if (config.platform.partition !== undefined && config.platform.partition !== partition) {
      context.addIssue({
        code: 'custom',
        path: ['platform', 'partition'],
        message: `must match the Service Role ARN's partition (${partition})`,
      });
    }
    if (config.platform.accountId !== undefined && config.platform.accountId !== accountId) {
      context.addIssue({
        code: 'custom',
        path: ['platform', 'accountId'],
        message: `must match the Service Role ARN's account (${accountId})`,
      });
    }
    if (config.aws.mode === 'aws' && config.rootKey === 'local') {
      context.addIssue({
        code: 'custom',
        path: ['rootKey'],
        message: 'a local root key is for development only; with real AWS use a KMS key ARN',
      });
    }
    // With real AWS, nothing of the sandbox may be assumed: customers would be told to trust the
    // sandbox's role, and each instance would invent its own operator token.
    if (
      config.aws.mode === 'aws' &&
      config.platform.serviceRoleArn === SERVER_DEFAULTS.platform.serviceRoleArn
    ) {
      context.addIssue({
        code: 'custom',
        path: ['platform', 'serviceRoleArn'],
        message:
          "must be set to the platform's own Service Role with real AWS (the default is the sandbox's)",
      });
    }
    if (config.aws.mode === 'aws' && config.rootKey === SERVER_DEFAULTS.rootKey) {
      context.addIssue({
        code: 'custom',
        path: ['rootKey'],
        message: "must be set to the platform's own KMS key with real AWS (the default is the sandbox's)",
      });
    }
    if (config.aws.mode === 'aws' && config.operatorToken === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['operatorToken'],
        message: 'must be set with real AWS, the same on every instance',
      });
    }
  });

export type ServerConfig = z.output<typeof serverConfigSchema>;

/** The demo tenant to seed: as configured, else `demo` with the sandbox and none with real AWS. */
export function demoTenantOf(config: ServerConfig): string {
  return config.demoTenant ?? (config.aws.mode === 'sandbox' ? SERVER_DEFAULTS.demoTenant : '');
}
/**
 * Whether webhook URLs may point at loopback, private or link-local addresses: as configured, else
 * yes with the sandbox (a developer's receiver on localhost) and no with real AWS.
 */
export function allowPrivateWebhooksOf(config: ServerConfig): boolean {
  return config.webhooks.allowPrivateAddresses ?? config.aws.mode === 'sandbox';
}
export type ServerConfigInput = z.input<typeof serverConfigSchema>;
