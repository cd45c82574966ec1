import { Option, type Command } from 'commander';
import type { Connection } from './api-client.js';
import { CliError } from './cli-errors.js';

/** The options every command that talks to a server takes (see `withConnection`). */
export interface ServerOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** A usage mistake (`KW_USAGE`: exit 2), with the hint on the same line. */
export class UsageError extends CliError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super('KW_USAGE', message);
  }
}

/** `--url` / `--token`, falling back to KEYWARD_URL / KEYWARD_TOKEN, and `--json`, on every command that talks to a server. */
export function withConnection(command: Command): Command {
  return command
    .addOption(
      new Option('--url <url>', 'the Keyward server (default $KEYWARD_URL, else http://127.0.0.1:8080)'),
    )
    .addOption(new Option('--token <token>', 'an operator or tenant-admin token (default $KEYWARD_TOKEN)'))
    .option('--json', 'print the result as JSON');
}

export function connectionOf(
  options: { url?: string; token?: string },
  env: NodeJS.ProcessEnv = process.env,
): Connection {
  const url = options.url ?? env.KEYWARD_URL ?? 'http://127.0.0.1:8080';
  const token = options.token ?? env.KEYWARD_TOKEN;
  if (token === undefined || token === '')
    throw new UsageError(
      'No token: pass --token or set KEYWARD_TOKEN (the operator token `keyward serve` printed, or a tenant-admin token).',
    );
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--url must be an http(s) URL such as http://127.0.0.1:8080, not "${url}".`);
  }
  return { url, token };
}
