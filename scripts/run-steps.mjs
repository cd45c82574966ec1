// Runs each step (a command line) in turn, stops at the first that fails, and prints how long each
// took and the total: `npm test` and `npm run test:drills` say their duration on every run.
import { spawnSync } from 'node:child_process';

const steps = process.argv.slice(2);
const times = [];
const started = performance.now();
let status = 0;
for (const step of steps) {
  const stepStarted = performance.now();
  const result = spawnSync(step, { stdio: 'inherit', shell: true });
  times.push(`${step.split(' ').slice(0, 3).join(' ')}: ${seconds(stepStarted)}`);
  status = result.status ?? 1;
  if (status !== 0) break;
}
console.log(`\n${status === 0 ? 'Done' : 'Failed'} in ${seconds(started)} (${times.join('; ')})`);
process.exit(status);

function seconds(since) {
  const total = Math.round((performance.now() - since) / 1000);
  return total < 60 ? `${total} s` : `${Math.floor(total / 60)} min ${total % 60} s`;
}
