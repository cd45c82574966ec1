import { roleSessionNameFor } from '../keys/customer-kms-root-key.js';
import type { KitValues } from './kit-input.js';

/** Single-quotes a shell word (the values are ARNs and IDs, but a kit must be safe to paste). */
const sh = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * Step 4 of the guide: the AWS CLI calls that prove the role and key work. They must run as a
 * principal the trust policy allows, which is the platform's Service Role: Keyward's Test makes
 * exactly these calls, and a customer can run them as-is in a shell holding that role's session.
 * The script is bash (it reads the session with `<<<`).
 */
export function cliChecks(values: KitValues): { assumeRole: string; describeKey: string; script: string } {
  const assumeRole = [
    'aws sts assume-role',
    `--role-arn ${sh(values.roleArn)}`,
    `--role-session-name ${sh(roleSessionNameFor(values.tenantId))}`,
    `--external-id ${sh(values.externalId)}`,
  ].join(' \\\n  ');
  const describeKey = `aws kms describe-key --region ${sh(values.region)} --key-id ${sh(values.keyArn)}`;
  const script = [
    "# Run as the platform's Service Role (the only principal the trust policy allows).",
    '# 1. Assume the role with the External ID, as the platform will, and use the session from here on.',
    `read -r AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN <<< "$(${assumeRole.replace(/\n {2}/g, '\n    ')} \\\n    --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text)"`,
    'export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN',
    '# 2. As the role (never as yourself: stop if AssumeRole failed), describe the key: it must be Enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT.',
    `if [ -n "$AWS_SESSION_TOKEN" ]; then ${describeKey}; else echo 'AssumeRole failed: fix the trust policy (step 3) first.' >&2; fi`,
  ].join('\n');
  return { assumeRole, describeKey, script };
}
