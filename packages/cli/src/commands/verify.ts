import { Command } from 'commander';
import { heading, reportLines, verdict } from '../check-report.js';
import { dim, printJson, printLines, yellow } from '../output.js';
import type { VerifyReport } from '../verify/run-verify.js';
import { CHECK_FAILED } from './byok.js';

const HELP = `
Runs the onboarding checks of the console's Test against AWS (or --endpoint-url), signed with
your own credentials (the AWS SDK's default chain: AWS_PROFILE, AWS_ACCESS_KEY_ID…, SSO, instance
roles). Nothing is sent to Keyward.

Who you are decides what can be checked, because the trust policy must trust only the platform:
  - as the platform's Service Role: every check runs exactly as the console's Test does;
  - as anyone else (the customer's admin): AWS refuses you the role, as it should. The key is
    described with your credentials, and the role's trust and permissions policies and the key
    policy are read (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy,
    iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion, kms:GetKeyPolicy) and
    reviewed: the Service Role trusted, the External ID required, the key actions granted.
    IAM and KMS let each account read only its own roles and keys: run it in the customer's account.
    The platform's Test then confirms the rest.

Exit codes: 0 every check passed, 3 a check failed (also when AWS answered a check with an
outage: the check says it is worth retrying), 2 bad input or no credentials, 1 AWS could not be
reached, or nothing failed but a document could not be read (the report says which).

Examples:
  keyward verify --role-arn arn:aws:iam::444455556666:role/KeywardByokAccess \\
    --cmk-arn arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab \\
    --external-id kw-7f3a9c1e5b2d4a6f8e0c1b3d5f7a9c2e --tenant acme \\
    --service-role-arn arn:aws:iam::111122223333:role/keyward-service
  AWS_PROFILE=security-admin keyward verify … --json
  keyward verify … --endpoint-url http://127.0.0.1:4599     (the sandbox)`;

interface Options {
  roleArn: string;
  cmkArn: string;
  externalId: string;
  serviceRoleArn?: string;
  tenant: string;
  endpointUrl?: string;
  region?: string;
  json?: boolean;
}

/** Exit 1: nothing failed, but a document could not be read, so the setup is not known to be right. */
const INCOMPLETE = 1;

export function verifyCommand(): Command {
  return new Command('verify')
    .description(
      "Check a BYOK setup with your own AWS credentials: the console's Test, without Keyward (exit 3 if a check fails)",
    )
    .requiredOption('--role-arn <arn>', 'the IAM role the platform is to assume')
    .requiredOption('--cmk-arn <arn>', 'the KMS key ARN (not an alias)')
    .requiredOption('--external-id <id>', "the tenant's External ID, from the console")
    .option(
      '--service-role-arn <arn>',
      "the platform's Service Role ARN, from the console (default: your own role, when you run as the platform)",
    )
    .requiredOption(
      '--tenant <id>',
      "the tenant ID, from the console: the platform's encryption context (keyward:tenant) and role session name carry it",
    )
    .option('--endpoint-url <url>', 'send every AWS call here (the sandbox: http://127.0.0.1:4599)')
    .option('--region <region>', "the region for STS (default: the key's region)")
    .option('--json', 'print the report as JSON')
    .addHelpText('after', HELP)
    .action(async (options: Options) => {
      const { runVerify } = await import('../verify/run-verify.js');
      const report = await runVerify({
        roleArn: options.roleArn,
        cmkArn: options.cmkArn,
        externalId: options.externalId,
        tenantId: options.tenant,
        ...(options.serviceRoleArn === undefined ? {} : { serviceRoleArn: options.serviceRoleArn }),
        ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
        ...(options.region === undefined ? {} : { region: options.region }),
      });
      if (options.json) printJson(report);
      else print(report);
      if (!report.ok) process.exitCode = CHECK_FAILED;
      else if (!report.complete) process.exitCode = INCOMPLETE;
    });
}

function print(report: VerifyReport): void {
  printLines([
    dim(
      `Checked as ${report.caller.arn}${report.mode === 'live' ? " (the platform's Service Role: the console's Test, in full)" : ''}`,
    ),
    ...(report.serviceRoleFrom === 'caller'
      ? [
          dim(
            `Service Role taken to be your own role, ${report.serviceRoleArn}; pass --service-role-arn to name it.`,
          ),
        ]
      : []),
    ...reportLines(report.checks),
    ...(report.review === null
      ? []
      : [heading('The documents, read with your credentials:'), ...reportLines(report.review)]),
    report.ok && !report.complete
      ? yellow('Nothing failed, but not everything could be checked (see the warnings).')
      : verdict(report.ok),
  ]);
}
