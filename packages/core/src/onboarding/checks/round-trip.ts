import { timingSafeEqual } from 'node:crypto';
import { sessionTarget } from './session-target.js';
import type { KeywardError } from '../../errors.js';
import type { DiagnosisCode } from '../diagnoses.js';
import { awsOutcome, kmsDiagnosis } from './classify.js';
import { testContext } from './tenant-context.js';
import type { Check, Outcome } from './types.js';

/** After DescribeKey worked, a policy refusal means the statement lacks the action or its context condition does not match. */
function useDiagnosis(error: KeywardError): DiagnosisCode {
  const code = kmsDiagnosis(error);
  if (code === 'KW_CHECK_KEY_POLICY_MISSING_ROLE') return 'KW_CHECK_KEY_POLICY_DENIES_USE';
  if (code === 'KW_CHECK_PERMISSIONS_MISSING_ACTION') return 'KW_CHECK_PERMISSIONS_DENY_USE';
  return code;
}

/** GenerateDataKey, then Decrypt, with the tenant's encryption context: the data plane's two calls. */
export const roundTripCheck: Check = {
  id: 'round-trip',
  title: "GenerateDataKey and Decrypt with the tenant's encryption context",
  async run(subject, deps, state): Promise<Outcome> {
    const context = testContext(subject.tenantId);
    let generated;
    try {
      generated = await deps.kms.generateDataKey(sessionTarget(state), {
        keyId: subject.keyArn,
        encryptionContext: context,
      });
    } catch (error) {
      return awsOutcome(
        error,
        useDiagnosis,
        `GenerateDataKey with encryption context ${JSON.stringify(context)}`,
        true,
      );
    }
    try {
      const decrypted = await deps.kms.decrypt(sessionTarget(state), {
        keyId: subject.keyArn,
        ciphertextBlob: generated.ciphertextBlob,
        encryptionContext: context,
      });
      const same =
        decrypted.plaintext.length === generated.plaintext.length &&
        timingSafeEqual(decrypted.plaintext, generated.plaintext);
      decrypted.plaintext.fill(0);
      if (!same)
        return {
          code: 'KW_CHECK_ROUND_TRIP_MISMATCH',
          message: 'Decrypt returned other bytes than GenerateDataKey made.',
          stop: true,
        };
      state.blob = generated.ciphertextBlob;
      return {
        code: 'KW_CHECK_ROUND_TRIP_OK',
        message: `GenerateDataKey and Decrypt with ${JSON.stringify(context)} returned the same 256-bit key.`,
      };
    } catch (error) {
      return awsOutcome(
        error,
        useDiagnosis,
        `Decrypt with encryption context ${JSON.stringify(context)}`,
        true,
      );
    } finally {
      generated.plaintext.fill(0);
    }
  },
};
