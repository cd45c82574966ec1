import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import type { RunningSandbox } from '@keyward/sandbox';
import { applyKit, createCustomerKey } from '@keyward/test-kit/customer-account';

/**
 * Issue 5's benchmark: HTTP encrypt and decrypt of 1 KiB items, single and in batches of 100, with
 * autocannon against one Keyward server process, side by side with a bare Fastify route that
 * echoes the same body (the ceiling of this stack). Each target runs in its own process; the
 * load generator runs here. Targets: single encrypt ≥ 60% of the echo's requests/s; batches ≥
 * 50,000 items/s.
 */
export interface ServerBenchRow {
  name: string;
  requestsPerSecond: number;
  itemsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Server CPU time per request, in µs: steadier than requests/s on a shared machine. */
  cpuMicrosPerRequest: number;
  failures: number;
}

const OPERATOR_TOKEN = 'bench-operator-token-0123456789abcdef0123456789';
const SECONDS = Number(process.env.KEYWARD_BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.KEYWARD_BENCH_CONNECTIONS ?? 32);
const ROUNDS = 2;
/** `KEYWARD_BENCH_CASES=single` runs only the single-item cases (for quick comparisons while tuning). */
const ONLY = process.env.KEYWARD_BENCH_CASES;

interface Target {
  info: { url: string; sandbox?: string };
  child: ChildProcess;
  /** The target's CPU time (µs) since the previous call. */
  cpu(): Promise<number>;
}

