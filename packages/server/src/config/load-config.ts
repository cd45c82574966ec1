import { readFileSync } from 'node:fs';
// The catalogue alone, not all of core: the CLI reads this module on every start.
import { KeywardError } from '@keyward/core/errors';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { serverConfigSchema, type ServerConfig } from './schema.js';

/** Where each setting comes from in the environment (DATABASE_URL is the conventional name). */
export const ENV_NAMES = {
  'platform.serviceRoleArn': 'KEYWARD_PLATFORM_SERVICE_ROLE_ARN',
  'platform.partition': 'KEYWARD_PLATFORM_PARTITION',
  'platform.accountId': 'KEYWARD_PLATFORM_ACCOUNT_ID',
  'aws.mode': 'KEYWARD_AWS_MODE',
  'aws.endpoint': 'KEYWARD_AWS_ENDPOINT',
  'aws.region': 'KEYWARD_AWS_REGION',
  rootKey: 'KEYWARD_ROOT_KEY',
  'cache.ttlSeconds': 'KEYWARD_CACHE_TTL_SECONDS',
  'health.intervalSeconds': 'KEYWARD_HEALTH_INTERVAL_SECONDS',
  'health.graceSeconds': 'KEYWARD_HEALTH_GRACE_SECONDS',
  'listen.host': 'KEYWARD_HOST',
  'listen.port': 'KEYWARD_PORT',
  'store.dataDir': 'KEYWARD_DATA_DIR',
  'store.databaseUrl': 'DATABASE_URL',
  'store.schema': 'KEYWARD_DATABASE_SCHEMA',
  'jobs.concurrency': 'KEYWARD_JOB_CONCURRENCY',
  'jobs.pollMs': 'KEYWARD_JOB_POLL_MS',
  'jobs.leaseSeconds': 'KEYWARD_JOB_LEASE_SECONDS',
  'jobs.maxAttempts': 'KEYWARD_JOB_MAX_ATTEMPTS',
  'jobs.retryBaseMs': 'KEYWARD_JOB_RETRY_BASE_MS',
  operatorToken: 'KEYWARD_OPERATOR_TOKEN',
  tokenCacheSeconds: 'KEYWARD_TOKEN_CACHE_SECONDS',
  'webhooks.retryBaseMs': 'KEYWARD_WEBHOOK_RETRY_BASE_MS',
  'webhooks.allowPrivateAddresses': 'KEYWARD_WEBHOOK_ALLOW_PRIVATE_ADDRESSES',
  'rateLimit.requestsPerSecond': 'KEYWARD_RATE_LIMIT_PER_SECOND',
  'rateLimit.burst': 'KEYWARD_RATE_LIMIT_BURST',
  'limits.bodyBytes': 'KEYWARD_MAX_BODY_BYTES',
  'limits.batchItems': 'KEYWARD_MAX_BATCH_ITEMS',
  demoTenant: 'KEYWARD_DEMO_TENANT',
  logLevel: 'KEYWARD_LOG_LEVEL',
} as const;

export const CONFIG_FILE_ENV = 'KEYWARD_CONFIG_FILE';

const EMPTY_IS_A_VALUE = new Set(['demoTenant']);

/**
 * Invalid configuration: start-up stops with a message naming each bad setting and its variable
 * (`KW_CONFIG_INVALID` in the catalogue: the user's to fix, exit 2).
 */
export class ConfigError extends KeywardError {
  constructor(message: string) {
    super('KW_CONFIG_INVALID', { message });
  }
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) node = (node[part] ??= {}) as Tree;
  node[parts.at(-1)!] = value;
}

function mergeInto(target: Tree, source: Tree): Tree {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    target[key] =
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      typeof existing === 'object' &&
      existing !== null
        ? mergeInto({ ...(existing as Tree) }, value as Tree)
        : value;
  }
  return target;
}

function readFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Cannot read the configuration file ${path} (${CONFIG_FILE_ENV}): ${(error as NodeJS.ErrnoException).code ?? 'error'}.`,
    );
  }
  const invalid = (why: string) =>
    new ConfigError(
      `The configuration file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${why}.`,
    );
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid('not an object');
  return parsed as Tree;
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  const env = (ENV_NAMES as Record<string, string>)[path];
  const where = path === '' ? 'configuration' : env === undefined ? path : `${path} (${env})`;
  return `${where}: ${issue.message}`;
}

/**
 * Defaults, then the optional file (KEYWARD_CONFIG_FILE, JSON or YAML), then KEYWARD_* variables.
 * Every problem is reported at once, each naming its setting.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Tree = {}): ServerConfig {
  const fromFile =
    env[CONFIG_FILE_ENV] === undefined || env[CONFIG_FILE_ENV] === '' ? {} : readFile(env[CONFIG_FILE_ENV]);
  const fromEnv: Tree = {};
  for (const [path, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    // An empty variable means "not set", except where empty is a value ("no demo tenant").
    if (value !== undefined && (value !== '' || EMPTY_IS_A_VALUE.has(path))) setPath(fromEnv, path, value);
  }
  const merged = mergeInto(mergeInto(mergeInto({}, fromFile), fromEnv), overrides);
  const result = serverConfigSchema.safeParse(merged);
  // One line, so that a command-line error stays one line however many settings are wrong.
  if (!result.success)
    throw new ConfigError(`Invalid configuration: ${result.error.issues.map(describe).join('; ')}.`);
  return result.data;
}
