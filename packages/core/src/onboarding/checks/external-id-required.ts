import { isKeywardError } from '../../errors.js';
import { roleSessionNameFor } from '../../keys/customer-kms-root-key.js';
import { generateExternalId } from '../external-id.js';
import { awsOutcome, stsDiagnosis } from './classify.js';
import type { Check, Outcome } from './types.js';

/**
 * The confused-deputy guard: the role must refuse the platform without the External ID and with a
 * wrong one. If either works, anyone who can get the platform to act for them could use the key.
 */
export const externalIdRequiredCheck: Check = {
  id: 'external-id-required',
  title: 'The role requires the External ID',
  async run(subject, deps): Promise<Outcome> {
    // Shaped like a real one (kw- and 32 base32 characters), so a pattern condition cannot tell it apart.
    const wrong = generateExternalId();
    const probes: Array<
      [
        string | undefined,
        'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED' | 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED',
        string,
      ]
    > = [
      [undefined, 'KW_CHECK_EXTERNAL_ID_NOT_REQUIRED', 'without an External ID'],
      [wrong, 'KW_CHECK_WRONG_EXTERNAL_ID_ACCEPTED', `with the wrong External ID ${wrong}`],
    ];
    for (const [externalId, insecure, how] of probes) {
      try {
        // The same session name as the data plane: a trust policy that conditions on it must not make the probe look refused.
        await deps.sts.assumeRole({
          roleArn: subject.roleArn,
          roleSessionName: roleSessionNameFor(subject.tenantId),
          durationSeconds: 900,
          ...(externalId === undefined ? {} : { externalId }),
        });
        return { code: insecure, message: `The platform assumed ${subject.roleArn} ${how}.` };
      } catch (error) {
        if (isKeywardError(error, 'KW_STS_ACCESS_DENIED')) continue;
        return awsOutcome(error, stsDiagnosis, `AssumeRole ${how}`, false);
      }
    }
    return {
      code: 'KW_CHECK_EXTERNAL_ID_ENFORCED',
      message: 'AssumeRole without the External ID and with a wrong one were both refused.',
    };
  },
};
