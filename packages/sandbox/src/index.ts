/** @keyward/sandbox: a local AWS (KMS, STS, IAM) over the real wire protocols. */
export {
  startSandbox,
  type RunningSandbox,
  type StartSandboxOptions,
  type SandboxUserCredentials,
} from './start-sandbox.js';
export { SandboxAdminClient } from './admin-client.js';
export {
  SANDBOX_ERRORS,
  SandboxError,
  isSandboxError,
  type SandboxErrorCode,
  type SandboxErrorEntry,
  type SandboxErrorOptions,
} from './sandbox-errors.js';
export {
  resolveSandboxConfig,
  SANDBOX_DEFAULTS,
  SANDBOX_ENV_NAMES,
  SandboxConfigError,
  type SandboxConfig,
} from './config.js';
export {
  defaultSeed,
  PLATFORM_ACCOUNT_ID,
  CUSTOMER_ACCOUNT_ID,
  SERVICE_ROLE_NAME,
  PLATFORM_KEY_ALIAS,
  adminAccessKeyId,
  adminSecretAccessKey,
} from './seed/default-seed.js';
export { SeedError } from './seed/build-state.js';
export { SandboxStateError } from './state/persistence.js';
export { loadSeedFile } from './seed/load-seed.js';
export type { SeedInput } from './seed/seed-schema.js';
export { systemClock, type Clock } from './clock.js';
export type { FaultRule, FaultRuleInput, FaultMode } from './faults/faults.js';
export type { TrailEvent, TrailQuery, OperationCounter, Outcome } from './trail/trail.js';
