import type { KmsPort, StsPort, AwsCredentials } from '../../aws/ports.js';
import type { Clock } from '../../clock.js';
import type { Artifact, DiagnosisCode } from '../diagnoses.js';
import type { PlatformIdentity } from '../kit-input.js';

export type CheckId =
  'arn-syntax' | 'assume-role' | 'external-id-required' | 'describe-key' | 'round-trip' | 'reencrypt';

export interface CheckResult {
  id: CheckId;
  title: string;
  status: 'pass' | 'fail' | 'warn' | 'skipped';
  durationMs: number;
  code: DiagnosisCode;
  /** What was observed, in words, with AWS's own error where there was one. */
  message: string;
  /** What to change, naming the artifact and the guide step; null when nothing is to be fixed. */
  remediation: string | null;
  artifact: Artifact | null;
  step: number | null;
  retryable: boolean;
  /** AWS's error name and request id, when AWS answered with an error. */
  aws?: { errorName: string; requestId?: string };
}

export interface CheckReport {
  ok: boolean;
  tenantId: string;
  roleArn: string;
  keyArn: string;
  startedAt: string;
  durationMs: number;
  results: CheckResult[];
}

/** What the test is about. */
export interface OnboardingSubject {
  platform: PlatformIdentity;
  tenantId: string;
  externalId: string;
  roleArn: string;
  keyArn: string;
}

export interface OnboardingDeps {
  sts: StsPort;
  kms: KmsPort;
  clock?: Clock;
  /**
   * The tenant that already registered this role, if any (the server asks its store). It is asked
   * with `roleIdentity(arn)` (account and lower-cased name), because IAM role names are
   * case-insensitive and the path is not part of a role's identity.
   */
  roleOwner?: (roleIdentity: string) => Promise<string | null | undefined>;
  /**
   * Whether the platform's Service Role policy (step 5) covers this role. Keyward writes that policy
   * itself; without this, a refusal caused by the platform side would be blamed on the trust policy.
   */
  platformAllows?: (roleArn: string) => boolean | Promise<boolean>;
}

/** State the checks hand on to later ones. */
export interface CheckState {
  region?: string;
  session?: AwsCredentials;
  /** The data key the round trip made, for the ReEncrypt check. */
  blob?: Uint8Array;
}

/** What a check returns before the runner adds its id, title and duration. */
export interface Outcome {
  code: DiagnosisCode;
  message?: string;
  remediation?: string | null;
  aws?: { errorName: string; requestId?: string };
  /** True when later checks can tell nothing after this one (the runner skips them). */
  stop?: boolean;
}

export interface Check {
  id: CheckId;
  title: string;
  run(subject: OnboardingSubject, deps: OnboardingDeps, state: CheckState): Promise<Outcome>;
}
