import { KMSClient } from '@aws-sdk/client-kms';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { expect } from 'vitest';
import {
  CUSTOMER_ACCOUNT_ID,
  PLATFORM_ACCOUNT_ID,
  startSandbox,
  type RunningSandbox,
  type StartSandboxOptions,
} from '@keyward/sandbox';

/** Shared test helpers: a sandbox on a free port and real AWS SDK v3 clients pointed at it. */
export { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID };
export const REGION = 'us-east-1';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export async function sandbox(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  return startSandbox({ port: 0, env: {}, ...options });
}

/** Clients never retry, so that every call is exactly one request and errors surface at once. */
export function clients(box: RunningSandbox, credentials: Credentials, region = REGION) {
  const config = { endpoint: box.endpoint, region, credentials, maxAttempts: 1 };
  return { kms: new KMSClient(config), sts: new STSClient(config), iam: new IAMClient(config) };
}

export const platformAdmin = (box: RunningSandbox): Credentials => box.credentials(PLATFORM_ACCOUNT_ID);
export const customerAdmin = (box: RunningSandbox): Credentials => box.credentials(CUSTOMER_ACCOUNT_ID);

export interface ExpectedAwsError {
  name: string;
  status?: number;
  message?: string | RegExp;
}

/** Asserts that an SDK call fails with the given AWS error code, HTTP status and message. */
export async function expectAwsError(
  call: Promise<unknown>,
  expected: ExpectedAwsError,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught as Error & { $metadata?: { httpStatusCode?: number } },
  );
  expect(error, `expected ${expected.name}, but the call succeeded`).toBeDefined();
  expect(error!.name).toBe(expected.name);
  if (expected.status !== undefined) expect(error!.$metadata?.httpStatusCode).toBe(expected.status);
  if (typeof expected.message === 'string') expect(error!.message).toBe(expected.message);
  else if (expected.message) expect(error!.message).toMatch(expected.message);
  return error!;
}

export const json = (value: unknown): string => JSON.stringify(value);
