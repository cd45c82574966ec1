import { systemClock } from '../clock.js';
import { arnSyntaxCheck } from './checks/arn-syntax.js';
import { assumeRoleCheck } from './checks/assume-role.js';
import { describeKeyCheck } from './checks/describe-key.js';
import { externalIdRequiredCheck } from './checks/external-id-required.js';
import { reEncryptCheck } from './checks/reencrypt.js';
import { roundTripCheck } from './checks/round-trip.js';
import type {
  Check,
  CheckId,
  CheckReport,
  CheckResult,
  CheckState,
  OnboardingDeps,
  OnboardingSubject,
  Outcome,
} from './checks/types.js';
import { DIAGNOSES } from './diagnoses.js';
import { remediationFor } from './remediation.js';

/** The checks of the onboarding test, in order (ARCHITECTURE §4). */
export const CHECKS: readonly Check[] = [
  arnSyntaxCheck,
  assumeRoleCheck,
  externalIdRequiredCheck,
  describeKeyCheck,
  roundTripCheck,
  reEncryptCheck,
];

function result(check: Check, outcome: Outcome, subject: OnboardingSubject, durationMs: number): CheckResult {
  const diagnosis = DIAGNOSES[outcome.code];
  return {
    id: check.id,
    title: check.title,
    status: diagnosis.status,
    durationMs,
    code: outcome.code,
    message: outcome.message === undefined ? diagnosis.summary : `${diagnosis.summary} ${outcome.message}`,
    remediation:
      outcome.remediation !== undefined
        ? outcome.remediation
        : diagnosis.status === 'pass'
          ? null
          : remediationFor(outcome.code, subject),
    artifact: diagnosis.artifact,
    step: diagnosis.step,
    retryable: diagnosis.retryable,
    ...(outcome.aws === undefined ? {} : { aws: outcome.aws }),
  };
}

/**
 * Runs the checks in order. A check that makes the later ones meaningless (no session, no key)
 * stops the run; the rest are reported as skipped. `onResult` sees each result as it is known,
 * so a console can show the checks as they run.
 */
export async function runOnboardingChecks(
  subject: OnboardingSubject,
  deps: OnboardingDeps,
  onResult?: (result: CheckResult) => void,
): Promise<CheckReport> {
  const clock = deps.clock ?? systemClock;
  const started = clock.now();
  const state: CheckState = {};
  const results: CheckResult[] = [];
  let stopped = false;
  for (const check of CHECKS) {
    const begin = clock.now();
    const outcome: Outcome = stopped ? { code: 'KW_CHECK_SKIPPED' } : await check.run(subject, deps, state);
    const entry = result(check, outcome, subject, stopped ? 0 : clock.now() - begin);
    results.push(entry);
    onResult?.(entry);
    stopped ||= outcome.stop === true;
  }
  return {
    ok: results.every((entry) => entry.status !== 'fail'),
    tenantId: subject.tenantId,
    roleArn: subject.roleArn,
    keyArn: subject.keyArn,
    startedAt: new Date(started).toISOString(),
    durationMs: clock.now() - started,
    results,
  };
}

/**
 * One check on its own, with the state the earlier checks would have left (`keyward verify` uses
 * it to describe the key with the caller's own credentials when the role is not theirs to assume).
 */
export async function runCheck(
  id: CheckId,
  subject: OnboardingSubject,
  deps: OnboardingDeps,
  state: CheckState = {},
): Promise<CheckResult> {
  const check = CHECKS.find((candidate) => candidate.id === id)!;
  const clock = deps.clock ?? systemClock;
  const begin = clock.now();
  return result(check, await check.run(subject, deps, state), subject, clock.now() - begin);
}
