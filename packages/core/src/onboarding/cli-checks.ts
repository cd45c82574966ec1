import type { KitValues } from './kit-input.js';

/** Single-quotes a shell word (the values are ARNs and IDs, but a kit must be safe to paste). */
const sh = (value: string): string => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);

/**
 * Step 4 of the guide: the AWS CLI calls that prove the role and key work. They must run as a
 * principal the trust policy allows, which is the platform's Service Role: Keyward's Test makes
 * exactly these calls, and a customer can run them as-is in a shell holding that role's session.
 */
export function cliChecks(values: KitValues): { assumeRole: string; describeKey: string; script: string } {
  const assumeRole = [
    'aws sts assume-role',
    `--role-arn ${sh(values.roleArn)}`,
    `--role-session-name ${sh(`keyward-check-${values.tenantId}`)}`,
    `--external-id ${sh(values.externalId)}`,
  ].join(' \\\n  ');
  const describeKey = `aws kms describe-key --region ${sh(values.region)} --key-id ${sh(values.keyArn)}`;
  const script = [
    '# Run as the platform\'s Service Role (the only principal the trust policy allows).',
    '# 1. Assume the role with the External ID, as the platform will; keep the session credentials.',
    `CREDS=$(${assumeRole.replace(/\n {2}/g, '\n    ')} \\\n    --query Credentials --output json)`,
    'export AWS_ACCESS_KEY_ID=$(echo "$CREDS" | python3 -c \'import json,sys; print(json.load(sys.stdin)["AccessKeyId"])\')',
    'export AWS_SECRET_ACCESS_KEY=$(echo "$CREDS" | python3 -c \'import json,sys; print(json.load(sys.stdin)["SecretAccessKey"])\')',
    'export AWS_SESSION_TOKEN=$(echo "$CREDS" | python3 -c \'import json,sys; print(json.load(sys.stdin)["SessionToken"])\')',
    '# 2. With the session credentials, describe the key: it must be Enabled, SYMMETRIC_DEFAULT, ENCRYPT_DECRYPT.',
    describeKey,
  ].join('\n');
  return { assumeRole, describeKey, script };
}
