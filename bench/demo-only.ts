import { cpus } from 'node:os';
import { demoBenchmark, printDemoTable } from './demo.bench.js';

/** `npm run bench:demo`: only the demo's wall time against its two-minute bar (issue 8). */
console.log(
  `Keyward demo benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
);
printDemoTable(await demoBenchmark());
