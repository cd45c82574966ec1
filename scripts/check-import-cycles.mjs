// `npm run lint`: proves that no package's import graph has a circle, and that the packages depend
// on each other one way only (ARCHITECTURE §5). Every import counts: type-only, re-exports and
// dynamic `import()` too, since each is a dependency a reader has to follow.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packagesDir = join(root, 'packages');

/** Package folder name by npm name (`@keyward/core` → `core`). */
const packageDirs = new Map(
  readdirSync(packagesDir)
    .filter((dir) => existsSync(join(packagesDir, dir, 'package.json')))
    .map((dir) => [JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')).name, dir]),
);

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) && !/\.test\.ts$/.test(entry.name) ? [path] : [];
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
  return candidates.find((candidate) => existsSync(candidate) && !candidate.endsWith('/'));
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
function cycles(graph) {
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
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

const fileGraph = new Map();
/** Folders one level under each package's src/ (a file directly in src/ is a node of its own). */
const folderGraph = new Map();
const folderOf = (dir, file) => `${dir}/${relative(join(packagesDir, dir, 'src'), file).split('/')[0]}`;
const packageGraph = new Map([...packageDirs.values()].map((dir) => [dir, new Set()]));
for (const dir of packageDirs.values()) {
  const src = join(packagesDir, dir, 'src');
  if (!existsSync(src)) continue;
  for (const file of sourceFiles(src)) {
    const edges = new Set();
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName } of importedFiles) {
      if (fileName.startsWith('.')) {
        const target = resolveRelative(file, fileName);
        if (target === undefined) continue;
        edges.add(target);
        const [from, to] = [folderOf(dir, file), folderOf(dir, target)];
        if (!folderGraph.has(from)) folderGraph.set(from, new Set());
        if (from !== to) folderGraph.get(from).add(to);
      } else {
        const name = fileName.startsWith('@')
          ? fileName.split('/').slice(0, 2).join('/')
          : fileName.split('/')[0];
        const target = packageDirs.get(name);
        if (target !== undefined && target !== dir) packageGraph.get(dir).add(target);
      }
    }
    fileGraph.set(file, edges);
  }
}

const problems = [
  ...cycles(fileGraph).map(
    (component) => `import circle: ${component.map((file) => relative(root, file)).join(' ⇄ ')}`,
  ),
  ...cycles(folderGraph).map((component) => `folder circle: ${component.join(' ⇄ ')}`),
  ...cycles(packageGraph).map((component) => `package circle: ${component.join(' ⇄ ')}`),
];
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
const arrows = [...packageGraph].map(([from, to]) => `${from} → ${[...to].sort().join(', ') || '(none)'}`);
console.log(`No import circles in ${fileGraph.size} files; packages: ${arrows.join('; ')}`);
