import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The issue's bar: the whole demo in under two minutes on a laptop. */
export const DEMO_TARGET_SECONDS = 120;
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface DemoRun {
  wallSeconds: number;
  steps: Array<{ step: string; seconds: number }>;
}

/** One `keyward demo --json` through the binary, as a user runs it: wall time, and time per step from its events. */
async function runOnce(): Promise<DemoRun> {
  const started = performance.now();
  const stdout = await new Promise<string>((done, fail) => {
    const child = spawn(process.execPath, ['packages/cli/bin/keyward.js', 'demo', '--json'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('close', (code) =>
      code === 0 ? done(out) : fail(new Error(`keyward demo exited with ${code}`)),
    );
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const events = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { event: string; step: string | null; elapsedMs: number });
  const marks = events.filter((event) => event.event === 'step' || event.event === 'finished');
  const steps = marks.slice(0, -1).map((mark, index) => ({
    step: mark.step!,
    seconds: (marks[index + 1]!.elapsedMs - mark.elapsedMs) / 1000,
  }));
  return { wallSeconds, steps };
}

export async function demoBenchmark(runs = 3): Promise<DemoRun[]> {
  const results: DemoRun[] = [];
  for (let i = 0; i < runs; i++) results.push(await runOnce());
  return results;
}

export function printDemoTable(runs: DemoRun[]): void {
  const walls = runs.map((run) => run.wallSeconds).sort((a, b) => a - b);
  const median = walls[Math.floor(walls.length / 2)]!;
  console.log(
    `runs: ${walls.map((wall) => `${wall.toFixed(1)} s`).join(', ')}; median ${median.toFixed(1)} s, ${((median / DEMO_TARGET_SECONDS) * 100).toFixed(0)}% of the ${DEMO_TARGET_SECONDS} s target`,
  );
  const first = runs[0]!;
  console.log('time per step (first run):');
  for (const step of first.steps) console.log(`  ${step.step.padEnd(10)} ${step.seconds.toFixed(2)} s`);
}
