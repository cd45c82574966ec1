import type { KitValues } from './kit-input.js';
import { keyPolicyStatement, permissionsPolicy, trustPolicy } from './policies.js';

/** Escapes what Terraform would interpolate in a heredoc: `${` and `%{` become literal. */
// In a replacement string `$$` means one `$`, so '$$$${' writes `$${`.
const literal = (text: string): string => text.replace(/\$\{/g, '$$$${').replace(/%\{/g, '%%{');

/**
 * A JSON document as a Terraform heredoc. The document is built with unique sentinel strings where
 * references go, so a value that happens to equal another field (an External ID "sts:AssumeRole")
 * cannot be mistaken for it; everything else is escaped so Terraform never interpolates it.
 */
function heredoc(json: unknown, references: Record<string, string>): string {
  let text = literal(JSON.stringify(json, null, 2));
  // jsonencode() quotes and escapes the value as JSON, whatever characters an ARN or ID holds.
  for (const [sentinel, reference] of Object.entries(references))
    text = text.split(JSON.stringify(literal(sentinel))).join(`\${jsonencode(${reference})}`);
  return `<<-POLICY\n${text}\n  POLICY`;
}

const SENTINEL = {
  externalId: '\u0000keyward-external-id\u0000',
  keyArn: '\u0000keyward-kms-key-arn\u0000',
  roleArn: '\u0000keyward-role-arn\u0000',
};

/** An HCL string: JSON quoting, with interpolation sequences made literal. */
const quote = (value: string): string => literal(JSON.stringify(value));

/**
 * A Terraform snippet: variables (defaulting to this tenant's values), the role with its trust
 * policy, its permissions policy, and the key policy statement as a local value to merge into the
 * key's policy (Terraform manages a key policy as a whole, so it cannot add one statement alone).
 */
export function terraformSnippet(values: KitValues): string {
  const refs = { [SENTINEL.externalId]: 'var.keyward_external_id', [SENTINEL.keyArn]: 'var.kms_key_arn' };
  const roleRef = { [SENTINEL.roleArn]: 'aws_iam_role.keyward_byok.arn' };
  return `# Keyward BYOK setup for tenant ${values.tenantId}.
variable "kms_key_arn" {
  description = "ARN of your KMS key (a key ARN, not an alias)"
  type        = string
  default     = ${quote(values.keyArn)}
}

variable "keyward_external_id" {
  description = "The External ID Keyward issued for your tenant"
  type        = string
  default     = ${quote(values.externalId)}
}

resource "aws_iam_role" "keyward_byok" {
  name               = ${quote(values.roleName)}
  path               = ${quote(values.rolePath)}
  description        = ${quote(`Lets Keyward use the BYOK key for tenant ${values.tenantId}`)}
  assume_role_policy = ${heredoc(trustPolicy(values.serviceRoleArn, SENTINEL.externalId), refs)}
}

resource "aws_iam_role_policy" "keyward_byok_key_access" {
  name   = "keyward-byok-key-access"
  role   = aws_iam_role.keyward_byok.id
  policy = ${heredoc(permissionsPolicy(SENTINEL.keyArn), refs)}
}

# Add this statement to your key's policy (for example in the "policy" of your aws_kms_key or
# aws_kms_key_policy), next to the statements that keep your administrators in control of the key.
locals {
  keyward_key_policy_statement = ${heredoc(keyPolicyStatement(SENTINEL.roleArn), roleRef)}
}

output "keyward_role_arn" {
  description = "Give this Role ARN to the platform"
  value       = aws_iam_role.keyward_byok.arn
}
`;
}
