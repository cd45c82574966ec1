import { Command, Option } from 'commander';
import { ApiClient } from '../api-client.js';
import { connectionOf, UsageError, withConnection, type ServerOptions } from '../connection.js';
import { printReport, type ReportLine } from '../check-report.js';
import { bold, dim, green, printJson, printLines } from '../output.js';

type Options = ServerOptions;

interface CheckReport {
  ok: boolean;
  results: ReportLine[];
}

/** Exit code 3: the configuration was checked and did not pass (docs: 0 ok, 1 failure, 2 usage, 3 check failed). */
export const CHECK_FAILED = 3;

const client = (options: Options) => new ApiClient(connectionOf(options));
const tenantPath = (tenant: string) => `/v1/tenants/${encodeURIComponent(tenant)}/byok`;

export function byokCommand(): Command {
  const byok = new Command('byok').description(
    "A tenant's BYOK setup: kit, ARNs, test, enable, switch, revert, status",
  );

  byok.addCommand(
    withConnection(new Command('status'))
      .description("The tenant's BYOK state, configuration, last test and open job")
      .argument('<tenant>', 'tenant ID')
      .addHelpText('after', '\nExample:\n  keyward byok status acme')
      .action(async (tenant: string, options: Options) => {
        const status = await client(options).call('GET', tenantPath(tenant));
        if (options.json) return printJson(status);
        printLines([
          `${tenant}: ${bold(status.state)}${status.stateReason === null ? '' : ` (${status.stateReason})`} since ${status.stateSince}`,
          `  keys wrapped by  ${status.keyMode === 'customer' ? `the customer's CMK ${status.cmkArn}` : 'the platform key'}`,
          `  External ID      ${status.externalId ?? '-'}`,
          `  Role ARN         ${status.roleArn ?? '-'}`,
          `  CMK ARN          ${status.cmkArn ?? '-'}`,
          `  last test        ${status.lastTest === null ? '-' : `${status.lastTest.ok ? 'passed' : 'failed'} at ${status.lastTestedAt}`}`,
          ...(status.job === null
            ? []
            : [
                `  job              ${status.job.kind} ${status.job.state} (${status.job.done}/${status.job.total})`,
              ]),
          `  allowed          ${status.allowed.join(', ') || '-'}`,
        ]);
      }),
  );

  byok.addCommand(
    withConnection(new Command('kit'))
      .description('The setup kit: values to copy, policies, AWS CLI checks, CloudFormation, Terraform')
      .argument('<tenant>', 'tenant ID')
      .addOption(
        new Option('--format <format>', 'json (everything), md (the guide), cloudformation or terraform')
          .choices(['json', 'md', 'cloudformation', 'terraform'])
          .default('md'),
      )
      .addHelpText(
        'after',
        '\nExamples:\n  keyward byok kit acme\n  keyward byok kit acme --format cloudformation > keyward-byok.yaml',
      )
      .action(
        async (
          tenant: string,
          options: Options & { format: 'json' | 'md' | 'cloudformation' | 'terraform' },
        ) => {
          const api = client(options);
          const status = await api.call('GET', tenantPath(tenant));
          // The kit needs an External ID: the first kit issues one.
          if (status.externalId === null) await api.call('POST', `${tenantPath(tenant)}/external-id`);
          const kit = await api.call('GET', `${tenantPath(tenant)}/kit`);
          if (options.json || options.format === 'json') return printJson(kit);
          process.stdout.write(
            `${options.format === 'md' ? kit.guide : options.format === 'cloudformation' ? kit.cloudFormation : kit.terraform}\n`,
          );
        },
      ),
  );

  byok.addCommand(
    withConnection(new Command('set'))
      .description("Save the customer's Role ARN and CMK ARN (test again afterwards)")
      .argument('<tenant>', 'tenant ID')
      .requiredOption('--role-arn <arn>', 'the IAM role in the customer account')
      .requiredOption('--cmk-arn <arn>', 'the KMS key ARN (not an alias) in the customer account')
      .addHelpText(
        'after',
        '\nExample:\n  keyward byok set acme --role-arn arn:aws:iam::444455556666:role/keyward-byok \\\n    --cmk-arn arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      )
      .action(async (tenant: string, options: Options & { roleArn: string; cmkArn: string }) => {
        const saved = await client(options).call('PUT', `${tenantPath(tenant)}/config`, {
          roleArn: options.roleArn,
          cmkArn: options.cmkArn,
        });
        if (options.json) return printJson(saved);
        printLines([
          `Saved the ARNs for ${tenant} (state ${saved.byok.state}).`,
          dim(`Next: keyward byok test ${tenant}`),
        ]);
      }),
  );

  byok.addCommand(
    withConnection(new Command('test'))
      .description('Run the onboarding checks against the saved configuration (exit 3 if any fails)')
      .argument('<tenant>', 'tenant ID')
      .addHelpText(
        'after',
        '\nExit codes: 0 every check passed, 3 a check failed.\n\nExample:\n  keyward byok test acme',
      )
      .action(async (tenant: string, options: Options) => {
        const report = (await client(options).call('POST', `${tenantPath(tenant)}/test`)) as CheckReport;
        if (options.json) printJson(report);
        else printReport(report);
        if (!report.ok) process.exitCode = CHECK_FAILED;
      }),
  );

  const jobCommand = (
    name: string,
    description: string,
    path: string,
    example: string,
    body?: (options: Record<string, string>) => unknown,
  ) =>
    withConnection(new Command(name))
      .description(description)
      .argument('<tenant>', 'tenant ID')
      .option('--wait <seconds>', 'seconds to wait for the job before answering with it (0-60)', '60')
      .addHelpText('after', `\nExample:\n  ${example}`)
      .action(async (tenant: string, options: Options & Record<string, string>) => {
        const wait = Number(options.wait);
        if (!Number.isInteger(wait) || wait < 0 || wait > 60)
          throw new UsageError('--wait must be a whole number of seconds from 0 to 60.');
        const result = await client(options).call(
          'POST',
          `${tenantPath(tenant)}/${path}?wait=${wait}`,
          body?.(options),
        );
        if (options.json) return printJson(result);
        const job = result.job as { id: string; state: string; done: number; total: number };
        printLines(
          job.state === 'succeeded'
            ? [
                `${green('Done')}: ${tenant} is ${result.state} (${result.rewrapped ?? 0} key version(s) re-wrapped).`,
              ]
            : [
                `Job ${job.id} is ${job.state} (${job.done}/${job.total}).`,
                dim(`Follow it: keyward byok status ${tenant}`),
              ],
        );
      });

  byok.addCommand(
    jobCommand(
      'enable',
      'Enable BYOK after a passing test: every tenant key version is re-wrapped under the CMK',
      'enable',
      'keyward byok enable acme',
    ),
  );
  byok.addCommand(
    jobCommand(
      'switch-cmk',
      'Switch to another CMK (tested first; no data is re-encrypted)',
      'switch-cmk',
      'keyward byok switch-cmk acme --cmk-arn arn:aws:kms:…:key/…',
      (options) => ({
        cmkArn: options.cmkArn,
        ...(options.roleArn === undefined ? {} : { roleArn: options.roleArn }),
      }),
    )
      .requiredOption('--cmk-arn <arn>', 'the new CMK')
      .option('--role-arn <arn>', 'a new role, if it changes too'),
  );
  byok.addCommand(
    jobCommand(
      'revert',
      'Operator: revert the tenant to the platform key (needs the CMK one last time)',
      'revert',
      'keyward byok revert acme',
    ),
  );
  return byok;
}
