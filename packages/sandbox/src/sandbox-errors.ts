/**
 * The sandbox's own error catalogue: every failure the sandbox reports to the person or program
 * running it has a stable `KW_SANDBOX_…` code, a message saying what it means, and the exit code
 * `keyward sandbox` ends with (2: the configuration, seed or input is the user's to fix; 1:
 * anything else). `docs/sandbox.md` lists the same codes; `sandbox-errors.test.ts` keeps the two
 * in step. The sandbox shares no code with `@keyward/core` (it is an independent oracle), hence a
 * catalogue of its own.
 *
 * AWS's errors on the wire (`AccessDeniedException`, `NoSuchEntity`, …) are not in here: they
 * are AWS's names, answered to SDK clients as AWS answers them (`protocol/aws-error.ts`).
 */
export interface SandboxErrorEntry {
  readonly exitCode: 1 | 2;
  readonly message: string;
}

export const SANDBOX_ERRORS = {
  KW_SANDBOX_CONFIG: {
    exitCode: 2,
    message: 'The sandbox configuration (flags, options or KEYWARD_SANDBOX_* variables) is invalid.',
  },
  KW_SANDBOX_SEED: {
    exitCode: 2,
    message: 'The seed file cannot be read, or the seed is not one AWS would accept.',
  },
  KW_SANDBOX_STATE: {
    exitCode: 2,
    message: 'The saved state in the data directory cannot be read, restored or written.',
  },
  KW_SANDBOX_NO_SUCH_USER: {
    exitCode: 2,
    message: 'The sandbox has no access key for that user in that account.',
  },
  KW_SANDBOX_ARGUMENT: {
    exitCode: 2,
    message: "An argument to the sandbox's programming interface is invalid.",
  },
  KW_SANDBOX_ADMIN_REFUSED: {
    exitCode: 2,
    message: 'The sandbox admin API refused the request (a 4xx answer: token, route or input).',
  },
  KW_SANDBOX_ADMIN_UNAVAILABLE: {
    exitCode: 1,
    message: 'The sandbox admin API could not be reached, failed, or did not answer with JSON.',
  },
} as const satisfies Record<`KW_SANDBOX_${string}`, SandboxErrorEntry>;

export type SandboxErrorCode = keyof typeof SANDBOX_ERRORS;

export interface SandboxErrorOptions {
  /** What went wrong in this case; the catalogue message otherwise. */
  message?: string;
  cause?: unknown;
}

export class SandboxError extends Error {
  override readonly name: string = 'SandboxError';
  readonly code: SandboxErrorCode;
  /** The exit code `keyward sandbox` ends with, from the catalogue. */
  readonly exitCode: 1 | 2;

  constructor(code: SandboxErrorCode, options: SandboxErrorOptions = {}) {
    const entry: SandboxErrorEntry = SANDBOX_ERRORS[code];
    super(
      options.message ?? entry.message,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.exitCode = entry.exitCode;
  }

  toJSON(): { code: SandboxErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

export function isSandboxError(error: unknown, code?: SandboxErrorCode): error is SandboxError {
  return error instanceof SandboxError && (code === undefined || error.code === code);
}
