/**
 * The one error catalogue: every failure Keyward reports has a stable `KW_…` code, the HTTP
 * status the API answers with, a category, a user-facing message, and what the error means for
 * everything that decides on it (ARCHITECTURE §5): whether it is retried, what it says about the
 * customer's key, whether its own words may be shown, and the CLI's exit code. `docs/errors.md`
 * lists the same codes and fields; `errors.test.ts` keeps the two in step, and the helpers at
 * the end of this file are the only readers of the behaviour fields.
 *
 * Categories let callers act without string matching:
 * - `input`: the caller's request is wrong; fix it and retry.
 * - `state`: the tenant's keys or configuration are not in a state that allows the operation.
 * - `revoked`: the customer (or the platform) withdrew access to the root key; fail closed.
 * - `unavailable`: AWS could not be reached or throttled us; transient, retry later.
 * - `internal`: a fault on the platform side (configuration, credentials, bug).
 */
export type ErrorCategory = 'input' | 'state' | 'revoked' | 'unavailable' | 'internal';

/**
 * What a failed KMS or STS call says about the customer's key, as the health monitor and the data
 * plane read it: the customer withdrew access (`denied`, `disabled`, `pending_deletion`,
 * `not_found`: the tenant is revoked and its keys evicted at once), or AWS did not answer
 * (`unreachable`: the tenant is degraded and served from cache for the grace period).
 */
export type KeyFinding = 'denied' | 'disabled' | 'pending_deletion' | 'not_found' | 'unreachable';

/** The findings that mean the customer withdrew access: revocation. */
export type RevocationFinding = Exclude<KeyFinding, 'unreachable'>;

/** The exit codes of the `keyward` command (docs/cli.md): 1 a failure, 2 a usage or input mistake, 3 a check failed. */
export type ExitCode = 1 | 2 | 3;

interface CatalogueEntry {
  readonly status: number;
  readonly category: ErrorCategory;
  /** The same call may well succeed later: a background job retries it, and so may a client. */
  readonly retryable: boolean;
  /** What the error says about the customer's key when a KMS or STS call fails; null: nothing. */
  readonly finding: KeyFinding | null;
  /**
   * Its own words describe the platform's side (keys, network, endpoints): AWS's message is never
   * shown to callers, and where a tenant sees it unasked (a job's error) the catalogue's message
   * replaces the error's own.
   */
  readonly redacted: boolean;
  /** The `keyward` command's exit code when this error ends it. */
  readonly exitCode: ExitCode;
  readonly message: string;
}

