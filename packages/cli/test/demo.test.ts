import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAwsCliV2 } from '@keyward/test-kit/aws-cli';

/**
 * `keyward demo` through the real binary, as a subprocess: the whole journey end to end, each
 * event asserted; with the AWS CLI (Debian's awscli, which CI installs) and without it.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const cleanEnv = () =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KEYWARD_')));

function keyward(args: string[], env: Record<string, string> = {}, input?: string): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['packages/cli/bin/keyward.js', ...args], {
      cwd: REPO_ROOT,
      env: { ...cleanEnv(), NO_COLOR: '1', ...env },
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
    child.stdin.end(input ?? '');
  });
}

type Event = { event: string; step: string | null; elapsedMs: number } & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const STEPS = [
  'start',
  'tenant',
  'kit',
  'customer',
  'aws-cli',
  'configure',
  'test',
  'enable',
  'encrypt',
  'revoke',
  'restore',
];
const CHECK_IDS = [
  'arn-syntax',
  'assume-role',
  'external-id-required',
  'describe-key',
  'round-trip',
  'reencrypt',
];

/** The events other than `step`, in order, with the AWS CLI's part given. */
const journey = (awsCli: string[]) => [
  'started',
  'tenant.created',
  'kit.shown',
  'customer.key_created',
  'customer.role_created',
  'customer.key_policy_updated',
  ...awsCli,
  'byok.configured',
  ...CHECK_IDS.map(() => 'check'),
  'test.finished',
  'byok.enabled',
  'records.encrypted',
  'records.read',
  'customer.key_disabled',
  'reads.refused',
  'customer.key_enabled',
  'reads.restored',
  'finished',
];

function byName(events: Event[], name: string): Event {
  const found = events.find((event) => event.event === name);
  expect(found, `no ${name} event`).toBeDefined();
  return found!;
}

