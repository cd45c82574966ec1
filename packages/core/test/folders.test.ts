import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

/** Which of core's folders each folder imports from (product code; the root files compose them). */
function folderImports(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true }).filter(
    (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.includes('.test'),
  );
  for (const entry of files) {
    const file = join(entry.parentPath, entry.name);
    const from = relative(SRC, file).split('/')[0]!;
    if (!entry.parentPath.startsWith(join(SRC, from)) || from.endsWith('.ts')) continue;
    for (const [, target] of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
      const to = relative(SRC, resolve(dirname(file), target!)).split('/');
      if (to.length < 2 || to[0] === from) continue;
      edges.set(from, (edges.get(from) ?? new Set()).add(to[0]!));
    }
  }
  return edges;
}

describe("core's folders", () => {
  it('depend one way: no circle between envelope/, keys/, cache/, aws/ and onboarding/', () => {
    const edges = folderImports();
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(edges.get(from) ?? [])].some(
        (next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))),
      );
    const circles = [...edges.keys()].filter((folder) => reaches(folder, folder));
    expect(circles).toEqual([]);
    // cache/ holds the generic bounded LRU and single-flight: it knows nothing of tenant keys.
    expect(edges.get('cache')?.has('keys') ?? false).toBe(false);
  });
});
