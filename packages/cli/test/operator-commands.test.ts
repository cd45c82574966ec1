import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CUSTOMER_ACCOUNT_ID } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyKit,
  createCustomerKey,
  OPERATOR_TOKEN,
  startHarness,
  type Harness,
} from '../../server/test/http/harness.js';
import { BACKENDS } from '../../server/test/store/backends.js';

/**
 * The operator commands (issue 8, in part) through the real `keyward` binary, as a subprocess,
 * against an embedded server and the sandbox.
 */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('keyward tenants and byok against a running server', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(BACKENDS[0]!);
  }, 60_000);
  afterAll(async () => h?.close());

  function keyward(args: string[], env: Record<string, string> = {}): Promise<Run> {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('KEYWARD_')),
    );
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['packages/cli/bin/keyward.js', ...args],
        {
          cwd: REPO_ROOT,
          env: { ...clean, KEYWARD_URL: h.url, KEYWARD_TOKEN: OPERATOR_TOKEN, NO_COLOR: '1', ...env },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          done({
            code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
            stdout,
            stderr,
          });
        },
      );
    });
  }

  it('tenants create, list and show, as text and as JSON', { timeout: 60_000 }, async () => {
    const created = await keyward(['tenants', 'create', 'acme', '--name', 'Acme Corp']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toContain('Created tenant acme (Acme Corp).');
    const listed = await keyward(['tenants', 'list']);
    expect(listed.stdout).toMatch(/acme\s+not_configured\s+Acme Corp/);
    const shown = JSON.parse((await keyward(['tenants', 'show', 'acme', '--json'])).stdout);
    expect(shown).toMatchObject({ id: 'acme', name: 'Acme Corp', byok: { state: 'not_configured' } });
  });

  it(
    'byok kit, set, test, enable and status take a tenant through BYOK; a failing test exits 3',
    { timeout: 90_000 },
    async () => {
      await keyward(['tenants', 'create', 'globex', '--name', 'Globex']);
      const guide = await keyward(['byok', 'kit', 'globex']);
      expect(guide.code).toBe(0);
      expect(guide.stdout).toContain(h.server.services.platform.serviceRoleArn);
      const cmkArn = await createCustomerKey(h.box);
      const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/keyward-byok-globex`;
      const set = await keyward(['byok', 'set', 'globex', '--role-arn', roleArn, '--cmk-arn', cmkArn]);
      expect(set.stdout).toContain('Saved the ARNs for globex');

      // Before the customer has done anything: the test fails, with exit code 3 and what to fix.
      const failing = await keyward(['byok', 'test', 'globex']);
      expect(failing.code).toBe(3);
      expect(failing.stdout).toContain('FAIL');
      expect(failing.stdout).toContain('fix:');

      const kit = JSON.parse((await keyward(['byok', 'kit', 'globex', '--format', 'json'])).stdout);
      expect((await keyward(['byok', 'kit', 'globex', '--format', 'cloudformation'])).stdout).toContain(
        'AWS::IAM::Role',
      );
      expect((await keyward(['byok', 'kit', 'globex', '--format', 'terraform'])).stdout).toContain(
        'aws_iam_role',
      );
      await applyKit(h.box, kit);
      const passing = await keyward(['byok', 'test', 'globex']);
      expect(passing.code).toBe(0);
      expect(passing.stdout).toContain('Every check passed.');

      const enabled = await keyward(['byok', 'enable', 'globex']);
      expect(enabled).toMatchObject({ code: 0 });
      expect(enabled.stdout).toMatch(/Done: globex is active/);
      const status = JSON.parse((await keyward(['byok', 'status', 'globex', '--json'])).stdout);
      expect(status).toMatchObject({ state: 'active', keyMode: 'customer', cmkArn, job: null });
    },
  );

  it(
    'usage mistakes and refusals are one line on stderr with the code, and the documented exit code; never a stack trace',
    { timeout: 60_000 },
    async () => {
      const noToken = await keyward(['tenants', 'list'], { KEYWARD_TOKEN: '' });
      expect(noToken.code).toBe(2);
      expect(noToken.stderr.trim().split('\n')).toHaveLength(1);
      expect(noToken.stderr).toMatch(/^keyward: KW_USAGE: No token: pass --token or set KEYWARD_TOKEN/);

      const badArn = await keyward([
        'byok',
        'set',
        'acme',
        '--role-arn',
        'not-an-arn',
        '--cmk-arn',
        'arn:aws:kms:us-east-1:444455556666:key/x',
      ]);
      expect(badArn.code).toBe(2);
      expect(badArn.stderr).toMatch(/^keyward: KW_\w+: /);

      const missingOption = await keyward([
        'byok',
        'set',
        'acme',
        '--role-arn',
        'arn:aws:iam::444455556666:role/x',
      ]);
      expect(missingOption.code).toBe(2);
      expect(missingOption.stderr).toBe(
        "keyward: KW_USAGE: required option '--cmk-arn <arn>' not specified (see: keyward byok set --help)\n",
      );

      const wrongToken = await keyward(['tenants', 'list'], {
        KEYWARD_TOKEN: 'kwa_wrongwrongwrongwrongwrongwrongwrongwrongwro',
      });
      expect(wrongToken.code).toBe(1);
      expect(wrongToken.stderr).toMatch(/^keyward: KW_UNAUTHENTICATED: .+\n$/);

      const unknown = await keyward(['tenants', 'show', 'nobody']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^keyward: KW_\w+: /);

      const badUrl = await keyward(['tenants', 'list', '--url', 'ftp://example']);
      expect(badUrl.code).toBe(2);
      for (const run of [noToken, badArn, missingOption, wrongToken, unknown, badUrl])
        expect(run.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it(
    'keys list, rotate and floors; audit list and verify; jobs list and watch',
    { timeout: 90_000 },
    async () => {
      // globex was enabled above: two versions (one from before BYOK, one born under the CMK).
      const rotated = await keyward(['keys', 'rotate', 'globex']);
      expect(rotated.stdout).toContain('globex: key version 3 is now the latest.');
      const listed = await keyward(['keys', 'list', 'globex']);
      expect(listed.stdout).toContain('latest 3; encryption floor 2; decryption floor 1');
      expect((await keyward(['keys', 'floors', 'globex', '--min-decryption', '2'])).stdout).toContain(
        'decryption floor 2',
      );
      const badFloor = await keyward(['keys', 'floors', 'globex', '--min-decryption', 'two']);
      expect(badFloor.code).toBe(2);
      expect((await keyward(['keys', 'floors', 'globex'])).code).toBe(2);
      const refused = await keyward(['keys', 'floors', 'globex', '--min-decryption', '9']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/^keyward: KW_FLOORS_INVALID: /);

      const events = JSON.parse(
        (await keyward(['audit', 'list', '--tenant', 'globex', '--operation', 'keys.*', '--json'])).stdout,
      ) as Array<{ operation: string }>;
      expect(events.map((event) => event.operation)).toEqual(
        expect.arrayContaining(['keys.rotate', 'keys.floors']),
      );
      const verified = await keyward(['audit', 'verify']);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toMatch(/The chain verifies: \d+ events, head [0-9a-f]{64}/);
      expect((await keyward(['audit', 'verify', '--head', 'f'.repeat(64)])).code).toBe(1);

      const jobs = JSON.parse(
        (await keyward(['jobs', 'list', '--tenant', 'globex', '--json'])).stdout,
      ) as Array<{ id: string; kind: string; state: string }>;
      expect(jobs).toEqual([expect.objectContaining({ kind: 'byok.enable', state: 'succeeded' })]);
      const watched = await keyward(['jobs', 'watch', jobs[0]!.id, '--interval', '100']);
      expect(watched.code).toBe(0);
      expect(watched.stdout).toContain('byok.enable succeeded [##############################] 1/1');
      expect((await keyward(['jobs', 'watch', 'job_00000000-0000-4000-8000-000000000000'])).code).toBe(1);
    },
  );

  it(
    'encrypt, decrypt and rewrap files and lines; bad input is one line with its code',
    { timeout: 90_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
      try {
        const secret = Buffer.from([0, 1, 2, 250, 255, 10, 13]);
        writeFileSync(join(dir, 'secret.bin'), secret);
        expect(
          (
            await keyward([
              'encrypt',
              'globex',
              '--in',
              join(dir, 'secret.bin'),
              '--out',
              join(dir, 'secret.kw1'),
              '--context',
              'table=cards',
            ])
          ).code,
        ).toBe(0);
        expect(readFileSync(join(dir, 'secret.kw1'), 'utf8')).toMatch(/^kw1:[\w-]+\n$/);
        expect(
          (
            await keyward([
              'decrypt',
              'globex',
              '--in',
              join(dir, 'secret.kw1'),
              '--out',
              join(dir, 'back.bin'),
              '--context',
              'table=cards',
            ])
          ).code,
        ).toBe(0);
        expect(readFileSync(join(dir, 'back.bin')).equals(secret)).toBe(true);
        // The context is bound: without it, nothing decrypts.
        const wrongContext = await keyward(['decrypt', 'globex', '--in', join(dir, 'secret.kw1')]);
        expect(wrongContext.code).toBe(2);
        expect(wrongContext.stderr).toMatch(/^keyward: KW_DECRYPTION_FAILED: /);

        writeFileSync(join(dir, 'rows.txt'), 'alice@example.com\nbob@example.com\n\ncarol@example.com\n');
        await keyward([
          'encrypt',
          'globex',
          '--lines',
          '--in',
          join(dir, 'rows.txt'),
          '--out',
          join(dir, 'rows.kw1'),
        ]);
        const sealed = readFileSync(join(dir, 'rows.kw1'), 'utf8').trim().split('\n');
        expect(sealed).toHaveLength(3);
        await keyward(['keys', 'rotate', 'globex']);
        await keyward([
          'rewrap',
          'globex',
          '--lines',
          '--in',
          join(dir, 'rows.kw1'),
          '--out',
          join(dir, 'rows2.kw1'),
        ]);
        const rewrapped = readFileSync(join(dir, 'rows2.kw1'), 'utf8').trim().split('\n');
        expect(rewrapped).toHaveLength(3);
        expect(rewrapped).not.toEqual(sealed);
        const opened = await keyward(['decrypt', 'globex', '--lines', '--in', join(dir, 'rows2.kw1')]);
        expect(opened.stdout).toBe('alice@example.com\nbob@example.com\ncarol@example.com\n');

        const unreadable = await keyward(['encrypt', 'globex', '--in', join(dir, 'missing.bin')]);
        expect(unreadable.code).toBe(2);
        expect(unreadable.stderr).toBe(
          `keyward: KW_USAGE: Cannot read ${join(dir, 'missing.bin')}: ENOENT.\n`,
        );
        const badContext = await keyward([
          'encrypt',
          'globex',
          '--in',
          join(dir, 'secret.bin'),
          '--context',
          'nokey',
        ]);
        expect(badContext.code).toBe(2);
        const malformed = await keyward(['decrypt', 'globex', '--in', join(dir, 'rows.txt'), '--lines']);
        expect(malformed.code).toBe(2);
        expect(malformed.stderr).toMatch(/^keyward: KW_CIPHERTEXT_MALFORMED: /);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