describe('keyward demo', () => {
  it(
    '--json: every event of the journey, in order, with the AWS CLI checks from the kit',
    { timeout: 150_000 },
    async () => {
      const cli = await findAwsCliV2();
      if (cli === undefined && process.env.CI)
        throw new Error("CI must have the AWS CLI v2 (Debian package awscli) for the demo's CLI checks.");
      const run = await keyward(
        ['demo', '--json'],
        cli === undefined ? { KEYWARD_AWS_CLI: '/nonexistent/aws' } : { KEYWARD_AWS_CLI: cli },
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Event);

      // Steps in order, numbered, and every other event belongs to the step before it.
      const steps = events.filter((event) => event.event === 'step');
      expect(steps.map((step) => step.step)).toEqual(STEPS);
      expect(steps.map((step) => [step.n, step.of])).toEqual(
        STEPS.map((_, index) => [index + 1, STEPS.length]),
      );
      let current: string | null = null;
      for (const event of events) {
        if (event.event === 'step') current = event.step;
        else if (event.event !== 'finished') expect(event.step, event.event).toBe(current);
      }
      expect(events.map((event) => event.elapsedMs)).toEqual(
        [...events.map((event) => event.elapsedMs)].sort((a, b) => a - b),
      );
      expect(events.filter((event) => event.event !== 'step').map((event) => event.event)).toEqual(
        journey(cli === undefined ? ['awscli.skipped'] : ['awscli.assume_role', 'awscli.describe_key']),
      );

      const started = byName(events, 'started');
      expect(started).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        sandbox: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        platformAccount: '111122223333',
        customerAccount: '444455556666',
      });
      expect(existsSync(started.dataDir), 'the demo leaves nothing behind').toBe(false);
      expect(byName(events, 'tenant.created')).toMatchObject({ tenantId: 'acme', keyMode: 'platform' });
      const kit = byName(events, 'kit.shown');
      expect(kit).toMatchObject({
        serviceRoleArn: 'arn:aws:iam::111122223333:role/keyward-service',
        externalId: expect.stringMatching(/^kw-[a-z2-7]{32}$/),
      });

      // The customer applied the kit verbatim: its trust policy names the Service Role and this External ID.
      const cmkArn = byName(events, 'customer.key_created').cmkArn as string;
      expect(cmkArn).toMatch(/^arn:aws:kms:us-east-1:444455556666:key\/[0-9a-f-]{36}$/);
      const role = byName(events, 'customer.role_created');
      expect(role.roleArn).toBe('arn:aws:iam::444455556666:role/KeywardByokAccess');
      expect(role.trustPolicy.Statement).toEqual([
        expect.objectContaining({
          Principal: { AWS: kit.serviceRoleArn },
          Condition: { StringEquals: { 'sts:ExternalId': kit.externalId } },
        }),
      ]);
      expect(role.permissionsPolicy.Statement[0].Resource).toBe(cmkArn);
      const keyPolicy = byName(events, 'customer.key_policy_updated');
      expect(keyPolicy).toMatchObject({
        statements: 2,
        statement: { Sid: 'AllowKeywardByokRole', Principal: { AWS: role.roleArn } },
      });

      if (cli !== undefined) {
        expect(byName(events, 'awscli.assume_role')).toMatchObject({
          ok: true,
          cli: expect.stringMatching(/^aws-cli\/2\./),
          assumedRoleArn: 'arn:aws:sts::444455556666:assumed-role/KeywardByokAccess/keyward-acme',
        });
        expect(byName(events, 'awscli.describe_key')).toMatchObject({
          ok: true,
          keyState: 'Enabled',
          keySpec: 'SYMMETRIC_DEFAULT',
          keyUsage: 'ENCRYPT_DECRYPT',
          keyManager: 'CUSTOMER',
        });
      }
      expect(byName(events, 'byok.configured')).toMatchObject({
        roleArn: role.roleArn,
        cmkArn,
        state: 'pending',
      });
      const checks = events.filter((event) => event.event === 'check');
      expect(checks.map((check) => [check.id, check.status])).toEqual(CHECK_IDS.map((id) => [id, 'pass']));
      expect(byName(events, 'test.finished').ok).toBe(true);
      expect(byName(events, 'byok.enabled')).toMatchObject({
        state: 'active',
        rewrapped: 1,
        jobId: expect.stringMatching(/^job_/),
      });

      const encrypted = byName(events, 'records.encrypted');
      expect(encrypted.count).toBe(3);
      expect(encrypted.ciphertexts).toEqual([
        expect.stringMatching(/^kw1:/),
        expect.stringMatching(/^kw1:/),
        expect.stringMatching(/^kw1:/),
      ]);
      expect(byName(events, 'records.read')).toMatchObject({ count: 3, intact: true });
      expect(byName(events, 'customer.key_disabled').cmkArn).toBe(cmkArn);
      expect(byName(events, 'reads.refused')).toMatchObject({
        code: 'KW_BYOK_REVOKED',
        state: 'revoked',
        reason: expect.stringContaining('disabled'),
      });
      expect(byName(events, 'customer.key_enabled').cmkArn).toBe(cmkArn);
      expect(byName(events, 'reads.restored')).toMatchObject({ state: 'active', count: 3, intact: true });
      expect(byName(events, 'finished')).toMatchObject({ ok: true, step: null, seconds: expect.any(Number) });
    },
  );

  it(
    'narrates in words without --json, skips the AWS CLI when there is none, and --step waits for Enter before each step',
    { timeout: 150_000 },
    async () => {
      const child = spawn(process.execPath, ['packages/cli/bin/keyward.js', 'demo', '--step'], {
        cwd: REPO_ROOT,
        env: { ...cleanEnv(), NO_COLOR: '1', KEYWARD_AWS_CLI: '/nonexistent/aws' },
      });
      let stdout = '';
      let stderr = '';
      const headers = () => (stdout.match(/^\[\d+\/11\]/gm) ?? []).length;
      const seenAtPrompt: number[] = [];
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        // At each prompt, the next step must not have started: answer only then, one Enter at a time.
        for (
          let prompts = (stderr.match(/Press Enter for: /g) ?? []).length;
          seenAtPrompt.length < prompts;
        ) {
          seenAtPrompt.push(headers());
          setTimeout(() => child.stdin.write('\n'), 300);
        }
      });
      const code = await new Promise<number | null>((done) => child.on('close', done));
      expect(code).toBe(0);
      expect(seenAtPrompt).toEqual(STEPS.slice(1).map((_, index) => index + 1));
      for (let n = 1; n <= STEPS.length; n += 1) expect(stdout).toContain(`[${n}/${STEPS.length}]`);
      expect(stdout).toContain('skipped: KEYWARD_AWS_CLI (/nonexistent/aws) is not a working AWS CLI.');
      expect(stdout).toContain('Every check passed.');
      expect(stdout).toMatch(/decrypt → KW_BYOK_REVOKED: /);
      expect(stdout).toMatch(/state revoked: disabled: the customer disabled the CMK/);
      expect(stdout).toMatch(/Done in [\d.]+ s\./);
      // NO_COLOR, and not a terminal: no escape codes.
      expect(stdout + stderr).not.toContain('\u001b[');
    },
  );

  it(
    'a failing step, Ctrl-C and SIGTERM: the failed or stopped event, the documented exit code, and nothing left in the temporary directory',
    { timeout: 150_000 },
    async () => {
      const tmp = mkdtempSync(join(tmpdir(), 'keyward-demo-test-'));
      try {
        // An "AWS CLI" that answers --version and refuses everything else.
        const fake = join(tmp, 'aws');
        writeFileSync(
          fake,
          '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "aws-cli/2.0.0 fake"; exit 0; fi\necho "An error occurred (AccessDenied) when calling the AssumeRole operation" >&2\nexit 254\n',
          { mode: 0o755 },
        );
        const temp = join(tmp, 'temp');
        // The demo's own directories (tsx keeps its compile cache there too, which is not the demo's).
        const demoDirs = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('keyward-demo-'));
        mkdirSync(temp);
        const failing = await keyward(['demo', '--json'], { KEYWARD_AWS_CLI: fake, TMPDIR: temp });
        expect(failing.code).toBe(1);
        expect(failing.stderr).toBe(
          'keyward: KW_DEMO_FAILED: aws sts assume-role failed (exit 254): An error occurred (AccessDenied) when calling the AssumeRole operation\n',
        );
        const events = failing.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Event);
        expect(events.at(-1)).toMatchObject({ event: 'failed', step: 'aws-cli', code: 'KW_DEMO_FAILED' });
        expect(demoDirs(temp)).toEqual([]);

        for (const [signal, exit, after] of [
          ['SIGINT', 130, 'started'],
          ['SIGTERM', 143, 'step'],
        ] as const) {
          const child = spawn(process.execPath, ['packages/cli/bin/keyward.js', 'demo', '--json'], {
            cwd: REPO_ROOT,
            env: { ...cleanEnv(), KEYWARD_AWS_CLI: '/nonexistent/aws', TMPDIR: temp },
          });
          let out = '';
          let err = '';
          let sent = false;
          child.stderr.on('data', (chunk: Buffer) => {
            err += chunk.toString();
          });
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            // SIGTERM as soon as the first step is announced (during start-up); SIGINT once the server is up.
            if (!sent && out.includes(`"event":"${after}"`)) {
              sent = true;
              child.kill(signal);
            }
          });
          const code = await new Promise<number | null>((done) => child.on('close', done));
          expect(code, `${signal}: ${err}`).toBe(exit);
          expect(err).toBe('');
          const last = JSON.parse(out.trim().split('\n').at(-1)!) as Event;
          expect(last).toMatchObject({ event: 'stopped', signal });
          expect(demoDirs(temp), signal).toEqual([]);
        }
      } finally {
        rmSync(tmp, { recursive: true, force: true });
      }
    },
  );

  it('bad input and usage mistakes: one line with the code, exit 2, before anything starts', async () => {
    const badTenant = await keyward(['demo', '--tenant', 'bad id']);
    expect(badTenant).toMatchObject({ code: 2, stdout: '' });
    expect(badTenant.stderr).toMatch(/^keyward: KW_INVALID_TENANT_ID: .+\n$/);
    const unknown = await keyward(['demo', '--bogus']);
    expect(unknown).toMatchObject({
      code: 2,
      stderr: "keyward: KW_USAGE: unknown option '--bogus' (see: keyward demo --help)\n",
    });
    const help = await keyward(['demo', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('keyward demo --json');
    expect(help.stdout).toContain('reads.refused');
  });
});
