import { readFile } from 'node:fs/promises';
import { emptyStoreDump } from '@keyward/server';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The file global-setup.ts wrote the empty migrated store's dump to, once per test run. */
    pgliteTemplate?: string;
  }
}

let template: Promise<Blob> | undefined;

/**
 * The dump every embedded test store starts from: written once per run by the global setup, read
 * once per test file; made here instead when the run has no global setup (the drills' config).
 */
export function pgliteTemplate(): Promise<Blob> {
  template ??= (async () => {
    const path = inject('pgliteTemplate');
    return path === undefined ? emptyStoreDump() : new Blob([await readFile(path)]);
  })();
  return template;
}
