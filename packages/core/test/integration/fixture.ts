import {
  CancelKeyDeletionCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  AssumedRoleCredentialCache,
  CustomerKmsRootKey,
  KeywardError,
  MemoryTenantKeyStore,
  SdkKmsPort,
  SdkStsPort,
  type AwsClientOptions,
  type AwsCredentials,
  type AssumeRoleRequest,
  type CredentialCacheOptions,
  type ErrorCode,
  type StsPort,
} from '@keyward/core';
import {
  CUSTOMER_ACCOUNT_ID,
  PLATFORM_ACCOUNT_ID,
  startSandbox,
  type RunningSandbox,
} from '@keyward/sandbox';
import { expect } from 'vitest';
import { clients } from '@keyward/test-kit/sandbox-clients';
import {
  BYOK_ROLE_ARN,
  BYOK_ROLE_NAME,
  EXTERNAL_ID,
  SERVICE_ROLE_ARN,
  customerSetup,
  keyPolicy,
  sessionCredentials,
  type SetupChoices,
} from '@keyward/test-kit/byok-setup';

/**
 * Shared setup for core's integration tests: a sandbox on a free port, the customer's BYOK setup
 * (test/e2e/byok-setup.ts), the platform's SDK adapters signing as a keyward-service session, and
 * the customer-side changes (disable the CMK, change policies) made the way a customer would.
 */
export { BYOK_ROLE_ARN, EXTERNAL_ID, SERVICE_ROLE_ARN };
export const REGION = 'us-east-1';
export const TENANT = 'acme';
export const PLATFORM_KEY_ARN = `arn:aws:kms:${REGION}:${PLATFORM_ACCOUNT_ID}:alias/keyward-platform`;
export const SERVICE_SESSION_ARN = `arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/keyward-platform`;
export const byokSessionArn = (tenantId = TENANT): string =>
  `arn:aws:sts::${CUSTOMER_ACCOUNT_ID}:assumed-role/${BYOK_ROLE_NAME}/keyward-${tenantId}`;
export const wrapContext = (tenantId: string, version: number) => ({
  'keyward:tenant': tenantId,
  'keyward:key-version': String(version),
});

export const startBox = (): Promise<RunningSandbox> => startSandbox({ port: 0, env: {} });

/** A keyward-service session, as the platform runs with; 12 hours so that tests may move resource time. */
export async function serviceSession(box: RunningSandbox, durationSeconds = 43_200): Promise<AwsCredentials> {
  const platform = clients(box, box.credentials(PLATFORM_ACCOUNT_ID));
  const out = await platform.sts.send(
    new AssumeRoleCommand({
      RoleArn: SERVICE_ROLE_ARN,
      RoleSessionName: 'keyward-platform',
      DurationSeconds: durationSeconds,
    }),
  );
  return sessionCredentials(out.Credentials!);
}

/** The options of core's SDK adapters pointed at the sandbox. */
export async function awsOptions(
  box: RunningSandbox,
  overrides: Partial<AwsClientOptions> = {},
): Promise<AwsClientOptions> {
  return { region: REGION, endpoint: box.endpoint, credentials: await serviceSession(box), ...overrides };
}

/** An StsPort that counts settled AssumeRole calls, so a test can wait for a background refresh. */
export class ObservedSts implements StsPort {
  settled = 0;
  failures: KeywardError[] = [];
  constructor(private readonly inner: StsPort) {}

  async assumeRole(request: AssumeRoleRequest) {
    try {
      return await this.inner.assumeRole(request);
    } catch (error) {
      this.failures.push(error as KeywardError);
      throw error;
    } finally {
      this.settled++;
    }
  }
}

/** Lets every callback queued behind a settled promise run (a background refresh's bookkeeping). */
export const drain = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface ByokWorld {
  box: RunningSandbox;
  /** The customer's CMK. */
  keyArn: string;
  options: AwsClientOptions;
  sts: ObservedSts;
  kms: SdkKmsPort;
  store: MemoryTenantKeyStore;
  /** A fresh credential cache and a customer root key over it. */
  rootKey(options?: {
    tenantId?: string;
    externalId?: string;
    keyArn?: string;
    cache?: CredentialCacheOptions;
    credentials?: AssumedRoleCredentialCache;
  }): {
    root: CustomerKmsRootKey;
    credentials: AssumedRoleCredentialCache;
  };
  close(): Promise<void>;
}

