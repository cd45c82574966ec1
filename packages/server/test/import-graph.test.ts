import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');
const PACKAGE = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** Every product file (tests excluded) with what it imports: files by path, packages by name. */
function importGraph(): Map<string, { files: string[]; packages: string[] }> {
  const graph = new Map<string, { files: string[]; packages: string[] }>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) {
        const imports = ts.preProcessFile(readFileSync(path, 'utf8'), true, true).importedFiles;
        const files: string[] = [];
        const packages: string[] = [];
        for (const { fileName } of imports) {
          if (!fileName.startsWith('.')) packages.push(fileName);
          else {
            const target = resolve(dirname(path), fileName).replace(/\.js$/, '.ts');
            expect(existsSync(target), `${relative(SRC, path)} imports ${fileName}`).toBe(true);
            files.push(relative(SRC, target));
          }
        }
        graph.set(relative(SRC, path), { files, packages });
      }
    }
  };
  walk(SRC);
  return graph;
}

/** One circle of the graph if there is any (depth-first search for an edge back into the path). */
function findCircle(edges: Map<string, Set<string>>): string[] | undefined {
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return undefined;
    path.push(node);
    for (const next of edges.get(node) ?? []) {
      const circle = visit(next);
      if (circle !== undefined) return circle;
    }
    path.pop();
    done.add(node);
    return undefined;
  };
  for (const node of edges.keys()) {
    const circle = visit(node);
    if (circle !== undefined) return circle;
  }
  return undefined;
}

const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file.replace(/\.ts$/, ''));

describe("the server's imports", () => {
  const graph = importGraph();

  it('form no circle between files', () => {
    const edges = new Map([...graph].map(([file, { files }]) => [file, new Set(files)]));
    expect(findCircle(edges)).toBeUndefined();
  });

  it('form no circle between the folders of src (http/ and console/ meet only in app/)', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, { files }] of graph) {
      const from = folderOf(file);
      for (const target of files)
        if (folderOf(target) !== from)
          (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(folderOf(target));
    }
    expect(findCircle(edges)).toBeUndefined();
    expect(edges.get('http')?.has('console') ?? false).toBe(false);
  });

  it('depend on core, not on the sandbox: keyward serve starts that and passes its endpoint', () => {
    const sandboxImports = [...graph].filter(([, { packages }]) =>
      packages.some((name) => name === '@keyward/sandbox' || name.startsWith('@keyward/sandbox/')),
    );
    expect(sandboxImports.map(([file]) => file)).toEqual([]);
    expect(Object.keys(PACKAGE.dependencies)).not.toContain('@keyward/sandbox');
    expect(Object.keys(PACKAGE.dependencies)).toContain('@keyward/core');
  });
});
