import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The three-process test (a 10,000-tenant rotation, several minutes) is the suite's long pole:
 * started first, everything else runs beside it instead of after it.
 */
class LongPoleFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification) => (file.moduleId.endsWith('test/e2e/three-instances.test.ts') ? 0 : 1);
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    // Vitest runs one file at a time on a two-core machine (CI's), but most of these tests wait on
    // subprocesses, HTTP and PostgreSQL rather than compute: three at once took the suite from
    // about 10 to about 6 minutes there.
    maxWorkers: 3,
    sequence: { sequencer: LongPoleFirst },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: {
      // The pinned AWS SDK warns that its later releases need Node 22; the project runs on Node 20.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
