import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyStoreDump } from '@keyward/server';
import type { TestProject } from 'vitest/node';

/**
 * Vitest's global setup: an empty, migrated embedded store is made once per run and written to a
 * file, so that each of the suite's many throwaway PGlite stores loads it (about 0.5 s) instead of
 * initialising and migrating a database of its own (about 2.5 s).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'keyward-pglite-template-'));
  const path = join(dir, 'empty-store.tar');
  await writeFile(path, Buffer.from(await (await emptyStoreDump()).arrayBuffer()));
  project.provide('pgliteTemplate', path);
  return () => rm(dir, { recursive: true, force: true });
}
