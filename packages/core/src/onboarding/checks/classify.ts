import { isKeywardError, isRedacted, type KeywardError } from '../../errors.js';
import type { DiagnosisCode } from '../diagnoses.js';
import type { Outcome } from './types.js';

/** What a KMS refusal tells, from AWS's own wording ("because no resource-based policy allows …"). */
export function kmsDiagnosis(error: KeywardError): DiagnosisCode {
  switch (error.code) {
    case 'KW_KMS_ACCESS_DENIED': {
      // AWS names the policy type in its message; anything unrecognised is reported as it is.
      const said = error.aws?.awsMessage ?? '';
      if (/explicit deny in an? identity-based policy/i.test(said))
        return 'KW_CHECK_EXPLICIT_DENY_IN_PERMISSIONS';
      if (/explicit deny/i.test(said)) return 'KW_CHECK_EXPLICIT_DENY';
      if (/no identity-based policy/i.test(said)) return 'KW_CHECK_PERMISSIONS_MISSING_ACTION';
      if (/no resource-based policy/i.test(said)) return 'KW_CHECK_KEY_POLICY_MISSING_ROLE';
      if (/no (permissions boundary|service control policy|session policy)/i.test(said))
        return 'KW_CHECK_GUARDRAIL_DENIES';
      return 'KW_CHECK_UNEXPECTED';
    }
    case 'KW_KMS_KEY_NOT_FOUND':
      return 'KW_CHECK_KEY_NOT_FOUND';
    case 'KW_KMS_KEY_DISABLED':
      return 'KW_CHECK_KEY_DISABLED';
    case 'KW_KMS_KEY_PENDING_DELETION':
      return 'KW_CHECK_KEY_PENDING_DELETION';
    case 'KW_KMS_KEY_INVALID_STATE':
      return 'KW_CHECK_KEY_STATE';
    case 'KW_KMS_INVALID_KEY_USAGE':
      return 'KW_CHECK_KEY_USAGE';
    case 'KW_INVALID_ARN':
      return 'KW_CHECK_KEY_ARN_INVALID';
    default:
      return sharedDiagnosis(error) ?? 'KW_CHECK_UNEXPECTED';
  }
}

export function stsDiagnosis(error: KeywardError): DiagnosisCode {
  if (error.code === 'KW_STS_ACCESS_DENIED') return 'KW_CHECK_ASSUME_ROLE_DENIED';
  if (error.code === 'KW_STS_REGION_DISABLED') return 'KW_CHECK_STS_REGION_DISABLED';
  if (error.code === 'KW_AWS_CREDENTIALS_INVALID') return 'KW_CHECK_PLATFORM_CREDENTIALS';
  return sharedDiagnosis(error) ?? 'KW_CHECK_UNEXPECTED';
}

function sharedDiagnosis(error: KeywardError): DiagnosisCode | undefined {
  return error.category === 'unavailable' ? 'KW_CHECK_AWS_UNAVAILABLE' : undefined;
}

/** An outcome for a failed AWS call: the diagnosis, and AWS's words and request id as observed. */
export function awsOutcome(
  error: unknown,
  diagnose: (error: KeywardError) => DiagnosisCode,
  what: string,
  stop: boolean,
): Outcome {
  if (!isKeywardError(error)) throw error;
  const code = diagnose(error);
  // AWS's words name the customer's key or role in a refusal; in an outage or a platform-side
  // failure (the errors the catalogue redacts) they describe the platform's network and endpoints,
  // which the report does not show.
  const said =
    error.aws === undefined || isRedacted(error)
      ? `${error.aws?.errorName ?? error.code}: ${error.message}`
      : `${error.aws.errorName}: ${error.aws.awsMessage ?? error.message}`;
  return {
    code,
    message: `${what} failed. AWS said: ${said}`,
    ...(error.aws === undefined
      ? {}
      : {
          aws: {
            errorName: error.aws.errorName,
            ...(error.aws.requestId === undefined ? {} : { requestId: error.aws.requestId }),
          },
        }),
    stop,
  };
}