export const ERROR_CATALOGUE = {
  KW_INVALID_ARGUMENT: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'An argument is missing or invalid.',
  },
  KW_INVALID_TENANT_ID: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message:
      'The tenant ID must be 1 to 128 characters of letters, digits, ".", "_" and "-", starting with a letter or digit.',
  },
  KW_INVALID_ARN: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The ARN is not a valid AWS ARN of the expected kind.',
  },
  KW_CONTEXT_INVALID: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The encryption context must be an object of well-formed strings within the documented limits.',
  },
  KW_PLAINTEXT_TOO_LARGE: {
    status: 413,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The plaintext is larger than the configured maximum.',
  },
  KW_CIPHERTEXT_TOO_LARGE: {
    status: 413,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The ciphertext is larger than the configured maximum.',
  },
  KW_CIPHERTEXT_MALFORMED: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message:
      'The input is not a Keyward ciphertext: it is truncated, badly encoded or has an invalid header.',
  },
  KW_CIPHERTEXT_UNSUPPORTED: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The ciphertext uses a format version or algorithm suite this Keyward does not support.',
  },
  KW_DECRYPTION_FAILED: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message:
      'The ciphertext could not be authenticated: it was altered, belongs to another tenant, or the encryption context differs.',
  },
  KW_KEY_VERSION_TOO_OLD: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: "The key version is below the tenant's minimum version for this operation (too old).",
  },
  KW_KEY_VERSION_TOO_NEW: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: "The key version is above the tenant's latest key version (too new).",
  },
  KW_FLOORS_INVALID: {
    status: 400,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message:
      'The key version floors break the ordering rules: 1 ≤ minDecryptionVersion ≤ latest, and minEncryptionVersion is 0 or between minDecryptionVersion and latest.',
  },
  KW_TENANT_NOT_FOUND: {
    status: 404,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The tenant has no tenant key.',
  },
  KW_TENANT_EXISTS: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The tenant already has a tenant key.',
  },
  KW_KEY_VERSION_NOT_FOUND: {
    status: 404,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The tenant key version is not in the key store.',
  },
  KW_CONCURRENT_MODIFICATION: {
    status: 409,
    category: 'state',
    retryable: true,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: "The tenant's keys were changed concurrently; retry the operation.",
  },
  KW_ROLE_ALREADY_REGISTERED: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The role is already registered to another tenant: each tenant needs a role of its own.',
  },
  KW_ROOT_KEY_MISMATCH: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message:
      'The tenant key version is wrapped by a different root key than the one configured for the tenant.',
  },
  KW_ROOT_KEY_CONFIG: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 2,
    message: 'The root key is not configured correctly.',
  },
  KW_ROOT_KEY_UNWRAP_FAILED: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 1,
    message:
      'The root key could not unwrap the tenant key: the wrapped key or its context does not match this root key.',
  },
  KW_KMS_ACCESS_DENIED: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'denied',
    redacted: false,
    exitCode: 1,
    message:
      "AWS KMS denied access to the key: the key policy or the role's permissions do not allow this operation.",
  },
  KW_KMS_KEY_DISABLED: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'disabled',
    redacted: false,
    exitCode: 1,
    message: 'The KMS key is disabled.',
  },
  KW_KMS_KEY_PENDING_DELETION: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'pending_deletion',
    redacted: false,
    exitCode: 1,
    message: 'The KMS key is scheduled for deletion.',
  },
  KW_KMS_KEY_NOT_FOUND: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'not_found',
    redacted: false,
    exitCode: 1,
    message: 'The KMS key does not exist in that account and region.',
  },
  KW_KMS_KEY_INVALID_STATE: {
    status: 409,
    category: 'state',
    retryable: false,
    // Key material deleted, a custom key store disconnected: the customer's doing, and the key unusable.
    finding: 'disabled',
    redacted: false,
    exitCode: 1,
    message: 'The KMS key is not in a state that allows this operation.',
  },
  KW_KMS_INVALID_CIPHERTEXT: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 1,
    message: 'AWS KMS could not decrypt the wrapped tenant key with this key and encryption context.',
  },
  KW_KMS_INVALID_KEY_USAGE: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The KMS key cannot be used for symmetric encryption (wrong key spec or key usage).',
  },
  KW_STS_ACCESS_DENIED: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'denied',
    redacted: false,
    exitCode: 1,
    message:
      "AWS STS refused to let the platform assume the customer's role: check the role's trust policy and External ID.",
  },
  KW_STS_REGION_DISABLED: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: 'denied',
    redacted: false,
    exitCode: 1,
    message: "AWS STS is not activated in that region for the customer's account.",
  },
  KW_AWS_CREDENTIALS_INVALID: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 1,
    message: "The platform's AWS credentials are missing, invalid or expired.",
  },
  KW_AWS_THROTTLED: {
    status: 503,
    category: 'unavailable',
    retryable: true,
    finding: 'unreachable',
    redacted: true,
    exitCode: 1,
    message: 'AWS throttled the request after retries; try again later.',
  },
  KW_AWS_UNAVAILABLE: {
    status: 503,
    category: 'unavailable',
    retryable: true,
    finding: 'unreachable',
    redacted: true,
    exitCode: 1,
    message: 'AWS could not be reached or failed (timeout, connection error or 5xx) after retries.',
  },
  KW_AWS_ERROR: {
    status: 502,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 1,
    message: 'AWS returned an error Keyward does not recognise.',
  },
  KW_UNAUTHENTICATED: {
    status: 401,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'A valid API token is required: send Authorization: Bearer <token>.',
  },
  KW_FORBIDDEN: {
    status: 403,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'This token is not allowed to do that.',
  },
  KW_NOT_FOUND: {
    status: 404,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'There is no such resource or route.',
  },
  KW_BODY_TOO_LARGE: {
    status: 413,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The request body is larger than the server accepts.',
  },
  KW_BATCH_TOO_LARGE: {
    status: 413,
    category: 'input',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 2,
    message: 'The batch has more items than the documented limit.',
  },
  KW_RATE_LIMITED: {
    status: 429,
    category: 'unavailable',
    retryable: true,
    // Keyward's own limit on a token, met before any AWS call: nothing about the customer's key.
    finding: null,
    redacted: true,
    exitCode: 1,
    message: "Too many requests with this token; retry after the Retry-After header's seconds.",
  },
  KW_STATE_CONFLICT: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: "The tenant's BYOK state does not allow this operation now.",
  },
  KW_TEST_FAILED: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The BYOK configuration did not pass the onboarding test; nothing was changed.',
  },
  KW_BYOK_REVOKED: {
    status: 403,
    category: 'revoked',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message:
      "The customer has withdrawn the platform's access to their key; the tenant's data stays unreadable until access is restored.",
  },
  KW_JOB_CANCELLED: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message: 'The job was cancelled (the operator aborted the operation it was running).',
  },
  KW_ROTATION_INCOMPLETE: {
    status: 409,
    category: 'state',
    retryable: false,
    finding: null,
    redacted: false,
    exitCode: 1,
    message:
      'The platform root key rotation finished with tenants it could not re-wrap; the old key stays in use for them until the rotation is requested again.',
  },
  KW_CONFIG_INVALID: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 2,
    message: 'The configuration is invalid.',
  },
  KW_CLOSED: {
    status: 500,
    category: 'internal',
    retryable: true,
    finding: null,
    redacted: true,
    exitCode: 1,
    message: 'This Keyward instance has been closed.',
  },
  KW_INTERNAL: {
    status: 500,
    category: 'internal',
    retryable: false,
    finding: null,
    redacted: true,
    exitCode: 1,
    message: 'An internal error occurred.',
  },
} as const satisfies Record<`KW_${string}`, CatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** What an AWS failure looked like on the wire, kept so operators can find the call in CloudTrail. */
export interface AwsErrorDetails {
  service: 'kms' | 'sts';
  operation: string;
  errorName: string;
  requestId?: string;
  httpStatus?: number;
  awsMessage?: string;
}

