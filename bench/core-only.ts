import { coreBenchmarks } from './core.bench.js';
import { printCoreTable } from './core-report.js';

/** `npm run bench:core`: only the core benchmark (issue 3), without the sandbox's. */
printCoreTable(await coreBenchmarks());
