import { roleSessionNameFor } from '../keys/customer-kms-root-key.js';
import { cliChecks } from './cli-checks.js';
import { cloudFormationTemplate } from './cloudformation.js';
import { setupGuide } from './guide.js';
import { kitValues, type KitInput, type KitValues } from './kit-input.js';
import {
  hardenedKeyPolicyStatements,
  hardenedPermissionsPolicy,
  KEY_POLICY_WARNING,
  keyPolicyStatement,
  permissionsPolicy,
  trustPolicy,
  type PolicyDocument,
  type PolicyStatement,
} from './policies.js';
import { terraformSnippet } from './terraform.js';

/** Everything a tenant needs to set up BYOK, generated from the platform's and the tenant's values. */
export interface SetupKit {
  values: KitValues;
  trustPolicy: PolicyDocument;
  permissionsPolicy: PolicyDocument;
  keyPolicyStatement: PolicyStatement;
  keyPolicyWarning: string;
  hardening: {
    keyPolicyStatements: PolicyStatement[];
    permissionsPolicy: PolicyDocument;
    roleSessionName: string;
    note: string;
  };
  cliChecks: { assumeRole: string; describeKey: string; script: string };
  cloudFormation: string;
  terraform: string;
  guide: string;
}

export function buildSetupKit(input: KitInput): SetupKit {
  const values = kitValues(input);
  return {
    values,
    trustPolicy: trustPolicy(values.serviceRoleArn, values.externalId),
    permissionsPolicy: permissionsPolicy(values.keyArn),
    keyPolicyStatement: keyPolicyStatement(values.roleArn),
    keyPolicyWarning: KEY_POLICY_WARNING,
    hardening: {
      keyPolicyStatements: hardenedKeyPolicyStatements(values.roleArn, values.tenantId),
      permissionsPolicy: hardenedPermissionsPolicy(values.keyArn, values.tenantId),
      roleSessionName: roleSessionNameFor(values.tenantId),
      note: `Every KMS call for this tenant carries the encryption context keyward:tenant=${values.tenantId} and comes from the role session ${roleSessionNameFor(values.tenantId)}; the hardened statements allow the cryptographic actions only with that context. The platform does not set a SourceIdentity, so the trust policy needs no sts:SetSourceIdentity and must not require sts:SourceIdentity.`,
    },
    cliChecks: cliChecks(values),
    cloudFormation: cloudFormationTemplate(values),
    terraform: terraformSnippet(values),
    guide: setupGuide(values),
  };
}
