import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const example = fileURLToPath(new URL('../examples/quickstart.ts', import.meta.url));

describe('packages/core/README.md quick start', () => {
  it('the runnable example runs and shows isolation, rotation, floors and data keys', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', example], {
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(stdout).toMatch(/^ciphertext: kw1:[A-Za-z0-9_-]+$/m);
    expect(stdout).toContain('plaintext:  card ending 4242');
    expect(stdout).toContain('globex with row 42: refused with KW_DECRYPTION_FAILED');
    expect(stdout).toContain('acme with row 43: refused with KW_DECRYPTION_FAILED');
    expect(stdout).toContain('rewrapped:  card ending 4242');
    expect(stdout).toContain('version 1 after the floor moved: KW_KEY_VERSION_TOO_OLD');
    expect(stdout).toContain('data key:  32 bytes, wrapped in 82 bytes, version 2');
    expect(stdout).toContain('acme key versions: 1, 2 | floors: 0 2');
  });
});
