import { cpus } from 'node:os';
import { printTable } from './harness.js';
import { sandboxBenchmarks } from './sandbox.bench.js';
import { coreBenchmarks } from './core.bench.js';
import { printCoreTable } from './core-report.js';
import { cacheBenchmarks } from './cache.bench.js';
import { printServerTable, serverBenchmarks } from './server.bench.js';
import { demoBenchmark, printDemoTable } from './demo.bench.js';

/** `npm run bench`: prints each benchmark's numbers and its ratio to the named baseline. */
console.log(`Keyward benchmarks: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);

console.log('\n## Sandbox: one AWS call over HTTP with the AWS SDK v3, vs the same work in process');
const sandbox = await sandboxBenchmarks();
printTable(sandbox.results);
console.log('\nSlower than the in-process baseline by:');
for (const [name, ratio] of sandbox.ratios) console.log(`  ${name}: ${ratio.toFixed(0)}×`);

console.log('\n## Core: encrypt and decrypt, warm cache, one process (median ops/s over repetitions)');
const core = await coreBenchmarks();
printCoreTable(core);

console.log('\n## Core: what the key caches buy, for a BYOK tenant through the sandbox');
const cache = await cacheBenchmarks();
printTable(cache.results);
console.log('\nThe warm cache is faster than:');
for (const [name, ratio] of cache.ratios) console.log(`  ${name}: ${ratio.toFixed(0)}×`);

console.log(
  '\n## Server: HTTP encrypt/decrypt of 1 KiB items vs a bare Fastify echo (autocannon, one server process)',
);
printServerTable(await serverBenchmarks());

console.log('\n## keyward demo: the whole journey through the binary vs its two-minute bar (3 runs)');
printDemoTable(await demoBenchmark());
