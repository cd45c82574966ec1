import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, KeywardError, type ErrorCode } from '../../errors.js';
import { awsOutcome } from './classify.js';

const aws = (errorName: string, awsMessage: string) => ({
  service: 'kms' as const,
  operation: 'Decrypt',
  errorName,
  requestId: 'r-1',
  awsMessage,
});

describe('awsOutcome', () => {
  it("quotes AWS for the customer's refusals: their words name the key or role to fix", () => {
    const error = new KeywardError('KW_KMS_ACCESS_DENIED', {
      aws: aws(
        'AccessDeniedException',
        'User: arn:aws:sts::444455556666:assumed-role/r/keyward-acme is not authorized to perform: kms:Decrypt',
      ),
    });
    const outcome = awsOutcome(error, () => 'KW_CHECK_KEY_POLICY_MISSING_ROLE', 'Decrypt', true);
    expect(outcome.message).toContain('is not authorized to perform: kms:Decrypt');
    expect(outcome.aws).toEqual({ errorName: 'AccessDeniedException', requestId: 'r-1' });
  });

  it("does not quote the platform's own network failures (hosts, ports) to the customer", () => {
    const error = new KeywardError('KW_AWS_UNAVAILABLE', {
      aws: aws('TimeoutError', 'connect ETIMEDOUT 10.0.3.7:443'),
    });
    const outcome = awsOutcome(error, () => 'KW_CHECK_AWS_UNAVAILABLE', 'AssumeRole', true);
    expect(outcome.message).not.toContain('10.0.3.7');
    expect(outcome.message).toContain('TimeoutError');
  });

  it('quotes AWS for every code the catalogue shows, and for none it redacts', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
      const error = new KeywardError(code as ErrorCode, { aws: aws('SomeError', 'AWS words: 10.0.3.7:443') });
      const outcome = awsOutcome(error, () => 'KW_CHECK_UNEXPECTED', 'Decrypt', true);
      expect(outcome.message?.includes('AWS words'), code).toBe(!entry.redacted);
    }
  });
});
