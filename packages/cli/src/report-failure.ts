// The catalogue alone, not all of core: importing core here would slow every command's start.
import { exitCodeOf as coreExitCodeOf } from '@keyward/core/errors';
// Likewise the sandbox's catalogue alone (a subpath that loads nothing else of the sandbox).
import { SANDBOX_ERRORS } from '@keyward/sandbox/errors';
import { ApiError } from './api-client.js';
import { CLI_ERRORS, isCliErrorCode, type CliExitCode } from './cli-errors.js';

/** Node's own errors that are the user's to fix: the port taken, or not theirs to use. */
const SYSTEM_EXIT_CODES: Record<string, CliExitCode> = {
  EADDRINUSE: CLI_ERRORS.KW_PORT_IN_USE.exitCode,
  EACCES: 2,
};

/**
 * The exit code for a failure, from the catalogue its code belongs to: the command's own
 * (cli-errors.ts), core's (the API's codes, docs/errors.md), or the sandbox's. Anything else is
 * ours: exit 1.
 */
export function exitCodeOf(error: unknown): CliExitCode {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (isCliErrorCode(code)) return CLI_ERRORS[code].exitCode;
  const core = coreExitCodeOf(code);
  if (core !== undefined) return core;
  if (typeof code === 'string' && Object.hasOwn(SANDBOX_ERRORS, code))
    return SANDBOX_ERRORS[code as keyof typeof SANDBOX_ERRORS].exitCode;
  if (typeof code === 'string' && Object.hasOwn(SYSTEM_EXIT_CODES, code)) return SYSTEM_EXIT_CODES[code]!;
  // A client error the server answered without a catalogued code (a proxy's 400, say) is the user's too.
  if (error instanceof ApiError && (error.status === 400 || error.status === 413)) return 2;
  return 1;
}

/**
 * Turns a failure into one line on stderr and an exit code (exitCodeOf). Never a stack trace,
 * unless --verbose is given (or KEYWARD_DEBUG is set, for failures before the arguments are read).
 */
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
        ? `KW_PORT_IN_USE: ${CLI_ERRORS.KW_PORT_IN_USE.message.replace(/\.$/, '')} (${message})`
        : message;
  process.stderr.write(`keyward: ${text}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return exitCodeOf(error);
}
