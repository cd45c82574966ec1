import type { CoreBenchmark, CoreCase } from './core.bench.js';

/** Issue 3's targets at 1 KiB. */
const TARGETS = { ofRaw: 0.85, overEsdk: 12, overheadBytes: 64 } as const;

function sizeLabel(size: number): string {
  return size >= 1024 * 1024
    ? `${size / 1024 / 1024} MiB`
    : size >= 1024
      ? `${size / 1024} KiB`
      : `${size} B`;
}

const mb = (opsPerSecond: number, size: number) => ((opsPerSecond * size) / 1024 / 1024).toFixed(1);

function row(c: CoreCase): string {
  const cells = (['keyward', 'raw-gcm', 'aws-esdk'] as const).flatMap((name) => [
    c.opsPerSecond[name].toFixed(0),
    mb(c.opsPerSecond[name], c.size),
  ]);
  const label = `${sizeLabel(c.size)}${c.withContext ? ' + context' : ''}`;
  return `| ${label} | ${c.operation} | ${cells.join(' | ')} | ${c.keywardOverRaw.toFixed(2)} | ${c.keywardOverEsdk.toFixed(1)}× |`;
}

/** Prints the core benchmark as a Markdown table with the ratios the issue names, and the targets. */
export function printCoreTable(benchmark: CoreBenchmark): void {
  console.log(
    `ops/s: medians of ${benchmark.repetitions} repetitions; a/b and a/c: geometric means of the per-repetition ratios of two contenders taking turns.`,
  );
  console.log(
    '| size | op | (a) keyward ops/s | MB/s | (b) raw GCM ops/s | MB/s | (c) AWS ESDK ops/s | MB/s | a/b | a/c |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const c of benchmark.cases) console.log(row(c));
  const o = benchmark.overhead;
  console.log(
    `\nBytes added to a 1 KiB message (no context / 2-entry context): keyward ${o.keyward.plain} / ${o.keyward.withContext}, raw GCM ${o['raw-gcm'].plain} / ${o['raw-gcm'].withContext}, AWS ESDK ${o['aws-esdk'].plain} / ${o['aws-esdk'].withContext}`,
  );
  console.log('\nTargets at 1 KiB:');
  for (const c of benchmark.cases.filter((candidate) => candidate.size === 1024)) {
    const label = `${c.operation}${c.withContext ? ' with a context' : ''}`;
    const ofRaw = c.keywardOverRaw >= TARGETS.ofRaw ? 'met' : 'MISSED';
    const overEsdk = c.keywardOverEsdk >= TARGETS.overEsdk ? 'met' : 'MISSED';
    console.log(
      `  ${label}: a/b ${c.keywardOverRaw.toFixed(2)} (≥ ${TARGETS.ofRaw}: ${ofRaw}); a/c ${c.keywardOverEsdk.toFixed(1)}× (≥ ${TARGETS.overEsdk}×: ${overEsdk})`,
    );
  }
  const overhead = o.keyward.plain <= TARGETS.overheadBytes && o.keyward.withContext === o.keyward.plain;
  console.log(
    `  overhead: ${o.keyward.plain} bytes, ${o.keyward.withContext - o.keyward.plain} more with a context (≤ ${TARGETS.overheadBytes}, nothing for the context: ${overhead ? 'met' : 'MISSED'})`,
  );
}