export interface KeywardErrorOptions {
  /** Replaces the catalogue message with a more specific one (never containing secrets). */
  message?: string;
  details?: Record<string, unknown>;
  aws?: AwsErrorDetails;
  cause?: unknown;
}

export class KeywardError extends Error {
  override readonly name = 'KeywardError';
  readonly code: ErrorCode;
  readonly status: number;
  readonly category: ErrorCategory;
  readonly details: Record<string, unknown> | undefined;
  readonly aws: AwsErrorDetails | undefined;

  constructor(code: ErrorCode, options: KeywardErrorOptions = {}) {
    const entry: CatalogueEntry = ERROR_CATALOGUE[code];
    super(
      options.message ?? entry.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.status = entry.status;
    this.category = entry.category;
    this.details = options.details;
    this.aws = options.aws;
  }

  /** The body the HTTP API sends: stable code, message, and the AWS request id when there is one. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
      ...(this.aws === undefined ? {} : { aws: this.aws }),
    };
  }
}

export function isKeywardError(error: unknown, code?: ErrorCode): error is KeywardError {
  return error instanceof KeywardError && (code === undefined || error.code === code);
}

/*
 * What an error means, read from its catalogue entry: every retry, revocation, redaction and exit
 * code decision in Keyward goes through these, so that no second list of codes exists. An error
 * that is not a KeywardError has no entry: each caller says what an unknown error means to it.
 */

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The same call may well succeed later (AWS unreachable or throttled, a concurrent change, a closed instance). */
export function isRetryable(error: unknown): boolean {
  return isKeywardError(error) && ERROR_CATALOGUE[error.code].retryable;
}

/** What a failed KMS or STS call says about the customer's key; undefined when it says nothing about it. */
export function findingOf(error: unknown): KeyFinding | undefined {
  return isKeywardError(error) ? (ERROR_CATALOGUE[error.code].finding ?? undefined) : undefined;
}

/** The finding when the error means the customer withdrew access (fail closed now); undefined otherwise. */
export function revocationOf(error: unknown): RevocationFinding | undefined {
  const finding = findingOf(error);
  return finding === 'unreachable' ? undefined : finding;
}

/** Whether the error's own words (its message, AWS's message) are the platform's and kept from callers. */
export function isRedacted(error: KeywardError): boolean {
  return ERROR_CATALOGUE[error.code].redacted;
}

/** The message a tenant may read where it did not ask (a job's error): the catalogue's when redacted. */
export function publicMessageOf(error: KeywardError): string {
  return isRedacted(error) ? ERROR_CATALOGUE[error.code].message : error.message;
}

/** The AWS details a caller may read: AWS's own message is dropped when the error is redacted. */
export function publicAwsOf(error: KeywardError): AwsErrorDetails | undefined {
  if (error.aws === undefined || !isRedacted(error)) return error.aws;
  const { awsMessage: _hidden, ...aws } = error.aws;
  return aws;
}

/** The `keyward` command's exit code for a catalogue code; undefined for a code of no catalogue here. */
export function exitCodeOf(code: unknown): ExitCode | undefined {
  return isErrorCode(code) ? ERROR_CATALOGUE[code].exitCode : undefined;
}
