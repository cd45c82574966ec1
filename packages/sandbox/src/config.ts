import { z } from 'zod';
import { SandboxError } from './sandbox-errors.js';

/**
 * The sandbox's configuration: one schema, one set of defaults, read from `KEYWARD_SANDBOX_*`
 * environment variables and overridden by explicit options (CLI flags, `startSandbox`).
 */
export const SANDBOX_DEFAULTS = {
  host: '127.0.0.1',
  port: 4599,
  region: 'us-east-1',
  trailLimit: 10_000,
} as const;

export const sandboxConfigSchema = z
  .object({
    host: z.string().min(1).default(SANDBOX_DEFAULTS.host),
    port: z.coerce.number().int().min(0).max(65535).default(SANDBOX_DEFAULTS.port),
    /** The region seeded keys live in when the seed names none. */
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, 'region must look like us-east-1')
      .default(SANDBOX_DEFAULTS.region),
    seed: z.string().min(1).optional(),
    dataDir: z.string().min(1).optional(),
    /** When set, the /_sandbox admin API requires `Authorization: Bearer <token>`. */
    adminToken: z.string().min(16, 'the admin token must have at least 16 characters').optional(),
    trailLimit: z.coerce.number().int().min(1).max(1_000_000).default(SANDBOX_DEFAULTS.trailLimit),
  })
  .strict()
  /* The admin API resets state and reads the trail: beyond loopback it must not be open to anyone. */
  .refine((config) => isLoopback(config.host) || config.adminToken !== undefined, {
    message:
      'listening beyond loopback needs an admin token (KEYWARD_SANDBOX_ADMIN_TOKEN) to protect the /_sandbox/ API',
    path: ['adminToken'],
  });

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export type SandboxConfig = z.output<typeof sandboxConfigSchema>;
export type SandboxConfigInput = z.input<typeof sandboxConfigSchema>;

const ENV_NAMES: Record<keyof SandboxConfig, string> = {
  host: 'KEYWARD_SANDBOX_HOST',
  port: 'KEYWARD_SANDBOX_PORT',
  region: 'KEYWARD_SANDBOX_REGION',
  seed: 'KEYWARD_SANDBOX_SEED',
  dataDir: 'KEYWARD_SANDBOX_DATA_DIR',
  adminToken: 'KEYWARD_SANDBOX_ADMIN_TOKEN',
  trailLimit: 'KEYWARD_SANDBOX_TRAIL_LIMIT',
};

export const SANDBOX_ENV_NAMES = ENV_NAMES;

/** Explicit options win over the environment, which wins over the defaults. */
export function resolveSandboxConfig(
  options: Partial<SandboxConfigInput> = {},
  env: NodeJS.ProcessEnv = process.env,
): SandboxConfig {
  const fromEnv: Record<string, string> = {};
  for (const [field, name] of Object.entries(ENV_NAMES)) {
    const value = env[name];
    if (value !== undefined && value !== '') fromEnv[field] = value;
  }
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const result = sandboxConfigSchema.safeParse({ ...fromEnv, ...defined });
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = String(issue.path[0] ?? '');
      const env = ENV_NAMES[field as keyof SandboxConfig];
      return `${field}${env ? ` (${env})` : ''}: ${issue.message}`;
    });
    throw new SandboxConfigError(`Invalid sandbox configuration: ${problems.join('; ')}`);
  }
  return result.data;
}

/** `KW_SANDBOX_CONFIG`: a setting is invalid; the message names the setting and its variable. */
export class SandboxConfigError extends SandboxError {
  declare readonly code: 'KW_SANDBOX_CONFIG';
  override readonly name = 'SandboxConfigError';
  constructor(message: string) {
    super('KW_SANDBOX_CONFIG', { message });
  }
}
