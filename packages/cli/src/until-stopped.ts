/** Resolves on the first SIGINT or SIGTERM: long-running commands stop cleanly on either. */
export function untilStopped(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
