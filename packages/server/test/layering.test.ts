import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Every TypeScript file under a folder of src/, by its path from src/, with its text. */
function sources(folder: string): Array<{ path: string; text: string }> {
  return readdirSync(join(SRC, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => {
      const file = join(entry.parentPath, entry.name);
      return { path: relative(SRC, file), text: readFileSync(file, 'utf8') };
    });
}

/** What running SQL looks like in this code base: Kysely's builders, its `sql` tag, or a handle on the database. */
const SQL = [
  /\.(selectFrom|updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\(/,
  /\bsql\s*(<[^>]*>)?\s*`/,
  /from 'kysely'/,
  /\bservices\.db\b/,
  /\.transaction\(\)/,
];

describe('layers (ARCHITECTURE §5: routes and console pages call services and read models, never SQL)', () => {
  it.each(['http', 'console'])('no SQL under src/%s', (folder) => {
    const found = sources(folder).flatMap(({ path, text }) =>
      text
        .split('\n')
        .map((line, index) => ({ where: `${path}:${index + 1}`, line: line.trim() }))
        .filter(({ line }) => SQL.some((pattern) => pattern.test(line))),
    );
    expect(found).toEqual([]);
  });

  it('byok_configs is read and written only by its repository (store/byok-configs.ts)', () => {
    const owners = ['store/byok-configs.ts', 'store/schema.ts'];
    const touching = sources('.')
      .filter(({ path }) => !path.startsWith('store/migrations/') && !path.endsWith('.test.ts'))
      .filter(({ text }) => /'byok_configs(\.\w+)?'/.test(text))
      .map(({ path }) => path);
    expect(touching.filter((path) => !owners.includes(path))).toEqual([]);
    expect(touching).toContain('store/byok-configs.ts');
  });
});
