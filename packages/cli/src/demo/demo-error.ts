/** A demo step that did not go as the journey says it should: exit 1, or 3 when the onboarding Test failed. */
export class DemoError extends Error {
  override readonly name = 'DemoError';
  constructor(
    message: string,
    readonly code: 'KW_DEMO_FAILED' | 'KW_DEMO_CHECK_FAILED' = 'KW_DEMO_FAILED',
  ) {
    super(message);
  }

  get exitCode(): number {
    return this.code === 'KW_DEMO_CHECK_FAILED' ? 3 : 1;
  }
}
