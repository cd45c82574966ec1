// `npm run lint`: no import circle between files, between the folders of a package's src/, or
// between packages, and packages depend on each other only as ARCHITECTURE §5 allows.
import { importGraphs, problems } from './import-graph.mjs';

const graphs = importGraphs();
const found = problems(graphs);
if (found.length > 0) {
  console.error(found.join('\n'));
  process.exit(1);
}
const arrows = [...graphs.packages].map(
  ([from, to]) => `${from} → ${[...to].sort().join(', ') || 'nothing'}`,
);
console.log(`Imports: no circles in ${graphs.files.size} files; ${arrows.join('; ')}`);
