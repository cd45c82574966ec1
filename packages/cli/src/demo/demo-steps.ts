import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { SetupKit } from '@keyward/core';
import { ApiClient, ApiError } from '../api-client.js';
import { bold, green, red, statusWord, yellow } from '../output.js';
import { findAwsCli, runKitCommand } from './aws-cli.js';
import type { CustomerAccount } from './customer-account.js';
import { DEMO_HEALTH_INTERVAL_SECONDS, type DemoEnvironment } from './demo-environment.js';
import { DemoError } from './demo-error.js';
import type { DemoReporter } from './demo-reporter.js';

/** What the steps hand on to each other. */
export interface DemoContext {
  env: DemoEnvironment;
  report: DemoReporter;
  customer: CustomerAccount;
  operator: ApiClient;
  tenantId: string;
  admin?: ApiClient;
  service?: ApiClient;
  kit?: SetupKit;
  roleArn?: string;
  cmkArn?: string;
  ciphertexts?: string[];
}

export interface DemoStep {
  id: string;
  title: string;
  narration: string;
  run(context: DemoContext): Promise<void>;
}

/** The tenant's records: a context per record, as an application would bind its record ID. */
export const SAMPLE_RECORDS = [
  { text: 'Invoice 1042: 3 x widgets, EUR 1,200.00, due 2026-12-31', context: { record: 'invoice-1042' } },
  { text: 'Patient note: allergic to penicillin', context: { record: 'note-77' } },
  { text: 'API secret for the payroll integration: s3cr3t-ab12', context: { record: 'secret-5' } },
] as const;

const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new DemoError(`The demo lost track of ${what}.`);
  return value;
};

