import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface AwsCli {
  path: string;
  version: string;
}

/** KEYWARD_AWS_CLI alone when it is set (so a test or a user can choose, or name none); else every `aws` on the PATH, in order. */
function candidates(env: NodeJS.ProcessEnv): string[] {
  if (env.KEYWARD_AWS_CLI) return existsSync(env.KEYWARD_AWS_CLI) ? [env.KEYWARD_AWS_CLI] : [];
  return [
    ...new Set(
      (env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .map((dir) => join(dir, 'aws'))
        .filter((path) => existsSync(path)),
    ),
  ];
}

/** The first AWS CLI that answers `--version`; undefined when none is installed. */
export async function findAwsCli(env: NodeJS.ProcessEnv = process.env): Promise<AwsCli | undefined> {
  for (const path of candidates(env)) {
    try {
      const { stdout, stderr } = await run(path, ['--version'], { timeout: 20_000 });
      const version = `${stdout}${stderr}`.trim().split(/\s/)[0] ?? '';
      if (version.startsWith('aws-cli/')) return { path, version };
    } catch {
      /* a broken shim or another program called aws: try the next */
    }
  }
  return undefined;
}

/** `exit` says how it ended, in words: `exit 254`, or the signal that stopped it. */
export interface ShellResult {
  code: number;
  exit: string;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command from the kit as it is written, in bash, where `aws` is the found CLI pointed at
 * the sandbox. Only the given credentials are visible: no config files, no pager, no instance
 * metadata, and `home` (the demo's own directory) as HOME, so that the user's ~/.aws is not read.
 */
export async function runKitCommand(
  cli: AwsCli,
  endpoint: string,
  command: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  home: string,
): Promise<ShellResult> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    KEYWARD_DEMO_AWS: cli.path,
    KEYWARD_DEMO_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    ...(credentials.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: credentials.sessionToken }),
    AWS_DEFAULT_REGION: region,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_OUTPUT: 'json',
  };
  const script = `aws() { "$KEYWARD_DEMO_AWS" --endpoint-url "$KEYWARD_DEMO_ENDPOINT" "$@"; }\n${command}\n`;
  try {
    const { stdout, stderr } = await run('bash', ['-c', script], { env, timeout: 60_000 });
    return { code: 0, exit: 'exit 0', stdout, stderr };
  } catch (error) {
    const failed = error as {
      code?: number | string;
      signal?: string | null;
      killed?: boolean;
      stdout?: string;
      stderr?: string;
    };
    const exit =
      typeof failed.code === 'number'
        ? `exit ${failed.code}`
        : failed.signal
          ? `stopped by ${failed.signal}${failed.killed ? ' after 60 s' : ''}`
          : String(failed.code ?? 'failed to start');
    return {
      code: typeof failed.code === 'number' ? failed.code : 1,
      exit,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}
