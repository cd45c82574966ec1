import { isKeywardError } from '../../errors.js';
import { awsOutcome, stsDiagnosis } from './classify.js';
import type { Check, Outcome } from './types.js';

/** An External ID no tenant is ever issued (issued ones are kw- and 32 base32 characters). */
export const WRONG_EXTERNAL_ID = 'kw-confused-deputy-probe';

/**
 * The confused-deputy guard: the role must refuse the platform without the External ID and with a
 * wrong one. If either works, anyone who can get the platform to act for them could use the key.
 */
export const externalIdRequiredCheck: Check = {
  id: 'external-id-required',
  title: 'The role requires the External ID',
  async run(subject, deps): Promise<Outcome> {
    const probes: Array<[string | undefined, 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED' | 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED', string]> = [
      [undefined, 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED', 'without an External ID'],
      [WRONG_EXTERNAL_ID, 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED', `with the wrong External ID ${WRONG_EXTERNAL_ID}`],
    ];
    for (const [externalId, insecure, how] of probes) {
      try {
        await deps.sts.assumeRole({ roleArn: subject.roleArn, roleSessionName: 'keyward-confused-deputy-probe', durationSeconds: 900, ...(externalId === undefined ? {} : { externalId }) });
        return { code: insecure, message: `The platform assumed ${subject.roleArn} ${how}.` };
      } catch (error) {
        if (isKeywardError(error, 'KW_STS_ACCESS_DENIED')) continue;
        return awsOutcome(error, stsDiagnosis, `AssumeRole ${how}`, false);
      }
    }
    return { code: 'KW_CHECK_EXTERNAL_ID_ENFORCED', message: 'AssumeRole without the External ID and with a wrong one were both refused.' };
  },
};
