export {
  createKeyward,
  DEFAULT_MAX_PLAINTEXT_BYTES,
  type Keyward,
  type KeywardOptions,
  type EncryptOptions,
  type DataKey,
} from './keyward.js';
export {
  ERROR_CATALOGUE,
  KeywardError,
  isKeywardError,
  isErrorCode,
  isRetryable,
  findingOf,
  revocationOf,
  isRedacted,
  publicMessageOf,
  publicAwsOf,
  exitCodeOf,
  type ErrorCode,
  type ErrorCategory,
  type AwsErrorDetails,
  type KeyFinding,
  type RevocationFinding,
  type ExitCode,
} from './errors.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { createSystemRandom, type RandomSource } from './random.js';
export { silentLogger, type Logger } from './logger.js';
export { checkTenantId } from './tenant-id.js';
export { encodeContext, CONTEXT_LIMITS, type EncryptionContext } from './envelope/context-encoding.js';
export {
  FORMAT_VERSION,
  HEADER_BYTES,
  OVERHEAD_BYTES,
  TEXT_PREFIX,
  SALT_BYTES,
  IV_BYTES,
  TAG_BYTES,
  parseCiphertext,
  toText,
  fromText,
  type ParsedCiphertext,
} from './envelope/format.js';
export { MESSAGES_PER_MESSAGE_KEY, deriveMessageKey, messageKeyInfo } from './envelope/message-key.js';
export { seal, open } from './envelope/cipher.js';
export { SecretKey } from './keys/secret-key.js';
export { checkFloors } from './keys/floors.js';
export { MemoryTenantKeyStore } from './keys/memory-store.js';
export {
  STRAY_VERSION,
  type TenantKeyStore,
  type KeyVersionPolicy,
  type WrappedKeyVersion,
  type ReplacedVersion,
  type RootChange,
  type KeyChange,
  type StoreGuard,
  type GuardFinish,
} from './keys/tenant-key-store.js';
export {
  kmsEncryptionContext,
  TENANT_KEY_BYTES,
  type RootKey,
  type RootKeyKind,
  type RootKeyResolver,
  type WrapContext,
} from './keys/root-key.js';
export { onlyFrom, rewrapWrappedKey } from './keys/rewrap.js';
export type {
  KeyVersionInfo,
  KeyringInfo,
  FloorsUpdate,
  CreateOptions,
  Guarded,
  RootMove,
  RootMoveResult,
} from './keys/tenant-keyring.js';
export type { CachedRootMove } from './keys/caching-key-provider.js';
export { LocalRootKey, LOCAL_ROOT_KEY_ENV, type LocalRootKeyOptions } from './keys/local-root-key.js';
export { PlatformKmsRootKey, type PlatformKmsRootKeyOptions } from './keys/platform-kms-root-key.js';
export {
  CustomerKmsRootKey,
  roleSessionNameFor,
  type CustomerKmsRootKeyOptions,
} from './keys/customer-kms-root-key.js';
export {
  CACHE_DEFAULTS,
  TenantKeyCache,
  type CacheStats,
  type TenantKeyCacheOptions,
} from './keys/tenant-key-cache.js';
export { LruTtlCache } from './cache/lru-ttl-cache.js';
export { SingleFlight } from './cache/single-flight.js';
export { AWS_CLIENT_DEFAULTS, type AwsClientOptions } from './aws/client-options.js';
export { SdkKmsPort } from './aws/sdk-kms-port.js';
export { SdkStsPort } from './aws/sdk-sts-port.js';
export { AssumedRoleCredentialCache, type CredentialCacheOptions } from './aws/credential-cache.js';
export { mapAwsError } from './aws/error-mapping.js';
export { parseArn, parseKmsKeyArn, parseKmsKeyOrAliasArn, parseRoleArn, type Arn } from './aws/arns.js';
export type {
  KmsPort,
  StsPort,
  KmsTarget,
  AwsCredentials,
  AssumeRoleRequest,
  KmsKeyDescription,
} from './aws/ports.js';
export * from './onboarding/index.js';
