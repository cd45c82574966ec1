import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  KMSClient,
  ListKeysCommand,
} from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The real `keyward` command in a child process, as a user runs it. Every wait is on the child's
 * own output or exit (startup through tsx takes a second or two), never on a fixed sleep.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = 'packages/cli/bin/keyward.js';
/** An upper bound for anything the child should do, so a broken command fails the test instead of hanging it. */
const PATIENCE_MS = 60_000;
/** Some tests start the command twice; on a loaded machine that can take a while. */
const TEST_TIMEOUT_MS = 150_000;

interface Summary {
  endpoint: string;
  region: string;
  dataDir: string | null;
  users: {
    account: string;
    accountAlias?: string;
    userName: string;
    arn: string;
    accessKeyId: string;
    secretAccessKey: string;
  }[];
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<Exit>;
}

const children: ChildProcess[] = [];

/** A clean environment: nothing of the caller's KEYWARD_* settings leaks into the child. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('KEYWARD_')),
  );
  return { ...env, ...extra };
}

function keyward(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exit = new Promise<Exit>((resolveExit, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`keyward ${args.join(' ')} did not exit within ${PATIENCE_MS} ms; stderr: ${stderr}`),
        ),
      PATIENCE_MS,
    );
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolveExit({ code, signal, stdout, stderr });
    });
  });
  // Keep an unobserved rejection (a test that never awaits exit) from failing the run.
  exit.catch(() => undefined);
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

/** Resolves with the first complete line of stdout; rejects if the child exits first. */
function firstLine(running: Running): Promise<string> {
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no stdout line within ${PATIENCE_MS} ms; stderr: ${running.stderr()}`)),
      PATIENCE_MS,
    );
    const check = () => {
      const text = running.stdout();
      const end = text.indexOf('\n');
      if (end < 0) return;
      clearTimeout(timer);
      running.child.stdout!.off('data', check);
      resolveLine(text.slice(0, end));
    };
    running.child.stdout!.on('data', check);
    check();
    void running.exit.then((exit) => {
      clearTimeout(timer);
      reject(
        new Error(
          `keyward exited (code ${String(exit.code)}, signal ${String(exit.signal)}) before printing a line; stderr: ${exit.stderr}`,
        ),
      );
    }, reject);
  });
}

async function startJson(
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<{ running: Running; summary: Summary }> {
  const running = keyward(['sandbox', '--port', '0', '--json', ...args], env);
  const line = await firstLine(running);
  return { running, summary: JSON.parse(line) as Summary };
}

async function stop(running: Running): Promise<Exit> {
  running.child.kill('SIGTERM');
  return running.exit;
}

function sdk(summary: Summary, account: string) {
  const user = summary.users.find(
    (candidate) => candidate.account === account && candidate.userName === 'admin',
  );
  expect(user, `no admin user for ${account} in ${JSON.stringify(summary.users)}`).toBeDefined();
  const config = {
    endpoint: summary.endpoint,
    region: summary.region,
    credentials: { accessKeyId: user!.accessKeyId, secretAccessKey: user!.secretAccessKey },
    maxAttempts: 1,
  };
  return { kms: new KMSClient(config), sts: new STSClient(config) };
}

/** A one-line `keyward: …` message and nothing that looks like a stack trace. */
function expectOneLineError(stderr: string, message: RegExp): void {
  const lines = stderr.split('\n').filter((line) => line !== '');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(stderr).not.toMatch(/^\s+at /m);
  expect(stderr).not.toMatch(/node:internal|\.ts:\d+/);
}

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('keyward sandbox --json', { timeout: TEST_TIMEOUT_MS }, () => {
  it('prints one line of JSON, serves AWS calls, and exits cleanly on SIGTERM', async () => {
    const { running, summary } = await startJson();
    expect(summary.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Number(new URL(summary.endpoint).port)).toBeGreaterThan(0);
    expect(summary.region).toBe('us-east-1');
    expect(summary.dataDir).toBeNull();
    expect(summary.users).toEqual([
      expect.objectContaining({
        account: '111122223333',
        userName: 'admin',
        arn: 'arn:aws:iam::111122223333:user/admin',
        accessKeyId: 'AKIA111122223333ADMN',
        secretAccessKey: 'sandbox-secret-111122223333',
      }),
      expect.objectContaining({
        account: '444455556666',
        userName: 'admin',
        arn: 'arn:aws:iam::444455556666:user/admin',
        accessKeyId: 'AKIA444455556666ADMN',
        secretAccessKey: 'sandbox-secret-444455556666',
      }),
    ]);

    const { kms, sts } = sdk(summary, '111122223333');
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe('arn:aws:iam::111122223333:user/admin');
    const platformKey = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
    expect(platformKey.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    const health = await fetch(`${summary.endpoint}/_sandbox/health`);
    expect(await health.json()).toEqual({ status: 'ok' });
    kms.destroy();
    sts.destroy();

    const exit = await stop(running);
    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
    expect(exit.stdout.split('\n').filter((line) => line !== '')).toHaveLength(1);
    expect(exit.stderr).toBe('');
    // The port is closed after exit.
    await expect(fetch(`${summary.endpoint}/_sandbox/health`)).rejects.toThrow();
  });

  it('also stops on SIGINT', async () => {
    const { running } = await startJson();
    running.child.kill('SIGINT');
    const exit = await running.exit;
    expect(exit.code).toBe(0);
    expect(exit.signal).toBeNull();
  });

  it('prints a banner with the endpoint and access keys without --json', async () => {
    const running = keyward(['sandbox', '--port', '0']);
    const line = await firstLine(running);
    expect(line).toMatch(
      /^Keyward sandbox \(local AWS: KMS, STS, IAM\) listening on http:\/\/127\.0\.0\.1:\d+$/,
    );
    await expect.poll(() => running.stdout(), { timeout: PATIENCE_MS }).toContain('Press Ctrl-C to stop.');
    expect(running.stdout()).toContain('AKIA444455556666ADMN / sandbox-secret-444455556666');
    expect(running.stdout()).toContain('in memory (use --data-dir to keep it)');
    expect((await stop(running)).code).toBe(0);
  });

  it('--data-dir keeps state across two runs', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyward-cli-data-'));
    try {
      const first = await startJson(['--data-dir', dataDir]);
      expect(first.summary.dataDir).toBe(dataDir);
      const customer = sdk(first.summary, '444455556666');
      const created = await customer.kms.send(new CreateKeyCommand({ Description: 'kept by --data-dir' }));
      await customer.kms.send(
        new CreateAliasCommand({ AliasName: 'alias/cli-kept', TargetKeyId: created.KeyMetadata!.KeyId }),
      );
      customer.kms.destroy();
      customer.sts.destroy();
      expect((await stop(first.running)).code).toBe(0);
      expect(statSync(join(dataDir, 'sandbox-state.json')).mode & 0o777).toBe(0o600);

      const second = await startJson(['--data-dir', dataDir]);
      const again = sdk(second.summary, '444455556666');
      const described = await again.kms.send(new DescribeKeyCommand({ KeyId: 'alias/cli-kept' }));
      expect(described.KeyMetadata).toMatchObject({
        Arn: created.KeyMetadata!.Arn,
        Description: 'kept by --data-dir',
      });
      again.kms.destroy();
      again.sts.destroy();
      expect((await stop(second.running)).code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('without --data-dir, a second run starts empty', async () => {
    const first = await startJson();
    const customer = sdk(first.summary, '444455556666');
    await customer.kms.send(new CreateKeyCommand({ Description: 'forgotten' }));
    expect((await customer.kms.send(new ListKeysCommand({}))).Keys).toHaveLength(1);
    customer.kms.destroy();
    customer.sts.destroy();
    expect((await stop(first.running)).code).toBe(0);

    const second = await startJson();
    const again = sdk(second.summary, '444455556666');
    expect((await again.kms.send(new ListKeysCommand({}))).Keys).toEqual([]);
    again.kms.destroy();
    again.sts.destroy();
    expect((await stop(second.running)).code).toBe(0);
  });

  it('reads KEYWARD_SANDBOX_* settings from the environment, and flags win', async () => {
    const { running, summary } = await startJson(['--region', 'eu-west-1'], {
      KEYWARD_SANDBOX_PORT: 'notaport',
      KEYWARD_SANDBOX_REGION: 'us-west-2',
    });
    expect(summary.region).toBe('eu-west-1');
    const { kms, sts } = sdk(summary, '111122223333');
    const platformKey = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
    expect(platformKey.KeyMetadata?.Arn).toMatch(/^arn:aws:kms:eu-west-1:111122223333:key\//);
    kms.destroy();
    sts.destroy();
    expect((await stop(running)).code).toBe(0);
  });
});

describe('keyward sandbox --help', { timeout: TEST_TIMEOUT_MS }, () => {
  it('documents the flags and the KEYWARD_SANDBOX_ environment', async () => {
    const exit = await keyward(['sandbox', '--help']).exit;
    expect(exit.code).toBe(0);
    for (const flag of ['--port', '--seed', '--data-dir', '--host', '--region', '--json'])
      expect(exit.stdout).toContain(flag);
    for (const name of [
      'KEYWARD_SANDBOX_PORT',
      'KEYWARD_SANDBOX_HOST',
      'KEYWARD_SANDBOX_REGION',
      'KEYWARD_SANDBOX_SEED',
      'KEYWARD_SANDBOX_DATA_DIR',
      'KEYWARD_SANDBOX_ADMIN_TOKEN',
      'KEYWARD_SANDBOX_TRAIL_LIMIT',
    ]) {
      expect(exit.stdout).toContain(name);
    }
    expect(exit.stdout).toMatch(/^Usage: keyward sandbox \[options\]/);
    expect(exit.stderr).toBe('');
  });
});

describe('keyward sandbox errors', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a seed file that does not exist: exit 2 and one line on stderr', async () => {
    const exit = await keyward(['sandbox', '--seed', '/nonexistent.yaml']).exit;
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expectOneLineError(
      exit.stderr,
      /^keyward: KW_SANDBOX_SEED: Cannot read seed file \/nonexistent\.yaml: ENOENT: no such file or directory/,
    );
  });

  it('an invalid KEYWARD_SANDBOX_PORT: a config error naming the variable, exit 2', async () => {
    const exit = await keyward(['sandbox'], { KEYWARD_SANDBOX_PORT: 'notaport' }).exit;
    expect(exit.code).toBe(2);
    expect(exit.stdout).toBe('');
    expectOneLineError(
      exit.stderr,
      /^keyward: KW_SANDBOX_CONFIG: Invalid sandbox configuration: port \(KEYWARD_SANDBOX_PORT\): /,
    );
  });

  it.each([['abc'], ['70000'], ['-1'], ['8080x']])(
    '--port %s is rejected before anything starts',
    async (value) => {
      const exit = await keyward(['sandbox', '--port', value, '--json']).exit;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(exit.stdout).toBe('');
      expect(exit.stderr).toMatch(/--port <port>/);
      expect(exit.stderr).toMatch(/a port is a number from 0 to 65535/);
      expect(exit.stderr).not.toMatch(/^\s+at /m);
    },
  );

  it('a port already in use: exit 2 and one line saying so', async () => {
    const blocker = createServer();
    await new Promise<void>((resolveListen) => blocker.listen(0, '127.0.0.1', resolveListen));
    const { port } = blocker.address() as AddressInfo;
    try {
      const exit = await keyward(['sandbox', '--port', String(port)]).exit;
      expect(exit.code).toBe(2);
      expect(exit.stdout).toBe('');
      expectOneLineError(
        exit.stderr,
        new RegExp(
          `^keyward: KW_PORT_IN_USE: The port is already in use; choose another with --port \\(.*EADDRINUSE.*127\\.0\\.0\\.1:${port}\\)$`,
        ),
      );
    } finally {
      await new Promise((resolveClose) => blocker.close(resolveClose));
    }
  });

  it('KEYWARD_DEBUG adds the stack trace', async () => {
    const exit = await keyward(['sandbox', '--seed', '/nonexistent.yaml'], { KEYWARD_DEBUG: '1' }).exit;
    expect(exit.code).toBe(2);
    expect(exit.stderr.split('\n')[0]).toMatch(
      /^keyward: KW_SANDBOX_SEED: Cannot read seed file \/nonexistent\.yaml/,
    );
    expect(exit.stderr).toMatch(/^\s+at /m);
  });

  it('--verbose adds the stack trace; without it there is none', async () => {
    const verbose = await keyward(['sandbox', '--seed', '/nonexistent.yaml', '--verbose']).exit;
    expect(verbose.code).toBe(2);
    expect(verbose.stderr).toMatch(/^\s+at /m);
    const quiet = await keyward(['sandbox', '--seed', '/nonexistent.yaml']).exit;
    expect(quiet.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('npx keyward at the repository root', () => {
  it("runs the workspace's binary after npm ci, with no build step and nothing fetched", async () => {
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn('npx', ['--no', '--', 'keyward', '--version'], {
        cwd: REPO_ROOT,
        env: childEnv({ npm_config_offline: 'true' }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on('close', (code) => done({ code, stdout, stderr }));
    });
    expect(run).toMatchObject({ code: 0, stdout: '0.1.0\n' });
  });
});

interface ServeSummary {
  url: string;
  operatorToken: string | null;
  sandbox: string | null;
  demo: { id: string; externalId: string; adminToken?: string; serviceToken?: string } | null;
}

/** `keyward serve --json` on free ports, with its store (and the sandbox's state) in `dataDir`. */
async function serve(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ running: Running; summary: ServeSummary }> {
  const running = keyward(['serve', '--port', '0', '--data-dir', dataDir, '--json'], {
    KEYWARD_SANDBOX_PORT: '0',
    ...env,
  });
  return { running, summary: JSON.parse(await firstLine(running)) as ServeSummary };
}

async function api(summary: ServeSummary, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(`${summary.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of documented routes
}

describe('keyward serve (npm start)', { timeout: TEST_TIMEOUT_MS }, () => {
  it('starts on the embedded store with the sandbox in-process, seeds the demo tenant, prints the URL and tokens; data survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyward-serve-'));
    try {
      const first = await serve(dataDir);
      const { summary } = first;
      expect(summary.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(summary.sandbox).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(summary.operatorToken).toMatch(/^kwo_[\w-]{43}$/);
      expect(summary.demo).toMatchObject({
        id: 'demo',
        externalId: expect.stringMatching(/^kw-[a-z2-7]{32}$/),
        adminToken: expect.stringMatching(/^kwa_/),
        serviceToken: expect.stringMatching(/^kws_/),
      });
      expect((await fetch(`${summary.url}/healthz`)).status).toBe(200);
      const tenants = await api(summary, summary.operatorToken!, 'GET', '/v1/tenants');
      expect(tenants.body.tenants).toEqual([
        expect.objectContaining({
          id: 'demo',
          byok: expect.objectContaining({ state: 'pending', externalId: summary.demo!.externalId }),
        }),
      ]);
      const sealed = await api(summary, summary.demo!.serviceToken!, 'POST', '/v1/tenants/demo/encrypt', {
        items: [{ text: 'kept across restarts' }],
      });
      expect(sealed.status).toBe(200);
      expect((await stop(first.running)).code).toBe(0);

      // Same directory: the same tenant and External ID, its key still unwraps (the sandbox's platform key was kept too).
      const operatorToken = 'a-fixed-operator-token-0123456789abcdef';
      const second = await serve(dataDir, { KEYWARD_OPERATOR_TOKEN: operatorToken });
      expect(second.summary.operatorToken).toBeNull(); // configured: never printed
      expect(second.running.stdout()).not.toContain(operatorToken);
      expect(second.summary.demo).toEqual({ id: 'demo', externalId: summary.demo!.externalId });
      const opened = await api(second.summary, operatorToken, 'POST', '/v1/tenants/demo/decrypt', {
        encoding: 'utf8',
        items: [{ ciphertext: sealed.body.results[0].ciphertext }],
      });
      expect(opened.body).toEqual({ results: [{ ok: true, text: 'kept across restarts' }] });
      expect((await stop(second.running)).code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints a banner with the URL, the reference and the operator token without --json', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keyward-serve-'));
    try {
      const running = keyward(['serve', '--port', '0', '--data-dir', dataDir], {
        KEYWARD_SANDBOX_PORT: '0',
        KEYWARD_LOG_LEVEL: 'warn',
      });
      await expect.poll(() => running.stdout(), { timeout: PATIENCE_MS }).toMatch(/Press Ctrl-C to stop/);
      expect(running.stdout()).toMatch(/Keyward is running at http:\/\/127\.0\.0\.1:\d+/);
      expect(running.stdout()).toMatch(/API reference\s+http:\/\/127\.0\.0\.1:\d+\/docs/);
      expect(running.stdout()).toMatch(/operator token\s+kwo_/);
      expect(running.stdout()).toMatch(/demo tenant\s+demo\s+External ID kw-/);
      expect((await stop(running)).code).toBe(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an invalid setting stops start-up with one line naming it and its variable, exit 2', async () => {
    const exit = await keyward(['serve'], { KEYWARD_CACHE_TTL_SECONDS: '7200' }).exit;
    expect(exit.code).toBe(2);
    expectOneLineError(
      exit.stderr,
      /^keyward: KW_CONFIG_INVALID: Invalid configuration: cache\.ttlSeconds \(KEYWARD_CACHE_TTL_SECONDS\): must be at most 3600/,
    );
  });

  it('--help lists every setting with its variable, and examples', async () => {
    const exit = await keyward(['serve', '--help']).exit;
    expect(exit.code).toBe(0);
    for (const name of [
      'KEYWARD_PORT',
      'DATABASE_URL',
      'KEYWARD_AWS_MODE',
      'KEYWARD_ROOT_KEY',
      'KEYWARD_OPERATOR_TOKEN',
      'KEYWARD_RATE_LIMIT_PER_SECOND',
      'KEYWARD_CONFIG_FILE',
    ])
      expect(exit.stdout).toContain(name);
    expect(exit.stdout).toMatch(/Examples:/);
  });
});
