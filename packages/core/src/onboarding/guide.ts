import { cliChecks } from './cli-checks.js';
import { PLACEHOLDER_ACCOUNT, PLACEHOLDER_KEY_ID, PLACEHOLDER_REGION, type KitValues } from './kit-input.js';
import { roleSessionNameFor } from '../keys/customer-kms-root-key.js';
import {
  hardenedKeyPolicyStatements,
  hardenedPermissionsPolicy,
  KEY_POLICY_WARNING,
  keyPolicyStatement,
  permissionsPolicy,
  trustPolicy,
} from './policies.js';

const json = (value: unknown): string => `\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``;

/**
 * The customer's step-by-step guide in Markdown, in the order of the six setup steps, with every
 * value filled in. Section anchors (#step-1 … #step-6) are what check remediations link to.
 */
export function setupGuide(values: KitValues): string {
  const checks = cliChecks(values);
  const missing = [PLACEHOLDER_ACCOUNT, PLACEHOLDER_REGION, PLACEHOLDER_KEY_ID].filter((placeholder) =>
    `${values.roleArn} ${values.keyArn}`.includes(placeholder),
  );
  const placeholderNote =
    missing.length > 0
      ? `\n> Values in CAPITALS (${missing.join(', ')}) are placeholders until you tell the platform your Role ARN and CMK ARN; the kit is then generated again with them filled in.\n`
      : '';
  return `# Bring your own key: setup for tenant \`${values.tenantId}\`
${placeholderNote}
Your data on the platform is encrypted with keys that only your AWS KMS key (CMK) can unwrap. You
keep control: disable the key or change its policy, and the platform can no longer read your data.

<a id="step-1"></a>
## Step 1: Copy the two values the platform shows you

| Value | |
|---|---|
| **Service Role ARN** (the platform's identity) | \`${values.serviceRoleArn}\` |
| **External ID** (unique to your tenant) | \`${values.externalId}\` |

<a id="step-2"></a>
## Step 2: Create or choose a KMS key (CMK)

In the KMS console of your account, in the region where you want the key, create a **symmetric**
key (key spec \`SYMMETRIC_DEFAULT\`, usage \`ENCRYPT_DECRYPT\`), or choose an existing customer
managed key. Note its **key ARN** (not an alias): \`${values.keyArn}\`.

<a id="step-3"></a>
## Step 3: Create the IAM role and allow it in the key policy

Create the role \`${values.roleName}\` (the CloudFormation template and Terraform snippet in this kit
do this for you) with this **trust policy**: only the platform's Service Role, and only with your
External ID.

${json(trustPolicy(values.serviceRoleArn, values.externalId))}

Attach this **permissions policy** to the role:

${json(permissionsPolicy(values.keyArn))}

Then add this **key policy statement** to the CMK's key policy. ${KEY_POLICY_WARNING}

${json(keyPolicyStatement(values.roleArn))}

**Optional hardening.** To let the role use the key only for this tenant, use these two statements
instead of the one above: every call the platform makes for you carries the encryption context
\`keyward:tenant = ${values.tenantId}\`, visible in your CloudTrail.

${json(hardenedKeyPolicyStatements(values.roleArn, values.tenantId))}

and this permissions policy instead of the one above:

${json(hardenedPermissionsPolicy(values.keyArn, values.tenantId))}

The platform names its sessions \`${roleSessionNameFor(values.tenantId)}\`, so CloudTrail shows
\`assumed-role/${values.roleName}/${roleSessionNameFor(values.tenantId)}\` for every call made for you. The
platform does not set a SourceIdentity: do not require one in the trust policy.

<a id="step-4"></a>
## Step 4: Check it with the AWS CLI (optional)

These are the calls the platform's Test makes: assume the role with the External ID, then
describe the key **as the role**. Run them as the platform's Service Role, the only principal your
trust policy allows:

\`\`\`bash
${checks.script}
\`\`\`

<a id="step-5"></a>
## Step 5: The platform allows its Service Role to assume your role

Nothing to do on your side: when you register your Role ARN, the platform adds it to its Service
Role's policy itself (no support ticket).

<a id="step-6"></a>
## Step 6: Give the platform your Role ARN and CMK ARN, test, and enable

| Value | |
|---|---|
| **Role ARN** | \`${values.roleArn}\` |
| **CMK ARN** | \`${values.keyArn}\` |

Press **Test**. Each check says what it found and, if something is wrong, which policy to fix and
in which step. When every check passes, **Enable** BYOK.
`;
}
