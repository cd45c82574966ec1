import { roleSessionNameFor } from '../../keys/customer-kms-root-key.js';
import { awsOutcome, stsDiagnosis } from './classify.js';
import type { Check, Outcome } from './types.js';

/** AssumeRole as the data plane does: the tenant's External ID and session name. */
export const assumeRoleCheck: Check = {
  id: 'assume-role',
  title: 'Assume the role with the External ID',
  async run(subject, deps, state): Promise<Outcome> {
    if (deps.platformAllows !== undefined && !(await deps.platformAllows(subject.roleArn))) {
      return {
        code: 'KW_CHECK_PLATFORM_POLICY_MISSING_ROLE',
        message: `The platform's Service Role policy does not list ${subject.roleArn}.`,
        stop: true,
      };
    }
    try {
      const session = await deps.sts.assumeRole({
        roleArn: subject.roleArn,
        externalId: subject.externalId,
        roleSessionName: roleSessionNameFor(subject.tenantId),
        durationSeconds: 900,
      });
      state.session = session;
      return {
        code: 'KW_CHECK_ROLE_ASSUMED',
        message: `Assumed ${subject.roleArn} as ${session.assumedRoleArn}.`,
      };
    } catch (error) {
      return awsOutcome(
        error,
        stsDiagnosis,
        `AssumeRole on ${subject.roleArn} with External ID ${subject.externalId}`,
        true,
      );
    }
  },
};
