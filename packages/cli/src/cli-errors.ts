/**
 * The `keyward` command's own error catalogue: the codes the command raises itself (not the API's,
 * which are core's catalogue, docs/errors.md), each with its exit code and a default message.
 * `docs/cli.md` lists the same codes and exit codes; `cli-errors.test.ts` keeps the two in step.
 * A leaf module: every command's start reads it, so it imports nothing.
 */

/** 1 a failure, 2 a usage or input mistake (the user's to fix), 3 a check failed. */
export type CliExitCode = 1 | 2 | 3;

interface CliErrorEntry {
  readonly exitCode: CliExitCode;
  readonly message: string;
}

export const CLI_ERRORS = {
  KW_USAGE: {
    exitCode: 2,
    message:
      'The command line is not valid: an unknown option or command, a missing argument, or a bad value.',
  },
  KW_PORT_IN_USE: { exitCode: 2, message: 'The port is already in use; choose another with --port.' },
  KW_UNREACHABLE: { exitCode: 1, message: 'The server or AWS did not answer.' },
  KW_AWS_CREDENTIALS: {
    exitCode: 2,
    message: 'No AWS credentials were found, or AWS refused the ones it found.',
  },
  KW_DEMO_FAILED: { exitCode: 1, message: 'A demo step did not go as the journey says.' },
  KW_DEMO_CHECK_FAILED: { exitCode: 3, message: "The demo's onboarding Test failed." },
} as const satisfies Record<`KW_${string}`, CliErrorEntry>;

export type CliErrorCode = keyof typeof CLI_ERRORS;

export function isCliErrorCode(code: unknown): code is CliErrorCode {
  return typeof code === 'string' && Object.hasOwn(CLI_ERRORS, code);
}

/** An error the command raises itself: a stable code, its exit code, and a message (the catalogue's unless a more specific one is given). */
export class CliError extends Error {
  override readonly name: string = 'CliError';
  readonly code: CliErrorCode;
  readonly exitCode: CliExitCode;

  constructor(code: CliErrorCode, message?: string, options?: ErrorOptions) {
    super(message ?? CLI_ERRORS[code].message, options);
    this.code = code;
    this.exitCode = CLI_ERRORS[code].exitCode;
  }
}
