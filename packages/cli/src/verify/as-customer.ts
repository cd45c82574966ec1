import {
  runCheck,
  type CheckReport,
  type CheckResult,
  type KmsPort,
  type OnboardingSubject,
  type ReviewFinding,
} from '@keyward/core';
import type { Caller } from './aws-access.js';

/** A refusal of DescribeKey to the caller: about their own permissions, not the role's. */
const REFUSALS = new Set([
  'KW_CHECK_KEY_POLICY_MISSING_ROLE',
  'KW_CHECK_PERMISSIONS_MISSING_ACTION',
  'KW_CHECK_EXPLICIT_DENY',
  'KW_CHECK_EXPLICIT_DENY_IN_PERMISSIONS',
  'KW_CHECK_GUARDRAIL_DENIES',
  'KW_CHECK_CONTEXT_CONDITION_ON_DESCRIBE',
  'KW_CHECK_UNEXPECTED',
]);

interface CustomerView {
  caller: Caller;
  serviceRoleArn: string;
  subject: OnboardingSubject;
  kms: KmsPort;
  review: ReviewFinding[];
  roleMissing: boolean;
}

/**
 * The live checks as seen by someone the trust policy does not trust. AssumeRole refused is what a
 * correct setup does for them, so it is not a failure, unless the role is missing or the review
 * finds the trust policy wrong for the platform too. The key is described with their own
 * credentials instead of the role's. A role that let them in anyway was checked in full.
 */
export async function asCustomer(live: CheckReport, view: CustomerView): Promise<CheckResult[]> {
  const assume = live.results.find((result) => result.id === 'assume-role');
  if (assume?.code !== 'KW_CHECK_ASSUME_ROLE_DENIED') return live.results;
  const trustWrong = view.review.some(
    (finding) => finding.id === 'trust-principal' && finding.status === 'fail',
  );
  const described = await describeAsCaller(view);
  return live.results.map((result) => {
    if (result.id === 'assume-role') {
      if (view.roleMissing || trustWrong) return result;
      return {
        ...result,
        status: 'skipped',
        message: `AWS refused the role to you (${view.caller.arn}), as it should: the trust policy must trust only the platform's Service Role ${view.serviceRoleArn}. The platform's Test makes this call; the role's and key's documents were reviewed instead (below).`,
        remediation: null,
        artifact: null,
        step: null,
      };
    }
    if (result.id === 'describe-key') return described;
    if (result.status === 'skipped')
      return { ...result, message: "Needs the role's session: the platform's Test does this." };
    return result;
  });
}

/** DescribeKey with the caller's credentials; GenerateDataKey is never tried as them (the check's probe is switched off). */
async function describeAsCaller(view: CustomerView): Promise<CheckResult> {
  const noProbe: KmsPort = {
    ...bind(view.kms),
    generateDataKey: () => Promise.reject(new Error('not tried as the caller')),
  };
  const region = view.subject.keyArn.split(':')[3]!;
  const result = await runCheck(
    'describe-key',
    view.subject,
    { sts: undefined as never, kms: noProbe },
    { region },
  );
  if (result.status === 'fail' && REFUSALS.has(result.code)) {
    return {
      ...result,
      status: 'skipped',
      message: `Your credentials may not call kms:DescribeKey on the key (${result.aws?.errorName ?? 'refused'}); the platform's Test describes it as the role.`,
      remediation: null,
      artifact: null,
      step: null,
    };
  }
  return { ...result, message: `${result.message} (described with your credentials)` };
}

/** The port's methods bound to it, so that one can be replaced. */
function bind(kms: KmsPort): KmsPort {
  return {
    generateDataKey: kms.generateDataKey.bind(kms),
    encrypt: kms.encrypt.bind(kms),
    decrypt: kms.decrypt.bind(kms),
    describeKey: kms.describeKey.bind(kms),
    reEncrypt: kms.reEncrypt.bind(kms),
  };
}
