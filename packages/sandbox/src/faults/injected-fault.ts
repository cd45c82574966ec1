import type { AwsError } from '../protocol/aws-error.js';

/** Raised by fault injection: the HTTP layer drops the connection or answers with the error. */
export class InjectedFault extends Error {
  constructor(
    readonly mode: 'reset' | 'error',
    readonly error?: AwsError,
  ) {
    super(`injected fault: ${mode}`);
    this.name = 'InjectedFault';
  }
}