const short = (ciphertext: string) => `${ciphertext.slice(0, 44)}…`;

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline)
      throw new DemoError(`Timed out after ${timeoutMs / 1000} s waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function decryptAll(context: DemoContext) {
  const items = need(context.ciphertexts, 'the ciphertexts').map((ciphertext, index) => ({
    ciphertext,
    context: SAMPLE_RECORDS[index]!.context,
  }));
  const answer = await need(context.service, 'the service token').call(
    'POST',
    `/v1/tenants/${context.tenantId}/decrypt`,
    { items, encoding: 'utf8' },
  );
  return (answer.results as Array<{ ok: boolean; text?: string }>).map((result) => result.text);
}

/** Every record decrypted, and each one exactly as written; anything else ends the demo. */
async function readIntact(context: DemoContext): Promise<string[]> {
  const texts = await decryptAll(context);
  if (!texts.every((text, index) => text === SAMPLE_RECORDS[index]!.text))
    throw new DemoError('A record did not read back as it was written.');
  return texts as string[];
}

const byokPath = (context: DemoContext) => `/v1/tenants/${context.tenantId}/byok`;

export const DEMO_STEPS: DemoStep[] = [
  {
    id: 'start',
    title: 'Start Keyward and a local AWS',
    narration:
      "One process: the Keyward API and console on an embedded PostgreSQL (PGlite), and the sandbox, a local AWS (KMS, STS, IAM) with two accounts: the platform's and a customer's.",
    async run({ env, report }) {
      report.emit(
        'started',
        {
          url: env.server.url,
          sandbox: env.sandbox.endpoint,
          dataDir: env.dataDir,
          platformAccount: env.platformAccount,
          customerAccount: env.customerAccount,
        },
        [
          `  Keyward          ${env.server.url}   (console at ${env.server.url}/console)`,
          `  sandbox AWS      ${env.sandbox.endpoint}`,
          `  platform account ${env.platformAccount}   customer account ${env.customerAccount}`,
        ],
      );
    },
  },
  {
    id: 'tenant',
    title: 'The platform creates a tenant',
    narration:
      "Acme is a customer of the SaaS platform. Its data starts out under the platform's own KMS key; Acme's admin gets a tenant-admin token, Acme's application a service token.",
    async run(context) {
      const { operator, report, tenantId, env } = context;
      await operator.call('POST', '/v1/tenants', { id: tenantId, name: 'Acme Corp' });
      const admin = await operator.call('POST', `/v1/tenants/${tenantId}/tokens`, { kind: 'tenant-admin' });
      const service = await operator.call('POST', `/v1/tenants/${tenantId}/tokens`, { kind: 'service' });
      context.admin = new ApiClient({ url: env.server.url, token: admin.token });
      context.service = new ApiClient({ url: env.server.url, token: service.token });
      report.emit('tenant.created', { tenantId, keyMode: 'platform' }, [
        `  tenant ${bold(tenantId)} created (keys wrapped by the platform key)`,
      ]);
    },
  },
  {
    id: 'kit',
    title: 'Keyward shows the customer two values to copy',
    narration:
      "The platform's Service Role ARN, and an External ID issued for this tenant alone. The trust policy in the setup kit names both: only the platform, and only on Acme's behalf, may assume the role (no confused deputy).",
    async run(context) {
      const admin = need(context.admin, 'the admin token');
      const issued = await admin.call('POST', `${byokPath(context)}/external-id`);
      const kit = (await admin.call('GET', `${byokPath(context)}/kit`)) as SetupKit;
      context.kit = kit;
      context.report.emit(
        'kit.shown',
        { serviceRoleArn: kit.values.serviceRoleArn, externalId: issued.externalId },
        [
          `  Service Role ARN  ${bold(kit.values.serviceRoleArn)}`,
          `  External ID       ${bold(issued.externalId)}`,
        ],
      );
      context.report.document('Trust policy (from the kit):', kit.trustPolicy);
    },
  },
  {
    id: 'customer',
    title: 'The customer sets up their AWS account, from the kit',
    narration:
      "In account 444455556666 the customer creates a CMK, then the role with the kit's trust policy and permissions policy, and adds the kit's statement to the key policy. Every document is the kit's, unchanged.",
    async run(context) {
      const { customer, report } = context;
      const cmkArn = await customer.createKey();
      report.emit('customer.key_created', { cmkArn }, [`  CMK created        ${cmkArn}`]);
      // Once the customer has a key, the kit is filled in with it (the console does the same).
      const kit = (await need(context.admin, 'the admin token').call(
        'GET',
        `${byokPath(context)}/kit?cmkArn=${encodeURIComponent(cmkArn)}`,
      )) as SetupKit;
      const { roleArn, policyName } = await customer.createRole(kit);
      report.emit(
        'customer.role_created',
        { roleArn, policyName, trustPolicy: kit.trustPolicy, permissionsPolicy: kit.permissionsPolicy },
        [
          `  role created       ${roleArn}`,
          `  permissions policy ${policyName} (the kit's, for this CMK only)`,
        ],
      );
      const { statements } = await customer.addKeyPolicyStatement(kit);
      report.emit('customer.key_policy_updated', { statement: kit.keyPolicyStatement, statements }, [
        `  key policy         + statement "${kit.keyPolicyStatement.Sid}" (${statements} statements; the administrators' statement kept)`,
      ]);
      report.document('Key policy statement (from the kit):', kit.keyPolicyStatement);
      Object.assign(context, { kit, roleArn, cmkArn });
    },
  },
  {
    id: 'aws-cli',
    title: 'The AWS CLI checks from the kit',
    narration:
      "Step 4 of the guide: aws sts assume-role, then aws kms describe-key as the role. Only the platform's Service Role may assume the role, so the commands run, as written in the kit, in a shell holding that role's session.",
    async run(context) {
      await awsCliChecks(context);
    },
  },
  {
    id: 'configure',
    title: 'The customer gives Keyward the Role ARN and CMK ARN',
    narration:
      "The platform's Service Role may assume registered customer roles: saving the ARNs is all the platform side needs, no support ticket.",
    async run(context) {
      const saved = await need(context.admin, 'the admin token').call('PUT', `${byokPath(context)}/config`, {
        roleArn: context.roleArn,
        cmkArn: context.cmkArn,
      });
      context.report.emit(
        'byok.configured',
        { roleArn: context.roleArn, cmkArn: context.cmkArn, state: saved.byok.state },
        [`  saved; state ${bold(saved.byok.state)}`],
      );
    },
  },
  {
    id: 'test',
    title: 'Keyward tests the configuration',
    narration:
      "Each check is what the data plane will do: assume the role with the External ID, make sure it cannot be assumed without it, describe the key, and round-trip a data key under the tenant's encryption context.",
    async run(context) {
      const report = await need(context.admin, 'the admin token').call('POST', `${byokPath(context)}/test`);
      for (const result of report.results as Array<{
        id: string;
        title: string;
        status: string;
        code: string;
        message: string;
        remediation: string | null;
      }>) {
        context.report.emit(
          'check',
          {
            id: result.id,
            status: result.status,
            code: result.code,
            title: result.title,
            message: result.message,
          },
          [`  ${statusWord(result.status).padEnd(4)} ${result.title}`],
        );
      }
      context.report.emit('test.finished', { ok: report.ok }, [
        report.ok ? green('  Every check passed.') : red('  A check failed.'),
      ]);
      if (!report.ok)
        throw new DemoError('The onboarding test failed (see the checks above).', 'KW_DEMO_CHECK_FAILED');
    },
  },
  {
    id: 'enable',
    title: 'BYOK is turned on',
    narration:
      "A background job re-wraps every version of Acme's tenant key under the customer's CMK. No data is re-encrypted; from now on Acme's keys exist at Keyward only wrapped by a key Acme controls.",
    async run(context) {
      const result = await need(context.admin, 'the admin token').call(
        'POST',
        `${byokPath(context)}/enable?wait=60`,
      );
      if (result.job.state !== 'succeeded') throw new DemoError(`The enable job is ${result.job.state}.`);
      context.report.emit(
        'byok.enabled',
        { state: result.state, rewrapped: result.rewrapped, jobId: result.job.id },
        [
          `  state ${green(bold(result.state))}; ${result.rewrapped} key version(s) re-wrapped by job ${result.job.id}`,
        ],
      );
    },
  },
  {
    id: 'encrypt',
    title: "The platform encrypts Acme's records",
    narration:
      "Envelope encryption: AES-256-GCM under a key derived from Acme's tenant key, each record's context bound in. Only ciphertexts are stored.",
    async run(context) {
      const answer = await need(context.service, 'the service token').call(
        'POST',
        `/v1/tenants/${context.tenantId}/encrypt`,
        { items: SAMPLE_RECORDS.map((record) => ({ text: record.text, context: record.context })) },
      );
      context.ciphertexts = (answer.results as Array<{ ciphertext: string }>).map(
        (result) => result.ciphertext,
      );
      context.report.emit(
        'records.encrypted',
        { count: context.ciphertexts.length, ciphertexts: context.ciphertexts },
        context.ciphertexts.map(
          (ciphertext, index) =>
            `  ${SAMPLE_RECORDS[index]!.context.record.padEnd(13)} ${ciphertext.length > 44 ? short(ciphertext) : ciphertext}`,
        ),
      );
      const texts = await readIntact(context);
      context.report.emit('records.read', { count: texts.length, intact: true }, [
        `  read back: ${texts.length} records, ${green('intact')}`,
      ]);
    },
  },
  {
    id: 'revoke',
    title: 'The customer disables the key',
    narration: `Acme cuts the platform off in its own account. Keyward's health monitor (every ${DEMO_HEALTH_INTERVAL_SECONDS} s in this demo, 60 s by default) finds the key disabled, evicts Acme's cached keys on every instance, and refuses to read.`,
    async run(context) {
      const cmkArn = need(context.cmkArn, 'the CMK');
      await context.customer.disableKey(cmkArn);
      const disabledAt = Date.now();
      context.report.emit('customer.key_disabled', { cmkArn }, [
        `  KMS DisableKey in account ${context.env.customerAccount}: done`,
      ]);
      const refusal = await until('the reads to be refused', async () => {
        try {
          await decryptAll(context);
          return undefined;
        } catch (error) {
          if (error instanceof ApiError && error.code === 'KW_BYOK_REVOKED') return error;
          throw error;
        }
      });
      const status = await need(context.admin, 'the admin token').call('GET', byokPath(context));
      context.report.emit(
        'reads.refused',
        {
          code: refusal.code,
          message: refusal.message,
          state: status.state,
          reason: status.stateReason,
          afterMs: Date.now() - disabledAt,
        },
        [
          `  state ${red(bold(status.state))}: ${status.stateReason}`,
          `  decrypt → ${red(refusal.code)}: ${refusal.message}`,
          `  refused ${((Date.now() - disabledAt) / 1000).toFixed(1)} s after the key was disabled`,
        ],
      );
    },
  },
  {
    id: 'restore',
    title: 'The customer enables the key again',
    narration:
      'Access returns as soon as the health monitor sees the key work again. Nothing was lost: the same ciphertexts read back.',
    async run(context) {
      const cmkArn = need(context.cmkArn, 'the CMK');
      await context.customer.enableKey(cmkArn);
      const enabledAt = Date.now();
      context.report.emit('customer.key_enabled', { cmkArn }, [
        `  KMS EnableKey in account ${context.env.customerAccount}: done`,
      ]);
      const admin = need(context.admin, 'the admin token');
      const status = await until('the tenant to be active again', async () => {
        const current = await admin.call('GET', byokPath(context));
        return current.state === 'active' ? current : undefined;
      });
      const texts = await readIntact(context);
      context.report.emit(
        'reads.restored',
        { state: status.state, count: texts.length, intact: true, afterMs: Date.now() - enabledAt },
        [
          `  state ${green(bold(status.state))} again ${((Date.now() - enabledAt) / 1000).toFixed(1)} s after the key was enabled`,
          ...texts.map(
            (text, index) => `  ${SAMPLE_RECORDS[index]!.context.record.padEnd(13)} ${green('✓')} ${text}`,
          ),
        ],
      );
    },
  },
];