/** A sandbox with the customer's BYOK setup done and the platform's adapters ready. */
export async function byokWorld(
  choices: SetupChoices = {},
  aws: Partial<AwsClientOptions> = {},
): Promise<ByokWorld> {
  const box = await startBox();
  const { keyArn } = await customerSetup(box, choices);
  const options = await awsOptions(box, aws);
  const stsPort = new SdkStsPort(options);
  const sts = new ObservedSts(stsPort);
  const kms = new SdkKmsPort(options);
  return {
    box,
    keyArn,
    options,
    sts,
    kms,
    store: new MemoryTenantKeyStore(),
    rootKey(rootOptions = {}) {
      const credentials = rootOptions.credentials ?? new AssumedRoleCredentialCache(sts, rootOptions.cache);
      const root = new CustomerKmsRootKey({
        kms,
        credentials,
        tenantId: rootOptions.tenantId ?? TENANT,
        roleArn: BYOK_ROLE_ARN,
        externalId: rootOptions.externalId ?? EXTERNAL_ID,
        keyArn: rootOptions.keyArn ?? keyArn,
      });
      return { root, credentials };
    },
    async close() {
      kms.close();
      stsPort.close();
      await box.close();
    },
  };
}

/** What the customer does in their own account, with their administrator's credentials. */
export function customer(box: RunningSandbox) {
  const { kms, iam } = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID));
  return {
    disableKey: (keyArn: string) => kms.send(new DisableKeyCommand({ KeyId: keyArn })),
    enableKey: (keyArn: string) => kms.send(new EnableKeyCommand({ KeyId: keyArn })),
    scheduleKeyDeletion: (keyArn: string) =>
      kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 })),
    cancelKeyDeletion: (keyArn: string) => kms.send(new CancelKeyDeletionCommand({ KeyId: keyArn })),
    keyState: async (keyArn: string) =>
      (await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyState,
    putKeyPolicy: (keyArn: string, choices: SetupChoices) =>
      kms.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: JSON.stringify(keyPolicy(choices)) })),
    /** Replaces the BYOK role's trust policy: the service role, with any of these External IDs. */
    trustExternalIds: (...externalIds: string[]) =>
      iam.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: BYOK_ROLE_NAME,
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: SERVICE_ROLE_ARN },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'sts:ExternalId': externalIds } },
              },
            ],
          }),
        }),
      ),
  };
}

/** Calls per operation (`kms:Decrypt`: 1, …) since the trail was last cleared. */
export async function callCounts(box: RunningSandbox): Promise<Record<string, number>> {
  const counters = await box.admin.counters();
  return Object.fromEntries(Object.entries(counters).map(([name, counter]) => [name, counter.calls]));
}

/** Asserts that `call` fails with a KeywardError of this code, and returns it. */
export async function expectKeywardError(call: Promise<unknown>, code: ErrorCode): Promise<KeywardError> {
  const error: unknown = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, `expected ${code}, but the call succeeded`).toBeInstanceOf(KeywardError);
  const keywardError = error as KeywardError;
  expect(keywardError.code, keywardError.message).toBe(code);
  return keywardError;
}

export interface ExpectedAws {
  service: 'kms' | 'sts';
  operation: string;
  errorName: string;
}

/**
 * Asserts the AWS details a mapped error keeps. When AWS answered, the request ID is the one the
 * sandbox recorded for that failed call, so an operator could find it in CloudTrail.
 */
export async function expectAwsDetails(
  box: RunningSandbox,
  error: KeywardError,
  expected: ExpectedAws,
  answered = true,
): Promise<void> {
  expect(error.aws).toMatchObject(expected);
  if (!answered) {
    expect(error.aws?.requestId).toBeUndefined();
    return;
  }
  expect(error.aws?.requestId).toMatch(/\S/);
  const events = await box.admin.trail({ service: expected.service, operation: expected.operation });
  const event = events.find((candidate) => candidate.requestId === error.aws?.requestId);
  expect(event, `no trail event with request ID ${error.aws?.requestId}`).toBeDefined();
  expect(event!.outcome).not.toBe('success');
  expect(event!.errorCode).toBe(expected.errorName);
}
