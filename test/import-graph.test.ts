import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript module of the repository's scripts, without declarations.
import { cycles, importGraphs, problems } from '../scripts/import-graph.mjs';

type Graph = Map<string, Set<string>>;
const graph = (edges: Record<string, string[]>): Graph =>
  new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

/** A throwaway repository: packages/<name>/package.json and the given source files. */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'keyward-graph-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
const pkg = (name: string) => JSON.stringify({ name });

describe("the repository's import graph (npm run lint runs the same check)", () => {
  it('has no circle between files, folders or packages, no import of a missing file, and no forbidden dependency', () => {
    const graphs = importGraphs();
    /* A scan that found nothing would pass vacuously: the sandbox's handler tables must be in it. */
    expect(graphs.files.get('packages/sandbox/src/kms/operations.ts')?.size).toBeGreaterThan(20);
    expect(problems(graphs)).toEqual([]);
  });

  it("the server depends on core only; http/ never imports console/; core's cache/ knows nothing of keys/", () => {
    const graphs = importGraphs();
    expect([...graphs.packages.get('server')]).toEqual(['core']);
    expect(graphs.folders.get('server/http')?.has('server/console')).toBe(false);
    expect(graphs.folders.get('core/cache')?.has('core/keys')).toBe(false);
  });
});

describe('the detector', () => {
  it('names each circle (a file importing itself too) and passes a tree', () => {
    expect(
      cycles(
        graph({ 'a.ts': ['b.ts', 'd.ts'], 'b.ts': ['c.ts'], 'c.ts': ['a.ts'], 'd.ts': [], 'e.ts': ['e.ts'] }),
      ),
    ).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']]);
    expect(cycles(graph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['c.ts'], 'c.ts': [] }))).toEqual([]);
  });

  it('counts type-only, re-export and dynamic imports; finds folder and package circles and forbidden dependencies', () => {
    const root = repository({
      'packages/core/package.json': pkg('@keyward/core'),
      'packages/core/src/a/x.ts': "import type { Y } from '../b/y.js';\nexport type X = Y;\n",
      'packages/core/src/b/y.ts': "export * from '../a/z.js';\nexport type Y = 1;\n",
      'packages/core/src/a/z.ts': "export const z = () => import('../b/y.js');\nimport '@keyward/server';\n",
      'packages/server/package.json': pkg('@keyward/server'),
      'packages/server/src/s.ts': "import '@keyward/core';\nimport './missing.js';\n",
    });
    expect(problems(importGraphs(root))).toEqual([
      'import circle of 2 files: packages/core/src/a/z.ts ⇄ packages/core/src/b/y.ts',
      'folder circle: core/a ⇄ core/b',
      'package circle: core ⇄ server',
      'import of no file: packages/server/src/s.ts: ./missing.js',
      'forbidden dependency: packages/core imports packages/server',
    ]);
  });
});
