/**
 * A benchmark target in its own process, so that the load generator does not share its event loop:
 * `keyward` starts a Keyward server (PGlite in a temporary directory, the sandbox in-process, no
 * rate limit, no logs); `echo` starts a bare Fastify route that parses a JSON body and sends it
 * back, the ceiling of this HTTP stack. Prints one line of JSON when ready.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { loadConfig } from '@keyward/server';
import { startKeyward } from 'keyward';

const kind = process.argv[2];
if (kind === 'echo') {
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });
  app.post('/echo', async (request) => request.body);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${address.port}` })}\n`);
} else if (kind === 'keyward') {
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-bench-'));
  const config = loadConfig(
    { KEYWARD_SANDBOX_PORT: '0' },
    {
      listen: { port: 0 },
      store: { dataDir },
      operatorToken: process.env.KEYWARD_OPERATOR_TOKEN,
      demoTenant: '',
      logLevel: 'silent',
      rateLimit: { requestsPerSecond: 0 },
    },
  );
  // As `keyward serve` runs it: the sandbox in this process, on a free port.
  const { server, sandbox } = await startKeyward({
    config,
    env: { KEYWARD_SANDBOX_PORT: '0' },
    logger: false,
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, sandbox: sandbox?.endpoint })}\n`);
} else {
  process.stderr.write('usage: target.ts echo|keyward\n');
  process.exit(2);
}

// A clean exit on SIGTERM, so that `node --cpu-prof` can write its profile.
process.once('SIGTERM', () => process.exit(0));

// On each line read from stdin, print the CPU time (µs) this process used since the last one: the
// benchmark divides it by the requests served, a cost that other load on the machine does not move much.
let last = process.cpuUsage();
process.stdin.setEncoding('utf8');
process.stdin.on('data', () => {
  const used = process.cpuUsage(last);
  last = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({ cpuMicros: used.user + used.system })}\n`);
});
