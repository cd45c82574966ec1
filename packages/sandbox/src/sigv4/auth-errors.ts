import type { ServiceName } from '../operation-names.js';
import { AwsError } from '../protocol/aws-error.js';

/** KMS allows 5 minutes of clock skew, STS and IAM 15 (as their "Signature expired" messages show). */
export const SKEW_MINUTES: Record<ServiceName, number> = { kms: 5, sts: 15, iam: 15 };

export type AuthFailure =
  | 'missing'
  | 'invalid-token'
  | 'incomplete'
  | 'unknown-key'
  | 'bad-signature'
  | 'expired-token'
  | 'skew'
  | 'scope';

const CODES: Record<AuthFailure, { json: string; query: string; queryStatus: number }> = {
  missing: {
    json: 'MissingAuthenticationTokenException',
    query: 'MissingAuthenticationToken',
    queryStatus: 403,
  },
  'invalid-token': { json: 'UnrecognizedClientException', query: 'InvalidClientTokenId', queryStatus: 403 },
  incomplete: { json: 'IncompleteSignatureException', query: 'IncompleteSignature', queryStatus: 400 },
  'unknown-key': { json: 'UnrecognizedClientException', query: 'InvalidClientTokenId', queryStatus: 403 },
  'bad-signature': { json: 'InvalidSignatureException', query: 'SignatureDoesNotMatch', queryStatus: 403 },
  'expired-token': { json: 'ExpiredTokenException', query: 'ExpiredToken', queryStatus: 403 },
  skew: { json: 'InvalidSignatureException', query: 'SignatureDoesNotMatch', queryStatus: 403 },
  scope: { json: 'InvalidSignatureException', query: 'SignatureDoesNotMatch', queryStatus: 403 },
};

export const BAD_SIGNATURE_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const UNKNOWN_KEY_MESSAGE = 'The security token included in the request is invalid.';
/** AWS drops the period when the key exists but the session token does not match it. */
export const INVALID_TOKEN_MESSAGE = 'The security token included in the request is invalid';
export const MISSING_TOKEN_MESSAGE = 'Request is missing Authentication Token';
export const EXPIRED_TOKEN_MESSAGE = 'The security token included in the request is expired';

export function authError(service: ServiceName, failure: AuthFailure, message: string): AwsError {
  const codes = CODES[failure];
  if (service === 'kms') return new AwsError(codes.json, message, { status: 400 });
  return new AwsError(codes.query, message, { status: codes.queryStatus });
}
