import { performance } from 'node:perf_hooks';

/** A minimal benchmark harness: warm up, then time `iterations` runs (optionally concurrent). */
export interface Result {
  name: string;
  iterations: number;
  opsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export async function measure(
  name: string,
  iterations: number,
  run: () => Promise<unknown> | unknown,
  concurrency = 1,
): Promise<Result> {
  for (let i = 0; i < Math.min(50, iterations); i++) await run();
  const latencies: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < iterations) {
      next++;
      const start = performance.now();
      await run();
      latencies.push(performance.now() - start);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { name, iterations, opsPerSecond: (iterations / elapsed) * 1000, p50Ms: at(0.5), p99Ms: at(0.99) };
}

export function printTable(results: Result[]): void {
  const rows = results.map((result) => [
    result.name,
    String(result.iterations),
    result.opsPerSecond.toFixed(0),
    result.p50Ms.toFixed(3),
    result.p99Ms.toFixed(3),
  ]);
  const header = ['benchmark', 'n', 'ops/s', 'p50 ms', 'p99 ms'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    `| ${cells.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
}
