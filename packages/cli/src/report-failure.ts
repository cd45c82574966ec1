import { ApiError } from './api-client.js';

/**
 * Turns a failure into one line on stderr and an exit code: configuration and input mistakes
 * are the user's to fix (exit 2), anything else is ours (exit 1). Never a stack trace, unless
 * KEYWARD_DEBUG is set.
 */
const USER_ERRORS = new Set(['KW_SANDBOX_CONFIG', 'KW_SANDBOX_SEED', 'KW_SANDBOX_STATE', 'KW_CONFIG_INVALID', 'KW_ROOT_KEY_CONFIG', 'EADDRINUSE', 'EACCES', 'KW_USAGE']);

export function reportFailure(error: unknown): number {
  const code = (error as { code?: string } | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // An API error names its stable code, so that scripts and people can look it up in docs/errors.md.
  const text = error instanceof ApiError ? `${error.code}: ${message}` : code === 'EADDRINUSE' ? `the port is already in use (${message})` : message;
  process.stderr.write(`keyward: ${text}\n`);
  if (process.env.KEYWARD_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  // A 4xx for bad input (an ARN, an ID) is the user's to fix too.
  if (error instanceof ApiError && (error.status === 400 || error.status === 413)) return 2;
  return code !== undefined && USER_ERRORS.has(code) ? 2 : 1;
}