/** Step 5: the kit's two AWS CLI commands, verbatim, as the platform's Service Role. */
async function awsCliChecks(context: DemoContext): Promise<void> {
  const { report, env } = context;
  const kit = need(context.kit, 'the kit');
  const cli = await findAwsCli();
  if (cli === undefined) {
    const reason = process.env.KEYWARD_AWS_CLI
      ? `KEYWARD_AWS_CLI (${process.env.KEYWARD_AWS_CLI}) is not a working AWS CLI.`
      : 'The AWS CLI (aws) is not installed.';
    report.emit('awscli.skipped', { reason }, [
      yellow(`  skipped: ${reason} Keyward's Test below makes the same calls.`),
    ]);
    return;
  }
  const sts = new STSClient({
    endpoint: env.sandbox.endpoint,
    region: kit.values.region,
    credentials: env.sandbox.credentials(env.platformAccount),
    maxAttempts: 2,
  });
  try {
    const platform = await sts.send(
      new AssumeRoleCommand({ RoleArn: kit.values.serviceRoleArn, RoleSessionName: 'keyward-demo' }),
    );
    const serviceRole = {
      accessKeyId: platform.Credentials!.AccessKeyId!,
      secretAccessKey: platform.Credentials!.SecretAccessKey!,
      sessionToken: platform.Credentials!.SessionToken!,
    };
    report.say(`${cli.version} at ${cli.path}`, `$ ${kit.cliChecks.assumeRole.replace(/\n/g, '\n    ')}`);
    const assumed = await runKitCommand(
      cli,
      env.sandbox.endpoint,
      kit.cliChecks.assumeRole,
      serviceRole,
      kit.values.region,
      env.dataDir,
    );
    if (assumed.code !== 0)
      throw new DemoError(
        `aws sts assume-role failed (${assumed.exit}): ${assumed.stderr.trim() || 'no output'}`,
      );
    const session = JSON.parse(assumed.stdout) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      AssumedRoleUser: { Arn: string };
    };
    report.emit(
      'awscli.assume_role',
      { cli: cli.version, ok: true, assumedRoleArn: session.AssumedRoleUser.Arn },
      [`  ${green('ok')} assumed ${session.AssumedRoleUser.Arn}`],
    );
    report.say(`$ ${kit.cliChecks.describeKey}`);
    const described = await runKitCommand(
      cli,
      env.sandbox.endpoint,
      kit.cliChecks.describeKey,
      {
        accessKeyId: session.Credentials.AccessKeyId,
        secretAccessKey: session.Credentials.SecretAccessKey,
        sessionToken: session.Credentials.SessionToken,
      },
      kit.values.region,
      env.dataDir,
    );
    if (described.code !== 0)
      throw new DemoError(
        `aws kms describe-key failed (${described.exit}): ${described.stderr.trim() || 'no output'}`,
      );
    const metadata = (
      JSON.parse(described.stdout) as {
        KeyMetadata: { KeyState: string; KeySpec: string; KeyUsage: string; KeyManager: string };
      }
    ).KeyMetadata;
    report.emit(
      'awscli.describe_key',
      {
        cli: cli.version,
        ok: true,
        keyState: metadata.KeyState,
        keySpec: metadata.KeySpec,
        keyUsage: metadata.KeyUsage,
        keyManager: metadata.KeyManager,
      },
      [
        `  ${green('ok')} ${metadata.KeyState}, ${metadata.KeySpec}, ${metadata.KeyUsage}, ${metadata.KeyManager} managed`,
      ],
    );
  } finally {
    sts.destroy();
  }
}
