import type { KmsKeyDescription } from '../../aws/ports.js';
import { sessionTarget } from './session-target.js';
import type { DiagnosisCode } from '../diagnoses.js';
import { awsOutcome, kmsDiagnosis } from './classify.js';
import { testContext } from './tenant-context.js';
import type { Check, CheckState, OnboardingDeps, OnboardingSubject, Outcome } from './types.js';

/** What the key's metadata says, in the order a customer would fix it. */
function judge(key: KmsKeyDescription): Outcome {
  const stop = true;
  if (key.keyManager === 'AWS')
    return { code: 'KW_CHECK_AWS_MANAGED_KEY', message: `${key.keyArn} is managed by AWS.`, stop };
  if (key.keyState === 'PendingDeletion' || key.keyState === 'PendingReplicaDeletion') {
    const when = key.deletionDate === undefined ? 'soon' : `on ${key.deletionDate.toISOString()}`;
    return {
      code: 'KW_CHECK_KEY_PENDING_DELETION',
      message: `${key.keyArn} is scheduled for deletion ${when}.`,
      stop,
    };
  }
  if (key.keyState === 'Disabled')
    return { code: 'KW_CHECK_KEY_DISABLED', message: `${key.keyArn} is disabled.`, stop };
  if (key.keyState !== 'Enabled')
    return { code: 'KW_CHECK_KEY_STATE', message: `${key.keyArn} is in state ${key.keyState}.`, stop };
  if (key.keySpec !== 'SYMMETRIC_DEFAULT')
    return { code: 'KW_CHECK_KEY_SPEC', message: `${key.keyArn} has key spec ${key.keySpec}.`, stop };
  if (key.keyUsage !== 'ENCRYPT_DECRYPT')
    return { code: 'KW_CHECK_KEY_USAGE', message: `${key.keyArn} has key usage ${key.keyUsage}.`, stop };
  if (key.multiRegion)
    return {
      code: 'KW_CHECK_KEY_MULTI_REGION',
      message: `${key.keyArn} is enabled and symmetric, and it is a multi-Region key.`,
    };
  return {
    code: 'KW_CHECK_KEY_USABLE',
    message: `${key.keyArn} is Enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT and customer managed.`,
  };
}

/**
 * DescribeKey refused by policy while GenerateDataKey works for this tenant's context and is refused
 * for another tenant's: an encryption-context condition is at work, and it covers DescribeKey too
 * (which carries no context). If both contexts work, the policy simply lacks kms:DescribeKey.
 */
async function generates(
  subject: OnboardingSubject,
  deps: OnboardingDeps,
  state: CheckState,
  tenantId: string,
): Promise<boolean> {
  try {
    const out = await deps.kms.generateDataKey(sessionTarget(state), {
      keyId: subject.keyArn,
      encryptionContext: testContext(tenantId),
    });
    out.plaintext.fill(0);
    return true;
  } catch {
    return false;
  }
}

async function conditionOnDescribe(
  subject: OnboardingSubject,
  deps: OnboardingDeps,
  state: CheckState,
): Promise<boolean> {
  return (
    (await generates(subject, deps, state, subject.tenantId)) &&
    !(await generates(subject, deps, state, OTHER_TENANT))
  );
}

/** A tenant ID no tenant has (tenant IDs start with a letter or digit). */
const OTHER_TENANT = '0-keyward-other-tenant-probe';

const POLICY_CODES: readonly DiagnosisCode[] = [
  'KW_CHECK_KEY_POLICY_MISSING_ROLE',
  'KW_CHECK_PERMISSIONS_MISSING_ACTION',
];

export const describeKeyCheck: Check = {
  id: 'describe-key',
  title: 'The key: exists, enabled, symmetric, customer managed',
  async run(subject, deps, state): Promise<Outcome> {
    let key: KmsKeyDescription;
    try {
      key = await deps.kms.describeKey(sessionTarget(state), { keyId: subject.keyArn });
    } catch (error) {
      const outcome = awsOutcome(error, kmsDiagnosis, `DescribeKey on ${subject.keyArn} as the role`, true);
      if (POLICY_CODES.includes(outcome.code) && (await conditionOnDescribe(subject, deps, state))) {
        return { ...outcome, code: 'KW_CHECK_CONTEXT_CONDITION_ON_DESCRIBE', stop: false };
      }
      return outcome;
    }
    return judge(key);
  },
};
