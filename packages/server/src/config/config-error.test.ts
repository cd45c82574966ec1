import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CATALOGUE, exitCodeOf, isKeywardError, KeywardError } from '@keyward/core';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../store/open-store.js';
import { CONFIG_FILE_ENV, ConfigError, loadConfig } from './load-config.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-config-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The error `run` throws or rejects with. */
async function thrownBy(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new KeywardError('KW_INTERNAL', { message: 'expected an error' });
}

describe("the server's configuration errors are the catalogue's KW_CONFIG_INVALID", () => {
  it('a ConfigError is a KeywardError: the catalogue status and exit code 2, its own message', async () => {
    const error = await thrownBy(() => loadConfig({ KEYWARD_CACHE_TTL_SECONDS: 'soon' }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(isKeywardError(error, 'KW_CONFIG_INVALID')).toBe(true);
    expect(error).toMatchObject({ status: ERROR_CATALOGUE.KW_CONFIG_INVALID.status, category: 'internal' });
    expect((error as Error).message).toMatch(/^Invalid configuration: cache\.ttlSeconds/);
    expect(exitCodeOf((error as KeywardError).code)).toBe(2);
  });

  it('a configuration file that is not an object is refused as before, with a KeywardError', async () => {
    const file = join(dir, 'list.yaml');
    writeFileSync(file, '- a\n- b\n');
    const error = await thrownBy(() => loadConfig({ [CONFIG_FILE_ENV]: file }));
    expect(isKeywardError(error, 'KW_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(`The configuration file ${file} is not valid YAML: not an object.`);
  });

  it('an invalid PostgreSQL schema name (KEYWARD_DATABASE_SCHEMA) is KW_CONFIG_INVALID, before any connection', async () => {
    const error = await thrownBy(() =>
      openStore({ kind: 'postgres', url: 'postgres://127.0.0.1:1/none', schema: 'Robert"); drop' }),
    );
    expect(isKeywardError(error, 'KW_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^Invalid PostgreSQL schema name/);
  });
});
