import { cpus } from 'node:os';
import { printServerTable, serverBenchmarks } from './server.bench.js';

/** `npm run bench:server`: only the HTTP server benchmark (issue 5). */
console.log(
  `Keyward server benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
);
printServerTable(await serverBenchmarks());
