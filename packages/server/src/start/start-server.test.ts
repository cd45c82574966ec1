import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { startServer } from './start-server.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startServer', () => {
  it('Precondition: in sandbox mode the sandbox is already running, and its endpoint is given (KW_CONFIG_INVALID, before anything opens)', async () => {
    const dataDir = join(dir, 'store');
    const config = loadConfig({}, { store: { dataDir }, listen: { port: 0 }, logLevel: 'silent' });
    expect(config.aws).toEqual({ mode: 'sandbox', region: 'us-east-1' });
    const refused = startServer({ config, env: {}, logger: false });
    await expect(refused).rejects.toMatchObject({
      code: 'KW_CONFIG_INVALID',
      message: expect.stringMatching(
        /^Invalid configuration: aws\.endpoint \(KEYWARD_AWS_ENDPOINT\): required/,
      ),
    });
    // The store was never opened: nothing was left behind to clean up.
    expect(existsSync(dataDir)).toBe(false);
  });
});
