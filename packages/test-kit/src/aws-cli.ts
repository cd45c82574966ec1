import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Finds the AWS CLI v2 (Debian package `awscli`, /usr/bin/aws; or KEYWARD_AWS_CLI). A v1 CLI on
 * the PATH (for instance from pip) does not count: the setup guide is written for v2.
 */
export async function findAwsCliV2(): Promise<string | undefined> {
  const candidates = [process.env.KEYWARD_AWS_CLI, '/usr/bin/aws', '/usr/local/bin/aws'].filter(
    (path): path is string => !!path && existsSync(path),
  );
  for (const path of candidates) {
    try {
      const { stdout, stderr } = await run(path, ['--version']);
      if (`${stdout}${stderr}`.startsWith('aws-cli/2.')) return path;
    } catch {
      /* not a working CLI; try the next */
    }
  }
  return undefined;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with only the given credentials: no config files, no pager, no metadata lookups. */
export async function awsCli(
  cli: string,
  args: string[],
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region = 'us-east-1',
): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
  };
  try {
    const { stdout, stderr } = await run(cli, [...args, '--output', 'json'], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}
