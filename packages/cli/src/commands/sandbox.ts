import { Command } from 'commander';
import type { RunningSandbox } from '@keyward/sandbox';
// Constants only at load time; the sandbox is imported when the command runs.
import { SANDBOX_DEFAULTS, SANDBOX_ENV_NAMES } from '@keyward/sandbox/config';
import { PLATFORM_ACCOUNT_ID, SERVICE_ROLE_NAME } from '@keyward/sandbox/defaults';
import { parsePort } from '../parse-port.js';
import { untilStopped } from '../until-stopped.js';

const ENVIRONMENT_HELP = `
Environment (flags win):
  ${SANDBOX_ENV_NAMES.port}         port (default ${SANDBOX_DEFAULTS.port})
  ${SANDBOX_ENV_NAMES.host}         address to listen on (default ${SANDBOX_DEFAULTS.host})
  ${SANDBOX_ENV_NAMES.region}       region of seeded keys (default ${SANDBOX_DEFAULTS.region})
  ${SANDBOX_ENV_NAMES.seed}         seed file (JSON or YAML)
  ${SANDBOX_ENV_NAMES.dataDir}     keep state in this directory across restarts
  ${SANDBOX_ENV_NAMES.adminToken}  require this bearer token on /_sandbox/ admin calls (needed beyond loopback)
  ${SANDBOX_ENV_NAMES.trailLimit}  calls kept in the trail (default ${SANDBOX_DEFAULTS.trailLimit})

Without a seed, the sandbox has a platform account ${PLATFORM_ACCOUNT_ID} and a customer
account 444455556666, each with a user "admin" (access key AKIA<account>ADMN, secret
sandbox-secret-<account>), and the platform's Service Role ${SERVICE_ROLE_NAME}.

Examples:
  keyward sandbox
  keyward sandbox --port 0 --json        (any free port; one line: endpoint and credentials)
  AWS_ACCESS_KEY_ID=AKIA444455556666ADMN AWS_SECRET_ACCESS_KEY=sandbox-secret-444455556666 \\
    aws --endpoint-url http://127.0.0.1:${SANDBOX_DEFAULTS.port} --region us-east-1 kms create-key`;

export function sandboxCommand(): Command {
  return new Command('sandbox')
    .description(
      'Run the local AWS sandbox: KMS, STS and IAM over the real wire protocols, SigV4-verified, with IAM policy evaluation',
    )
    .option(
      '-p, --port <port>',
      `port to listen on, 0 for any free port (default ${SANDBOX_DEFAULTS.port})`,
      parsePort,
    )
    .option('--host <address>', `address to listen on (default ${SANDBOX_DEFAULTS.host})`)
    .option('--seed <file>', 'seed file (JSON or YAML) declaring accounts, users, roles, policies and keys')
    .option('--data-dir <dir>', 'persist state in this directory, so that it survives a restart')
    .option('--region <region>', `region for seeded keys (default ${SANDBOX_DEFAULTS.region})`)
    .option('--json', 'print the endpoint and credentials as one line of JSON')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(
      async (options: {
        port?: number;
        host?: string;
        seed?: string;
        dataDir?: string;
        region?: string;
        json?: boolean;
      }) => {
        const { startSandbox } = await import('@keyward/sandbox');
        const sandbox = await startSandbox({
          port: options.port,
          host: options.host,
          seed: options.seed,
          dataDir: options.dataDir,
          region: options.region,
        });
        /* Listen for SIGINT/SIGTERM before announcing readiness: a supervisor may stop us as soon as it reads the line. */
        const stopped = untilStopped();
        process.stdout.write(options.json ? `${JSON.stringify(summary(sandbox))}\n` : banner(sandbox));
        await stopped;
        await sandbox.close();
      },
    );
}

function summary(sandbox: RunningSandbox) {
  return {
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    dataDir: sandbox.config.dataDir ?? null,
    users: sandbox.users,
  };
}

function banner(sandbox: RunningSandbox): string {
  const lines = [
    `Keyward sandbox (local AWS: KMS, STS, IAM) listening on ${sandbox.endpoint}`,
    `  endpoint   ${sandbox.endpoint}`,
    `  region     ${sandbox.region}`,
    `  state      ${sandbox.config.dataDir ? `kept in ${sandbox.config.dataDir}` : 'in memory (use --data-dir to keep it)'}`,
    `  admin API  ${sandbox.endpoint}/_sandbox/`,
    '',
    'Access keys:',
    ...sandbox.users.map(
      (user) =>
        `  ${user.account}${user.accountAlias ? ` (${user.accountAlias})` : ''}  ${user.userName}  ${user.accessKeyId} / ${user.secretAccessKey}`,
    ),
    '',
    `Try: AWS_ACCESS_KEY_ID=${sandbox.users[0]?.accessKeyId ?? '…'} AWS_SECRET_ACCESS_KEY=${sandbox.users[0]?.secretAccessKey ?? '…'} \\`,
    `       aws --endpoint-url ${sandbox.endpoint} --region ${sandbox.region} sts get-caller-identity`,
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}
