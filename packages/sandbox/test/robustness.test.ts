import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultSeed, type RunningSandbox } from '../src/index.js';
import { clients, platformAdmin, sandbox } from '@keyward/test-kit/sandbox-clients';

/** Requests that break things outside any one AWS operation must never take the sandbox down. */
function rawHttp(endpoint: string, request: string): Promise<string> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

describe('robustness', () => {
  let box: RunningSandbox | undefined;
  afterEach(async () => {
    await box?.close();
    box = undefined;
  });

  it('answers a request target that is not a URL with 400, and keeps serving', async () => {
    box = await sandbox();
    const answer = await rawHttp(
      box.endpoint,
      'POST //[ HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    const identity = await clients(box, platformAdmin(box)).sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe('111122223333');
  });

  it('keeps its state when a reset cannot re-seed (the seed file went bad), and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keyward-reset-'));
    const seedFile = join(dir, 'seed.json');
    writeFileSync(seedFile, JSON.stringify(defaultSeed()));
    box = await sandbox({ seed: seedFile });
    writeFileSync(seedFile, '{"accounts": [{"id": "not-an-account"}]}');
    const response = await fetch(`${box.endpoint}/_sandbox/reset`, { method: 'POST' });
    expect(response.status).toBe(500);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('reset_failed');
    expect(body.error.message).toContain('accounts.0.id');
    const keys = await clients(box, platformAdmin(box)).kms.send(new ListKeysCommand({}));
    expect(keys.Keys).toHaveLength(1);
  });
});
