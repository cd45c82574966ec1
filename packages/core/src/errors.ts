/**
 * The one error catalogue: every failure Keyward reports has a stable `KW_…` code, the HTTP
 * status the API answers with, a category and a user-facing message. `docs/errors.md` lists the
 * same codes; `errors.test.ts` keeps the two in step.
 *
 * Categories let callers act without string matching:
 * - `input`: the caller's request is wrong; fix it and retry.
 * - `state`: the tenant's keys or configuration are not in a state that allows the operation.
 * - `revoked`: the customer (or the platform) withdrew access to the root key; fail closed.
 * - `unavailable`: AWS could not be reached or throttled us; transient, retry later.
 * - `internal`: a fault on the platform side (configuration, credentials, bug).
 */
export type ErrorCategory = 'input' | 'state' | 'revoked' | 'unavailable' | 'internal';

interface CatalogueEntry {
  readonly status: number;
  readonly category: ErrorCategory;
  readonly message: string;
}

export const ERROR_CATALOGUE = {
  KW_INVALID_ARGUMENT: { status: 400, category: 'input', message: 'An argument is missing or invalid.' },
  KW_INVALID_TENANT_ID: {
    status: 400,
    category: 'input',
    message:
      'The tenant ID must be 1 to 128 characters of letters, digits, ".", "_" and "-", starting with a letter or digit.',
  },
  KW_INVALID_ARN: {
    status: 400,
    category: 'input',
    message: 'The ARN is not a valid AWS ARN of the expected kind.',
  },
  KW_CONTEXT_INVALID: {
    status: 400,
    category: 'input',
    message: 'The encryption context must be an object of well-formed strings within the documented limits.',
  },
  KW_PLAINTEXT_TOO_LARGE: {
    status: 413,
    category: 'input',
    message: 'The plaintext is larger than the configured maximum.',
  },
  KW_CIPHERTEXT_TOO_LARGE: {
    status: 413,
    category: 'input',
    message: 'The ciphertext is larger than the configured maximum.',
  },
  KW_CIPHERTEXT_MALFORMED: {
    status: 400,
    category: 'input',
    message:
      'The input is not a Keyward ciphertext: it is truncated, badly encoded or has an invalid header.',
  },
  KW_CIPHERTEXT_UNSUPPORTED: {
    status: 400,
    category: 'input',
    message: 'The ciphertext uses a format version or algorithm suite this Keyward does not support.',
  },
  KW_DECRYPTION_FAILED: {
    status: 400,
    category: 'input',
    message:
      'The ciphertext could not be authenticated: it was altered, belongs to another tenant, or the encryption context differs.',
  },
  KW_KEY_VERSION_TOO_OLD: {
    status: 400,
    category: 'input',
    message: "The key version is below the tenant's minimum version for this operation (too old).",
  },
  KW_KEY_VERSION_TOO_NEW: {
    status: 400,
    category: 'input',
    message: "The key version is above the tenant's latest key version (too new).",
  },
  KW_FLOORS_INVALID: {
    status: 400,
    category: 'input',
    message:
      'The key version floors break the ordering rules: 1 ≤ minDecryptionVersion ≤ latest, and minEncryptionVersion is 0 or between minDecryptionVersion and latest.',
  },
  KW_TENANT_NOT_FOUND: { status: 404, category: 'state', message: 'The tenant has no tenant key.' },
  KW_TENANT_EXISTS: { status: 409, category: 'state', message: 'The tenant already has a tenant key.' },
  KW_KEY_VERSION_NOT_FOUND: {
    status: 404,
    category: 'state',
    message: 'The tenant key version is not in the key store.',
  },
  KW_CONCURRENT_MODIFICATION: {
    status: 409,
    category: 'state',
    message: "The tenant's keys were changed concurrently; retry the operation.",
  },
  KW_ROLE_ALREADY_REGISTERED: {
    status: 409,
    category: 'state',
    message: 'The role is already registered to another tenant: each tenant needs a role of its own.',
  },
  KW_ROOT_KEY_MISMATCH: {
    status: 409,
    category: 'state',
    message:
      'The tenant key version is wrapped by a different root key than the one configured for the tenant.',
  },
  KW_ROOT_KEY_CONFIG: {
    status: 500,
    category: 'internal',
    message: 'The root key is not configured correctly.',
  },
  KW_ROOT_KEY_UNWRAP_FAILED: {
    status: 500,
    category: 'internal',
    message:
      'The root key could not unwrap the tenant key: the wrapped key or its context does not match this root key.',
  },
  KW_KMS_ACCESS_DENIED: {
    status: 403,
    category: 'revoked',
    message:
      "AWS KMS denied access to the key: the key policy or the role's permissions do not allow this operation.",
  },
  KW_KMS_KEY_DISABLED: { status: 403, category: 'revoked', message: 'The KMS key is disabled.' },
  KW_KMS_KEY_PENDING_DELETION: {
    status: 403,
    category: 'revoked',
    message: 'The KMS key is scheduled for deletion.',
  },
  KW_KMS_KEY_NOT_FOUND: {
    status: 403,
    category: 'revoked',
    message: 'The KMS key does not exist in that account and region.',
  },
  KW_KMS_KEY_INVALID_STATE: {
    status: 409,
    category: 'state',
    message: 'The KMS key is not in a state that allows this operation.',
  },
  KW_KMS_INVALID_CIPHERTEXT: {
    status: 500,
    category: 'internal',
    message: 'AWS KMS could not decrypt the wrapped tenant key with this key and encryption context.',
  },
  KW_KMS_INVALID_KEY_USAGE: {
    status: 409,
    category: 'state',
    message: 'The KMS key cannot be used for symmetric encryption (wrong key spec or key usage).',
  },
  KW_STS_ACCESS_DENIED: {
    status: 403,
    category: 'revoked',
    message:
      "AWS STS refused to let the platform assume the customer's role: check the role's trust policy and External ID.",
  },
  KW_STS_REGION_DISABLED: {
    status: 403,
    category: 'revoked',
    message: "AWS STS is not activated in that region for the customer's account.",
  },
  KW_AWS_CREDENTIALS_INVALID: {
    status: 500,
    category: 'internal',
    message: "The platform's AWS credentials are missing, invalid or expired.",
  },
  KW_AWS_THROTTLED: {
    status: 503,
    category: 'unavailable',
    message: 'AWS throttled the request after retries; try again later.',
  },
  KW_AWS_UNAVAILABLE: {
    status: 503,
    category: 'unavailable',
    message: 'AWS could not be reached or failed (timeout, connection error or 5xx) after retries.',
  },
  KW_AWS_ERROR: {
    status: 502,
    category: 'internal',
    message: 'AWS returned an error Keyward does not recognise.',
  },
  KW_UNAUTHENTICATED: {
    status: 401,
    category: 'input',
    message: 'A valid API token is required: send Authorization: Bearer <token>.',
  },
  KW_FORBIDDEN: { status: 403, category: 'input', message: 'This token is not allowed to do that.' },
  KW_NOT_FOUND: { status: 404, category: 'input', message: 'There is no such resource or route.' },
  KW_BODY_TOO_LARGE: {
    status: 413,
    category: 'input',
    message: 'The request body is larger than the server accepts.',
  },
  KW_BATCH_TOO_LARGE: {
    status: 413,
    category: 'input',
    message: 'The batch has more items than the documented limit.',
  },
  KW_RATE_LIMITED: {
    status: 429,
    category: 'unavailable',
    message: "Too many requests with this token; retry after the Retry-After header's seconds.",
  },
  KW_STATE_CONFLICT: {
    status: 409,
    category: 'state',
    message: "The tenant's BYOK state does not allow this operation now.",
  },
  KW_TEST_FAILED: {
    status: 409,
    category: 'state',
    message: 'The BYOK configuration did not pass the onboarding test; nothing was changed.',
  },
  KW_BYOK_REVOKED: {
    status: 403,
    category: 'revoked',
    message:
      "The customer has withdrawn the platform's access to their key; the tenant's data stays unreadable until access is restored.",
  },
  KW_JOB_CANCELLED: {
    status: 409,
    category: 'state',
    message: 'The job was cancelled (the operator aborted the operation it was running).',
  },
  KW_ROTATION_INCOMPLETE: {
    status: 409,
    category: 'state',
    message:
      'The platform root key rotation finished with tenants it could not re-wrap; the old key stays in use for them until the rotation is requested again.',
  },
  KW_CLOSED: { status: 500, category: 'internal', message: 'This Keyward instance has been closed.' },
  KW_INTERNAL: { status: 500, category: 'internal', message: 'An internal error occurred.' },
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
