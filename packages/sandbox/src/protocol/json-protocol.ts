import { AwsError } from './aws-error.js';
import type { AwsResponse } from './response.js';

/** KMS speaks awsJson1_1: a JSON object in, a JSON object out, errors named by `__type`. */
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export function parseJsonInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    /* AWS answers an unparseable body with a bare SerializationException. */
    throw new AwsError('SerializationException');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return parsed as Record<string, unknown>;
}

export function jsonResponse(requestId: string, output: unknown): AwsResponse {
  return {
    status: 200,
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': requestId },
    body: output === undefined ? '' : JSON.stringify(output),
  };
}

/** The code goes in `__type` and in `x-amzn-ErrorType`; the body never has a `code` field. */
export function jsonError(requestId: string, error: AwsError): AwsResponse {
  const body: Record<string, string> = { __type: error.code };
  if (error.hasMessage) body[error.messageField] = error.message;
  return {
    status: error.status,
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.code,
    },
    body: JSON.stringify(body),
  };
}
