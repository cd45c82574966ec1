import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * No file of the sandbox's source is part of an import circle. The graph is built from the
 * source text (TypeScript's own import scanner), so `import type` and `export … from` count as
 * edges too: a reader following a type still walks in a circle.
 */
const SOURCE_ROOT = dirname(fileURLToPath(import.meta.url));

type ImportGraph = Map<string, string[]>;

function sourceFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => join(root, name))
    .sort();
}

/** The file a relative specifier names: `./x.js` is `./x.ts` in source; a folder is its index. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  const target = resolve(dirname(from), specifier);
  const candidates = [target.replace(/\.js$/, '.ts'), target, `${target}.ts`, join(target, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function importGraph(root: string): { graph: ImportGraph; unresolved: string[] } {
  const graph: ImportGraph = new Map();
  const unresolved: string[] = [];
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const edges: string[] = [];
    for (const { fileName } of importedFiles) {
      if (!fileName.startsWith('.')) continue;
      const target = resolveSpecifier(file, fileName);
      if (target === undefined) unresolved.push(`${relative(root, file)} imports ${fileName}`);
      else edges.push(target);
    }
    graph.set(file, edges);
  }
  return { graph, unresolved };
}

/**
 * The files caught in circles, one entry per strongly connected component (Tarjan): how many
 * files it holds, and one circle through them as a path that returns to its start.
 */
function findCycles(graph: ImportGraph): { files: number; circle: string[] }[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, index.get(next)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)!.includes(node)) components.push(component);
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return components.map((component) => ({
    files: component.length,
    circle: circleThrough(graph, new Set(component)),
  }));
}

/** The shortest path from the component's first file (in sorted order) back to itself. */
function circleThrough(graph: ImportGraph, component: Set<string>): string[] {
  const start = [...component].sort()[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) path.unshift(at);
        return [start, ...path, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

describe('import graph of packages/sandbox/src', () => {
  it('every relative import names a file of the package', () => {
    expect(importGraph(SOURCE_ROOT).unresolved).toEqual([]);
  });

  it('has no import circle (import type included)', () => {
    const { graph } = importGraph(SOURCE_ROOT);
    /* A scan that found nothing would pass vacuously: the handler tables must be in the graph. */
    expect(graph.get(join(SOURCE_ROOT, 'kms', 'operations.ts'))?.length).toBeGreaterThan(20);
    const circles = findCycles(graph).map(
      ({ files, circle }) =>
        `${files} files import one another in a circle, such as ${circle.map((file) => relative(SOURCE_ROOT, file)).join(' → ')}`,
    );
    expect(circles).toEqual([]);
  });

  it('the detector names a circle, type-only edges included, and passes a tree', () => {
    const graph: ImportGraph = new Map([
      ['a.ts', ['b.ts', 'd.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(findCycles(graph)).toEqual([
      { files: 3, circle: ['a.ts', 'b.ts', 'c.ts', 'a.ts'] },
      { files: 1, circle: ['e.ts', 'e.ts'] },
    ]);
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
    const scanned = ts.preProcessFile(
      "import type { X } from './x.js';\nexport { y } from './y.js';",
      true,
      true,
    );
    expect(scanned.importedFiles.map((file) => file.fileName)).toEqual(['./x.js', './y.js']);
  });
});
