import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RunningSandbox } from '@keyward/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandbox } from '@keyward/test-kit/sandbox-clients';

/**
 * boto3 (Debian's python3-boto3) against the sandbox: the same BYOK journey from Python, so that
 * botocore's reading of the wire protocols (XML, JSON, errors, IAM's URL-encoded documents) is
 * checked as well as the JavaScript SDK's.
 */
const run = promisify(execFile);
const script = fileURLToPath(new URL('./boto3/byok_check.py', import.meta.url));

async function hasBoto3(): Promise<boolean> {
  try {
    await run('/usr/bin/python3', ['-c', 'import boto3']);
    return true;
  } catch {
    return false;
  }
}

const available = await hasBoto3();
/* CI installs python3-boto3, so there this test must run. */
if (!available && process.env.CI === 'true')
  throw new Error('boto3 not found: install the Debian package python3-boto3');

describe.skipIf(!available)('boto3 against the sandbox', () => {
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(() => box?.close());

  it('runs the BYOK journey and reads AWS-shaped errors', async () => {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const { stdout } = await run('/usr/bin/python3', [script, box.endpoint, 'us-east-1'], { env });
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      trustPolicyDecoded: true,
      assumedRoleArn: 'arn:aws:sts::444455556666:assumed-role/keyward-byok/keyward-tenant-acme',
      expirationIsDatetime: true,
      keyState: 'Enabled',
      creationDateIsDatetime: true,
      roundTrip: true,
      wrongContext: { code: 'InvalidCiphertextException', status: 400 },
      wrongExternalId: { code: 'AccessDenied', status: 403 },
      platformDirect: { code: 'AccessDeniedException', status: 400 },
    });
    expect((result.platformDirect as { message: string }).message).toMatch(
      /because no resource-based policy allows the kms:DescribeKey action$/,
    );
  });
});
