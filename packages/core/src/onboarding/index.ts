export {
  generateExternalId,
  isValidExternalId,
  issueExternalId,
  regenerateExternalId,
  EXTERNAL_ID_PATTERN,
  EXTERNAL_ID_PREFIX,
  REGENERATED_NOTICE,
} from './external-id.js';
export {
  platformIdentity,
  kitValues,
  roleIdentity,
  DEFAULT_ROLE_NAME,
  type PlatformIdentity,
  type KitInput,
  type KitValues,
} from './kit-input.js';
export {
  trustPolicy,
  permissionsPolicy,
  keyPolicyStatement,
  hardenedKeyPolicyStatements,
  hardenedPermissionsPolicy,
  serviceRolePolicy,
  serviceRolePolicies,
  INLINE_POLICY_MAX_CHARS,
  KEY_ACTIONS,
  CONTEXT_ACTIONS,
  KEY_POLICY_WARNING,
  TENANT_CONTEXT_KEY,
  type PolicyDocument,
  type PolicyStatement,
} from './policies.js';
export { cliChecks } from './cli-checks.js';
export { cloudFormationTemplate } from './cloudformation.js';
export { terraformSnippet } from './terraform.js';
export { setupGuide } from './guide.js';
export { buildSetupKit, type SetupKit } from './kit.js';
export { DIAGNOSES, type Diagnosis, type DiagnosisCode, type Artifact } from './diagnoses.js';
export { runOnboardingChecks, runCheck, CHECKS } from './run-checks.js';
export { SUPPORTED_PARTITIONS } from './checks/arn-syntax.js';
export type { CheckId, CheckResult, CheckReport, OnboardingSubject, OnboardingDeps } from './checks/types.js';
export {
  reviewPolicies,
  type PolicyReviewInput,
  type ReviewFinding,
  type ReviewId,
} from './policy-review.js';
