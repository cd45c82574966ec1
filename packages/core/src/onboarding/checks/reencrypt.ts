import { isKeywardError } from '../../errors.js';
import { awsOutcome, kmsDiagnosis } from './classify.js';
import { sessionTarget } from './session-target.js';
import { testContext } from './tenant-context.js';
import type { Check, Outcome } from './types.js';

/** ReEncrypt under the same key: only a warning if refused, because the data plane can do without it. */
export const reEncryptCheck: Check = {
  id: 'reencrypt',
  title: 'ReEncrypt permission (optional)',
  async run(subject, deps, state): Promise<Outcome> {
    const context = testContext(subject.tenantId);
    try {
      await deps.kms.reEncrypt(sessionTarget(state), {
        ciphertextBlob: state.blob!,
        sourceKeyId: subject.keyArn,
        destinationKeyId: subject.keyArn,
        sourceEncryptionContext: context,
        destinationEncryptionContext: context,
      });
      return { code: 'KW_CHECK_REENCRYPT_OK', message: 'ReEncrypt under the same key worked.' };
    } catch (error) {
      if (isKeywardError(error, 'KW_KMS_ACCESS_DENIED'))
        return { ...awsOutcome(error, kmsDiagnosis, 'ReEncrypt', false), code: 'KW_CHECK_REENCRYPT_DENIED' };
      return awsOutcome(error, kmsDiagnosis, 'ReEncrypt', false);
    }
  },
};
