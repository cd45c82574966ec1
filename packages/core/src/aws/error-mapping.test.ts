import { describe, expect, it } from 'vitest';
import { KeywardError } from '../errors.js';
import { mapAwsError } from './error-mapping.js';

const aws = (name: string, message = '', extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), {
    name,
    $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    ...extra,
  });

describe('mapAwsError: every AWS failure becomes a catalogued KeywardError', () => {
  it.each([
    ['kms', aws('AccessDeniedException'), 'KW_KMS_ACCESS_DENIED'],
    ['kms', aws('DisabledException'), 'KW_KMS_KEY_DISABLED'],
    [
      'kms',
      aws('KMSInvalidStateException', 'arn:aws:kms:us-east-1:1:key/x is pending deletion.'),
      'KW_KMS_KEY_PENDING_DELETION',
    ],
    [
      'kms',
      aws('KMSInvalidStateException', 'arn:aws:kms:us-east-1:1:key/x is pending import.'),
      'KW_KMS_KEY_INVALID_STATE',
    ],
    ['kms', aws('NotFoundException'), 'KW_KMS_KEY_NOT_FOUND'],
    ['kms', aws('InvalidCiphertextException'), 'KW_KMS_INVALID_CIPHERTEXT'],
    ['kms', aws('IncorrectKeyException'), 'KW_KMS_INVALID_CIPHERTEXT'],
    ['kms', aws('ThrottlingException'), 'KW_AWS_THROTTLED'],
    ['kms', aws('KMSInternalException'), 'KW_AWS_UNAVAILABLE'],
    ['kms', aws('ExpiredTokenException'), 'KW_AWS_CREDENTIALS_INVALID'],
    ['kms', aws('UnrecognizedClientException'), 'KW_AWS_CREDENTIALS_INVALID'],
    ['sts', aws('AccessDenied'), 'KW_STS_ACCESS_DENIED'],
    ['sts', aws('RegionDisabledException'), 'KW_STS_REGION_DISABLED'],
    ['sts', aws('Throttling'), 'KW_AWS_THROTTLED'],
    ['sts', aws('ExpiredToken'), 'KW_AWS_CREDENTIALS_INVALID'],
    [
      'kms',
      aws('SomethingNew', '', { $fault: 'server', $metadata: { httpStatusCode: 500 } }),
      'KW_AWS_UNAVAILABLE',
    ],
    ['kms', aws('SomethingNew'), 'KW_AWS_ERROR'],
    [
      'kms',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'KW_AWS_UNAVAILABLE',
    ],
    ['kms', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'KW_AWS_UNAVAILABLE'],
  ] as const)('%s %s → %s', (service, error, code) => {
    const mapped = mapAwsError(error, service, 'Decrypt');
    expect(mapped).toBeInstanceOf(KeywardError);
    expect(mapped.code).toBe(code);
    expect(mapped.aws?.service).toBe(service);
    expect(mapped.aws?.operation).toBe('Decrypt');
  });

  it('keeps the AWS error name, message, status and request id', () => {
    const mapped = mapAwsError(aws('DisabledException', 'arn:k is disabled.'), 'kms', 'Decrypt');
    expect(mapped.aws).toEqual({
      service: 'kms',
      operation: 'Decrypt',
      errorName: 'DisabledException',
      requestId: 'req-1',
      httpStatus: 400,
      awsMessage: 'arn:k is disabled.',
    });
  });

  it('names a network failure by its code, and passes a KeywardError through unchanged', () => {
    const refused = mapAwsError(
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      'sts',
      'AssumeRole',
    );
    expect(refused.aws?.errorName).toBe('ECONNREFUSED');
    const original = new KeywardError('KW_INTERNAL');
    expect(mapAwsError(original, 'kms', 'Decrypt')).toBe(original);
    expect(mapAwsError('a string', 'kms', 'Decrypt').code).toBe('KW_AWS_ERROR');
  });
});
