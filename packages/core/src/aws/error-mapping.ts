import { KeywardError, type AwsErrorDetails, type ErrorCode } from '../errors.js';

/** What the AWS SDK v3 attaches to a service error (and what network errors lack). */
interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

const KMS_CODES: Record<string, ErrorCode> = {
  AccessDeniedException: 'KW_KMS_ACCESS_DENIED',
  DisabledException: 'KW_KMS_KEY_DISABLED',
  NotFoundException: 'KW_KMS_KEY_NOT_FOUND',
  KMSInvalidStateException: 'KW_KMS_KEY_INVALID_STATE',
  InvalidCiphertextException: 'KW_KMS_INVALID_CIPHERTEXT',
  IncorrectKeyException: 'KW_KMS_INVALID_CIPHERTEXT',
  InvalidKeyUsageException: 'KW_KMS_INVALID_KEY_USAGE',
  KeyUnavailableException: 'KW_AWS_UNAVAILABLE',
  KMSInternalException: 'KW_AWS_UNAVAILABLE',
  DependencyTimeoutException: 'KW_AWS_UNAVAILABLE',
  InvalidArnException: 'KW_INVALID_ARN',
};

const STS_CODES: Record<string, ErrorCode> = {
  AccessDenied: 'KW_STS_ACCESS_DENIED',
  AccessDeniedException: 'KW_STS_ACCESS_DENIED',
  RegionDisabledException: 'KW_STS_REGION_DISABLED',
  MalformedPolicyDocumentException: 'KW_INVALID_ARGUMENT',
  PackedPolicyTooLargeException: 'KW_INVALID_ARGUMENT',
  ValidationError: 'KW_INVALID_ARGUMENT',
};

/** Failures of the platform's own credentials, the same in every service. */
const CREDENTIAL_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'CredentialsProviderError',
  'InvalidAccessKeyId',
]);

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
  'SlowDown',
]);

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
]);

function codeFor(service: 'kms' | 'sts', error: SdkErrorShape): ErrorCode {
  const name = error.name ?? '';
  if (CREDENTIAL_CODES.has(name)) return 'KW_AWS_CREDENTIALS_INVALID';
  if (THROTTLING_CODES.has(name)) return 'KW_AWS_THROTTLED';
  if (name === 'KMSInvalidStateException' && /pending deletion/i.test(error.message ?? ''))
    return 'KW_KMS_KEY_PENDING_DELETION';
  const mapped = (service === 'kms' ? KMS_CODES : STS_CODES)[name];
  if (mapped !== undefined) return mapped;
  if (name === 'TimeoutError' || name === 'AbortError' || NETWORK_CODES.has(error.code ?? ''))
    return 'KW_AWS_UNAVAILABLE';
  const status = error.$metadata?.httpStatusCode;
  if (error.$fault === 'server' || (status !== undefined && status >= 500)) return 'KW_AWS_UNAVAILABLE';
  return 'KW_AWS_ERROR';
}

/**
 * Turns whatever an SDK call threw into a catalogued KeywardError, keeping the AWS error name,
 * message and request id so an operator can find the call in the customer's CloudTrail.
 */
export function mapAwsError(error: unknown, service: 'kms' | 'sts', operation: string): KeywardError {
  if (error instanceof KeywardError) return error;
  const shape: SdkErrorShape =
    typeof error === 'object' && error !== null ? (error as SdkErrorShape) : { message: String(error) };
  // Network failures arrive as a plain Error whose useful name is its code (ECONNREFUSED, …).
  const generic = shape.name === undefined || shape.name === 'Error';
  const aws: AwsErrorDetails = {
    service,
    operation,
    errorName: (generic ? shape.code : shape.name) ?? shape.name ?? 'Error',
  };
  if (shape.$metadata?.requestId !== undefined) aws.requestId = shape.$metadata.requestId;
  if (shape.$metadata?.httpStatusCode !== undefined) aws.httpStatus = shape.$metadata.httpStatusCode;
  if (shape.message !== undefined && shape.message !== '') aws.awsMessage = shape.message;
  const code = codeFor(service, shape);
  return new KeywardError(code, { aws, cause: error });
}