async function startTarget(kind: 'echo' | 'keyward'): Promise<Target> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./server/target.ts', import.meta.url).pathname, kind],
    { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, KEYWARD_OPERATOR_TOKEN: OPERATOR_TOKEN } },
  );
  const lines = createInterface({ input: child.stdout! });
  let exited: Error | undefined;
  const waiting = new Set<(error: Error) => void>();
  child.once('exit', (code) => {
    exited = new Error(`${kind} target exited with ${code}`);
    for (const reject of waiting) reject(exited);
  });
  const next = () =>
    new Promise<string>((resolve, reject) => {
      if (exited !== undefined) return reject(exited);
      waiting.add(reject);
      lines.once('line', (line) => {
        waiting.delete(reject);
        resolve(line);
      });
    });
  const info = JSON.parse(await next()) as { url: string; sandbox?: string };
  return {
    info,
    child,
    async cpu() {
      const answer = next();
      child.stdin!.write('\n');
      return (JSON.parse(await answer) as { cpuMicros: number }).cpuMicros;
    },
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON of known routes
async function call(url: string, method: string, path: string, token: string, body?: unknown): Promise<any> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A BYOK tenant, set up as the journey does it: the kit applied in the sandbox, tested, enabled. */
async function byokTenant(url: string, sandbox: string): Promise<string> {
  const box = {
    endpoint: sandbox,
    credentials: (account: string) => ({
      accessKeyId: `AKIA${account}ADMN`,
      secretAccessKey: `sandbox-secret-${account}`,
    }),
  } as unknown as RunningSandbox;
  await call(url, 'POST', '/v1/tenants', OPERATOR_TOKEN, { id: 'bench', name: 'Bench Corp' });
  await call(url, 'POST', '/v1/tenants/bench/byok/external-id', OPERATOR_TOKEN);
  const cmkArn = await createCustomerKey(box);
  const roleArn = 'arn:aws:iam::444455556666:role/KeywardByokBench';
  const kit = await call(
    url,
    'GET',
    `/v1/tenants/bench/byok/kit?roleArn=${encodeURIComponent(roleArn)}&cmkArn=${encodeURIComponent(cmkArn)}`,
    OPERATOR_TOKEN,
  );
  await applyKit(box, kit);
  await call(url, 'PUT', '/v1/tenants/bench/byok/config', OPERATOR_TOKEN, { roleArn, cmkArn });
  const report = await call(url, 'POST', '/v1/tenants/bench/byok/test', OPERATOR_TOKEN);
  if (!report.ok)
    throw new Error(`the bench tenant's onboarding test failed: ${JSON.stringify(report.results)}`);
  await call(url, 'POST', '/v1/tenants/bench/byok/enable', OPERATOR_TOKEN);
  return (await call(url, 'POST', '/v1/tenants/bench/tokens', OPERATOR_TOKEN, { kind: 'service' }))
    .token as string;
}

async function load(
  name: string,
  target: Target,
  url: string,
  token: string,
  body: string,
  items: number,
): Promise<ServerBenchRow> {
  const options = {
    url,
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
  };
  await autocannon({ ...options, duration: 1 });
  await target.cpu();
  const result = await autocannon({ ...options, duration: SECONDS });
  const cpu = await target.cpu();
  return {
    name,
    requestsPerSecond: result.requests.average,
    itemsPerSecond: result.requests.average * items,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuMicrosPerRequest: cpu / result.requests.total,
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

function mean(rows: ServerBenchRow[]): ServerBenchRow {
  const avg = (pick: (row: ServerBenchRow) => number) =>
    rows.reduce((sum, row) => sum + pick(row), 0) / rows.length;
  return {
    name: rows[0]!.name,
    requestsPerSecond: avg((r) => r.requestsPerSecond),
    itemsPerSecond: avg((r) => r.itemsPerSecond),
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
    cpuMicrosPerRequest: avg((r) => r.cpuMicrosPerRequest),
    failures: rows.reduce((s, r) => s + r.failures, 0),
  };
}

export async function serverBenchmarks(): Promise<{
  rows: ServerBenchRow[];
  singleRatio: number;
  batchItemsPerSecond: { encrypt: number; decrypt: number };
}> {
  const keyward = await startTarget('keyward');
  const echo = await startTarget('echo');
  try {
    const { url } = keyward.info;
    const token = await byokTenant(url, keyward.info.sandbox!);
    const plaintext = randomBytes(1024).toString('base64');
    const single = JSON.stringify({ items: [{ plaintext }] });
    const batch = JSON.stringify({ items: Array.from({ length: 100 }, () => ({ plaintext })) });
    const sealed = await call(url, 'POST', '/v1/tenants/bench/encrypt', token, {
      items: Array.from({ length: 100 }, () => ({ plaintext })),
    });
    const ciphertexts = sealed.results.map((r: { ciphertext: string }) => ({ ciphertext: r.ciphertext }));
    const decryptSingle = JSON.stringify({ items: [ciphertexts[0]] });
    const decryptBatch = JSON.stringify({ items: ciphertexts });
    const cases: Array<[string, Target, string, string, number]> = [
      ['echo, 1 KiB item (baseline)', echo, `${echo.info.url}/echo`, single, 1],
      ['encrypt, 1 KiB item', keyward, `${url}/v1/tenants/bench/encrypt`, single, 1],
      ['decrypt, 1 KiB item', keyward, `${url}/v1/tenants/bench/decrypt`, decryptSingle, 1],
      ['echo, batch of 100 × 1 KiB (baseline)', echo, `${echo.info.url}/echo`, batch, 100],
      ['encrypt, batch of 100 × 1 KiB', keyward, `${url}/v1/tenants/bench/encrypt`, batch, 100],
      ['decrypt, batch of 100 × 1 KiB', keyward, `${url}/v1/tenants/bench/decrypt`, decryptBatch, 100],
    ];
    if (ONLY === 'single') cases.splice(3);
    const byName = new Map<string, ServerBenchRow[]>();
    // Rounds alternate over every case, so that drift on this shared machine hits all of them.
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, target, targetUrl, body, items] of cases) {
        const row = await load(name, target, targetUrl, token, body, items);
        byName.set(name, [...(byName.get(name) ?? []), row]);
      }
    }
    const rows = cases.map(([name]) => mean(byName.get(name)!));
    const find = (name: string) =>
      rows.find((row) => row.name === name) ?? { requestsPerSecond: NaN, itemsPerSecond: NaN };
    return {
      rows,
      singleRatio:
        find('encrypt, 1 KiB item').requestsPerSecond / find('echo, 1 KiB item (baseline)').requestsPerSecond,
      batchItemsPerSecond: {
        encrypt: find('encrypt, batch of 100 × 1 KiB').itemsPerSecond,
        decrypt: find('decrypt, batch of 100 × 1 KiB').itemsPerSecond,
      },
    };
  } finally {
    keyward.child.kill('SIGTERM');
    echo.child.kill('SIGTERM');
  }
}

export function printServerTable(result: Awaited<ReturnType<typeof serverBenchmarks>>): void {
  console.log(
    `autocannon: ${CONNECTIONS} connections, ${SECONDS} s per case after 1 s of warm-up, mean of ${ROUNDS} alternating rounds`,
  );
  console.log('| case | req/s | items/s | p50 ms | p99 ms | server CPU µs/request | failed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of result.rows) {
    console.log(
      `| ${row.name} | ${row.requestsPerSecond.toFixed(0)} | ${row.itemsPerSecond.toFixed(0)} | ${row.p50Ms.toFixed(2)} | ${row.p99Ms.toFixed(2)} | ${row.cpuMicrosPerRequest.toFixed(0)} | ${row.failures} |`,
    );
  }
  console.log(`\nsingle encrypt / echo: ${(result.singleRatio * 100).toFixed(0)}% (target ≥ 60%)`);
  console.log(
    `batch items/s: encrypt ${result.batchItemsPerSecond.encrypt.toFixed(0)}, decrypt ${result.batchItemsPerSecond.decrypt.toFixed(0)} (target ≥ 50,000)`,
  );
}
