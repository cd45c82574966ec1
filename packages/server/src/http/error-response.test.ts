import { ERROR_CATALOGUE, KeywardError, type ErrorCode } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import { errorResponse } from './error-response.js';

describe('errorResponse', () => {
  it("keeps AWS's message for the customer's refusals, and hides it for the platform's own failures", () => {
    const denied = errorResponse(
      new KeywardError('KW_KMS_ACCESS_DENIED', {
        aws: {
          service: 'kms',
          operation: 'Decrypt',
          errorName: 'AccessDeniedException',
          requestId: 'r1',
          awsMessage: 'User: arn:aws:sts::444455556666:assumed-role/r/keyward-acme is not authorized',
        },
      }),
    );
    expect(denied).toMatchObject({
      status: 403,
      body: {
        code: 'KW_KMS_ACCESS_DENIED',
        aws: { awsMessage: expect.stringContaining('not authorized'), requestId: 'r1' },
      },
    });
    const outage = errorResponse(
      new KeywardError('KW_AWS_UNAVAILABLE', {
        aws: {
          service: 'kms',
          operation: 'Decrypt',
          errorName: 'ECONNREFUSED',
          awsMessage: 'connect ECONNREFUSED 10.0.3.7:443',
        },
      }),
    );
    expect(outage.status).toBe(503);
    expect(outage.body.aws).toEqual({ service: 'kms', operation: 'Decrypt', errorName: 'ECONNREFUSED' });
    expect(JSON.stringify(outage.body)).not.toContain('10.0.3.7');
  });

  it('turns PostgreSQL data exceptions (class 22) into 400, anything unknown into a bare 500', () => {
    expect(
      errorResponse(
        Object.assign(new Error('value out of range for type bigint'), { code: '22003', severity: 'ERROR' }),
      ),
    ).toMatchObject({ status: 400, body: { code: 'KW_INVALID_ARGUMENT' }, unexpected: false });
    const unknown = errorResponse(
      new TypeError("Cannot read properties of undefined (reading 'x') at /work/main/src/file.ts:1:2"),
    );
    expect(unknown).toEqual({
      status: 500,
      body: { code: 'KW_INTERNAL', message: 'An internal error occurred.' },
      unexpected: true,
    });
  });

  it("maps Fastify's client errors into the catalogue", () => {
    expect(
      errorResponse(
        Object.assign(new Error('too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }),
      ),
    ).toMatchObject({ status: 413, body: { code: 'KW_BODY_TOO_LARGE' } });
    expect(
      errorResponse(Object.assign(new Error('bad url'), { code: 'FST_ERR_BAD_URL', statusCode: 400 })),
    ).toMatchObject({ status: 400, body: { code: 'KW_INVALID_ARGUMENT' } });
  });
});

describe('errorResponse reads the error catalogue', () => {
  it("drops AWS's message from every redacted code's body, and keeps it for every other code", () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const aws = {
        service: 'kms' as const,
        operation: 'Decrypt',
        errorName: 'SomeError',
        requestId: 'r1',
        awsMessage: 'connect ECONNREFUSED 10.0.3.7:443',
      };
      const response = errorResponse(new KeywardError(code as ErrorCode, { aws }));
      expect(response.status, code).toBe(entry.status);
      expect(response.body.aws, code).toEqual(
        entry.redacted
          ? { service: 'kms', operation: 'Decrypt', errorName: 'SomeError', requestId: 'r1' }
          : aws,
      );
    }
  });
});
