// The import graph of every package's src/, for `npm run lint` (check-import-cycles.mjs) and its
// test (test/import-graph.test.ts). Every import counts: type-only, re-exports and dynamic
// `import()` too, since each is a dependency a reader has to follow.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Which workspace packages each package's code may import (ARCHITECTURE §5: dependencies point one
 * way). The sandbox shares nothing with the others; the server does not start the sandbox.
 */
export const ALLOWED_DEPENDENCIES = {
  core: [],
  sandbox: [],
  server: ['core'],
  cli: ['core', 'server', 'sandbox'],
  // Test helpers only: no product package imports the test-kit.
  'test-kit': ['core', 'sandbox', 'server'],
};

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The file a relative specifier names (`./x.js` is `./x.ts` in the sources). */
function resolveRelative(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/**
 * The graphs of the packages under `root`/packages: between files, between the folders one level
 * under each package's src/ (a file directly in src/ is a node of its own), and between packages
 * (by folder name); plus every relative import that names no file.
 */
export function importGraphs(root = ROOT) {
  const packagesDir = join(root, 'packages');
  const dirs = new Map(
    readdirSync(packagesDir)
      .filter((dir) => existsSync(join(packagesDir, dir, 'package.json')))
      .map((dir) => [JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')).name, dir]),
  );
  const files = new Map();
  const folders = new Map();
  const packages = new Map([...dirs.values()].map((dir) => [dir, new Set()]));
  const unresolved = [];
  const folderOf = (dir, file) => `${dir}/${relative(join(packagesDir, dir, 'src'), file).split('/')[0]}`;
  const edge = (graph, from, to) => {
    if (!graph.has(from)) graph.set(from, new Set());
    if (to !== undefined) graph.get(from).add(to);
  };
  for (const dir of dirs.values()) {
    const src = join(packagesDir, dir, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const name = relative(root, file);
      edge(files, name);
      edge(folders, folderOf(dir, file));
      for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
        if (fileName.startsWith('.')) {
          const target = resolveRelative(file, fileName);
          if (target === undefined) unresolved.push(`${name}: ${fileName}`);
          else {
            edge(files, name, relative(root, target));
            const [from, to] = [folderOf(dir, file), folderOf(dir, target)];
            if (from !== to) edge(folders, from, to);
          }
          continue;
        }
        const pkg = fileName.startsWith('@')
          ? fileName.split('/').slice(0, 2).join('/')
          : fileName.split('/')[0];
        const target = dirs.get(pkg);
        if (target !== undefined && target !== dir) packages.get(dir).add(target);
      }
    }
  }
  return { files, folders, packages, unresolved };
}

/** Each circle: the nodes of a strongly connected component (Tarjan), or a node importing itself. */
export function cycles(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const visit = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node)?.has(node)) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found;
}

/** What is wrong with the graphs: circles, unresolved imports, and dependencies the table forbids. */
export function problems(graphs) {
  const forbidden = [...graphs.packages].flatMap(([from, targets]) =>
    [...targets]
      .filter((to) => !(ALLOWED_DEPENDENCIES[from] ?? []).includes(to))
      .map((to) => `forbidden dependency: packages/${from} imports packages/${to}`),
  );
  return [
    ...cycles(graphs.files).map((nodes) => `import circle of ${nodes.length} files: ${nodes.join(' ⇄ ')}`),
    ...cycles(graphs.folders).map((nodes) => `folder circle: ${nodes.join(' ⇄ ')}`),
    ...cycles(graphs.packages).map((nodes) => `package circle: ${nodes.join(' ⇄ ')}`),
    ...graphs.unresolved.map((entry) => `import of no file: ${entry}`),
    ...forbidden,
  ];
}
