import { Command } from 'commander';
import type { ServerConfig } from '@keyward/server';
// Only the configuration at load time: the server itself is imported when the command runs, so that every other command starts fast.
import { ENV_NAMES, loadConfig } from '@keyward/server/config';
import { parsePort } from '../parse-port.js';
import type { RunningKeyward } from '../serve/start-keyward.js';
import { untilStopped } from '../until-stopped.js';

const ENVIRONMENT_HELP = `
Configuration: defaults, then the file named by KEYWARD_CONFIG_FILE (YAML or JSON), then these
variables, then the flags. An invalid setting stops start-up with a message naming it.
${Object.entries(ENV_NAMES)
  .map(([setting, name]) => `  ${name.padEnd(36)} ${setting}`)
  .join('\n')}

Without configuration, Keyward runs embedded: PGlite in .data/keyward, the sandbox as AWS
(started in this process, its state in .data/keyward/sandbox), a demo tenant, and an operator
token printed below (set KEYWARD_OPERATOR_TOKEN to choose it).

Examples:
  keyward serve
  KEYWARD_PORT=9000 keyward serve
  DATABASE_URL=postgres://keyward@db/keyward KEYWARD_AWS_MODE=aws \\
    KEYWARD_PLATFORM_SERVICE_ROLE_ARN=arn:aws:iam::111122223333:role/keyward-service \\
    KEYWARD_ROOT_KEY=arn:aws:kms:us-east-1:111122223333:key/… KEYWARD_OPERATOR_TOKEN=… keyward serve`;

export function serveCommand(): Command {
  return new Command('serve')
    .description(
      'Run the Keyward server: the HTTP API (reference at /docs) on PGlite or PostgreSQL, with the sandbox or real AWS',
    )
    .option('-p, --port <port>', 'port to listen on (default 8080; 0 for any free port)', parsePort)
    .option('--host <address>', 'address to listen on (default 127.0.0.1)')
    .option('--data-dir <dir>', 'embedded store directory (default .data/keyward)')
    .option('--json', 'print the URL, operator token and demo tenant as one line of JSON')
    .addHelpText('after', ENVIRONMENT_HELP)
    .action(async (options: { port?: number; host?: string; dataDir?: string; json?: boolean }) => {
      const overrides = {
        ...(options.port === undefined && options.host === undefined
          ? {}
          : {
              listen: {
                ...(options.port === undefined ? {} : { port: options.port }),
                ...(options.host === undefined ? {} : { host: options.host }),
              },
            }),
        ...(options.dataDir === undefined ? {} : { store: { dataDir: options.dataDir } }),
      };
      const config = loadConfig(process.env, overrides);
      const { startKeyward } = await import('../serve/start-keyward.js');
      const keyward = await startKeyward({ config, logger: !options.json });
      const stopped = untilStopped();
      process.stdout.write(options.json ? `${JSON.stringify(summary(keyward))}\n` : banner(keyward, config));
      await stopped;
      await keyward.close();
    });
}

function summary({ server, sandbox }: RunningKeyward) {
  // A configured operator token is the operator's secret already: never echo it into logs.
  return {
    url: server.url,
    instanceId: server.services.jobs.options.instanceId,
    operatorToken: server.operatorTokenGenerated ? server.operatorToken : null,
    sandbox: sandbox?.endpoint ?? null,
    demo: server.demo ?? null,
  };
}

function banner({ server, sandbox }: RunningKeyward, config: ServerConfig): string {
  const demo = server.demo;
  const token = server.operatorTokenGenerated ? server.operatorToken : '$KEYWARD_OPERATOR_TOKEN';
  const lines = [
    '',
    `Keyward is running at ${server.url}`,
    `  admin console   ${server.url}/console   (sign in with the operator token, or a tenant-admin token)`,
    `  API reference   ${server.url}/docs   (OpenAPI: ${server.url}/openapi.json)`,
    `  store           ${config.store.databaseUrl === undefined ? `PGlite in ${config.store.dataDir}` : 'PostgreSQL (DATABASE_URL)'}`,
    `  AWS             ${sandbox === undefined ? (config.aws.endpoint ?? 'real AWS') : `sandbox at ${sandbox.endpoint} (in this process)`}`,
    `  Service Role    ${config.platform.serviceRoleArn}`,
    `  operator token  ${server.operatorTokenGenerated ? `${server.operatorToken}   (generated for this run; set KEYWARD_OPERATOR_TOKEN to keep one)` : 'from KEYWARD_OPERATOR_TOKEN (not shown)'}`,
    ...(demo === undefined
      ? []
      : [
          `  demo tenant     ${demo.id}   External ID ${demo.externalId}`,
          ...(demo.adminToken === undefined
            ? []
            : [
                `    tenant-admin token  ${demo.adminToken}`,
                `    service token       ${demo.serviceToken}`,
                '    (shown once, on first start)',
              ]),
        ]),
    '',
    'Try:',
    `  curl -s -H "Authorization: Bearer ${token}" ${server.url}/v1/tenants`,
    ...(demo === undefined
      ? []
      : [
          `  curl -s -H "Authorization: Bearer ${token}" -H 'content-type: application/json' \\`,
          `       -d '{"items":[{"text":"hello"}]}' ${server.url}/v1/tenants/${demo.id}/encrypt`,
        ]),
    'Press Ctrl-C to stop.',
    '',
  ];
  return lines.join('\n');
}
