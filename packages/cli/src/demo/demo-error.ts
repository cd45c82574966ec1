import { CliError } from '../cli-errors.js';

/** A demo step that did not go as the journey says it should: exit 1, or 3 when the onboarding Test failed (the CLI catalogue's). */
export class DemoError extends CliError {
  override readonly name = 'DemoError';
  declare readonly code: 'KW_DEMO_FAILED' | 'KW_DEMO_CHECK_FAILED';

  constructor(message: string, code: 'KW_DEMO_FAILED' | 'KW_DEMO_CHECK_FAILED' = 'KW_DEMO_FAILED') {
    super(code, message);
  }
}
