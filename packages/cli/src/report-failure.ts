import { ApiError } from './api-client.js';

/**
 * Turns a failure into one line on stderr and an exit code: configuration and input mistakes
 * are the user's to fix (exit 2), anything else is ours (exit 1). Never a stack trace, unless
 * --verbose is given (or KEYWARD_DEBUG is set, for failures before the arguments are read).
 */
const USER_ERRORS = new Set([
  'KW_SANDBOX_CONFIG',
  'KW_SANDBOX_SEED',
  'KW_SANDBOX_STATE',
  'KW_CONFIG_INVALID',
  'KW_ROOT_KEY_CONFIG',
  'EADDRINUSE',
  'EACCES',
  'KW_USAGE',
  'KW_AWS_CREDENTIALS',
]);

export function reportFailure(
  error: unknown,
  verbose = process.argv.includes('--verbose') || !!process.env.KEYWARD_DEBUG,
): number {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // A stable code goes first, so that scripts and people can look it up in docs/errors.md or docs/cli.md.
  const text =
    typeof code === 'string' && code.startsWith('KW_')
      ? `${code}: ${message}`
      : code === 'EADDRINUSE'
        ? `KW_PORT_IN_USE: The port is already in use; choose another with --port (${message})`
        : message;
  process.stderr.write(`keyward: ${text}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  // A 4xx for bad input (an ARN, an ID) is the user's to fix too.
  if (error instanceof ApiError && (error.status === 400 || error.status === 413)) return 2;
  const exitCode = (error as { exitCode?: unknown } | undefined)?.exitCode;
  if (typeof exitCode === 'number') return exitCode;
  // A KeywardError (by shape: importing core here would slow every command's start) for bad input.
  if (
    (error as { name?: string } | undefined)?.name === 'KeywardError' &&
    (error as { status?: number }).status === 400
  )
    return 2;
  return code !== undefined && USER_ERRORS.has(code) ? 2 : 1;
}
