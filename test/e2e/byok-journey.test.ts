import {
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  GenerateDataKeyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { CUSTOMER_ACCOUNT_ID, PLATFORM_ACCOUNT_ID, type RunningSandbox } from '@keyward/sandbox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clients, expectAwsError, sandbox, type Credentials } from '@keyward/test-kit/sandbox-clients';
import {
  BYOK_ROLE_ARN,
  customerSetup,
  EXTERNAL_ID,
  serviceRoleSession,
  sessionCredentials,
  TENANT_CONTEXT,
  type SetupChoices,
} from '@keyward/test-kit/byok-setup';

/**
 * The whole BYOK journey against the sandbox, with real SDK clients over HTTP: the customer sets
 * up a CMK and a role in their account; the platform's Service Role session assumes that role with
 * the tenant's External ID and uses the key. Then each single misconfiguration, and what AWS says.
 */
const SESSION_ARN = `arn:aws:sts::${CUSTOMER_ACCOUNT_ID}:assumed-role/keyward-byok/keyward-tenant-acme`;
const SERVICE_SESSION_ARN = `arn:aws:sts::${PLATFORM_ACCOUNT_ID}:assumed-role/keyward-service/keyward-platform`;

describe('BYOK journey through the sandbox', () => {
  let box: RunningSandbox;
  let service: Credentials;

  beforeEach(async () => {
    box = await sandbox();
    service = await serviceRoleSession(box);
  });
  afterEach(() => box.close());

  const assumeCustomerRole = (externalId: string | undefined = EXTERNAL_ID) =>
    clients(box, service).sts.send(
      new AssumeRoleCommand({
        RoleArn: BYOK_ROLE_ARN,
        RoleSessionName: 'keyward-tenant-acme',
        ExternalId: externalId,
      }),
    );

  async function tenantKms(region = 'us-east-1') {
    const assumed = await assumeCustomerRole();
    return clients(box, sessionCredentials(assumed.Credentials!), region).kms;
  }

  async function setUp(choices: SetupChoices = {}) {
    return (await customerSetup(box, choices)).keyArn;
  }

  it('a correct setup lets the Service Role session assume the role and use the CMK', async () => {
    const keyArn = await setUp();
    const assumed = await assumeCustomerRole();
    expect(assumed.AssumedRoleUser?.Arn).toBe(SESSION_ARN);
    const kms = clients(box, sessionCredentials(assumed.Credentials!)).kms;

    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(described.KeyMetadata).toMatchObject({
      Arn: keyArn,
      KeyState: 'Enabled',
      KeySpec: 'SYMMETRIC_DEFAULT',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyManager: 'CUSTOMER',
    });
    const dataKey = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: TENANT_CONTEXT }),
    );
    expect(dataKey.KeyId).toBe(keyArn);
    const opened = await kms.send(
      new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: TENANT_CONTEXT }),
    );
    expect(Buffer.from(opened.Plaintext!).equals(Buffer.from(dataKey.Plaintext!))).toBe(true);

    const calls = box.trail.query({ service: 'kms', keyArn, principalArn: SESSION_ARN });
    expect(calls.map((event) => [event.operation, event.principalArn])).toEqual([
      ['DescribeKey', SESSION_ARN],
      ['GenerateDataKey', SESSION_ARN],
      ['Decrypt', SESSION_ARN],
    ]);
    expect(calls[1]!.encryptionContext).toEqual(TENANT_CONTEXT);
  });

  it('the role is not assumable without the External ID when the trust policy requires it', async () => {
    await setUp();
    await expectAwsError(
      clients(box, service).sts.send(
        new AssumeRoleCommand({ RoleArn: BYOK_ROLE_ARN, RoleSessionName: 'no-external-id' }),
      ),
      {
        name: 'AccessDenied',
        status: 403,
        message: `User: ${SERVICE_SESSION_ARN} is not authorized to perform: sts:AssumeRole on resource: ${BYOK_ROLE_ARN}`,
      },
    );
  });

  it('trust policy naming the wrong principal: AccessDenied on AssumeRole', async () => {
    await setUp({ trustPrincipal: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:user/admin` });
    await expectAwsError(assumeCustomerRole(), {
      name: 'AccessDenied',
      status: 403,
      message: `User: ${SERVICE_SESSION_ARN} is not authorized to perform: sts:AssumeRole on resource: ${BYOK_ROLE_ARN}`,
    });
  });

  it('trust policy with the wrong External ID: AccessDenied on AssumeRole', async () => {
    await setUp({ externalIdCondition: 'kw-some-other-tenant' });
    await expectAwsError(assumeCustomerRole(), { name: 'AccessDenied', status: 403 });
  });

  it('trust policy without the External ID condition: AWS lets anyone the trust names in, with or without an ID', async () => {
    await setUp({ externalIdCondition: null });
    const withId = await assumeCustomerRole();
    expect(withId.AssumedRoleUser?.Arn).toBe(SESSION_ARN);
    /* This is the confused-deputy hole Keyward's validation must detect: AWS does not refuse it. */
    const withoutId = await clients(box, service).sts.send(
      new AssumeRoleCommand({ RoleArn: BYOK_ROLE_ARN, RoleSessionName: 'no-external-id' }),
    );
    expect(withoutId.Credentials?.AccessKeyId).toMatch(/^ASIA/);
  });

  it('permissions policy missing: the key policy naming the role still grants access within the account', async () => {
    const keyArn = await setUp({ permissionsPolicy: false });
    const kms = await tenantKms();
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(described.KeyMetadata?.Arn).toBe(keyArn);
  });

  it('key-policy statement missing: with the default root statement, the permissions policy is enough', async () => {
    const keyArn = await setUp({ keyPolicyStatement: false });
    const kms = await tenantKms();
    const described = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect(described.KeyMetadata?.Arn).toBe(keyArn);
  });

  it('key-policy statement missing and no IAM delegation in the key policy: AccessDenied, no resource-based policy', async () => {
    const keyArn = await setUp({ keyPolicyStatement: false, keepRootStatement: false });
    const kms = await tenantKms();
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyArn })), {
      name: 'AccessDeniedException',
      status: 400,
      message: `User: ${SESSION_ARN} is not authorized to perform: kms:DescribeKey on resource: ${keyArn} because no resource-based policy allows the kms:DescribeKey action`,
    });
  });

  it('both the permissions policy and the key-policy statement missing: AccessDenied, no identity-based policy', async () => {
    const keyArn = await setUp({ keyPolicyStatement: false, permissionsPolicy: false });
    const kms = await tenantKms();
    await expectAwsError(
      kms.send(
        new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: TENANT_CONTEXT }),
      ),
      {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: ${SESSION_ARN} is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`,
      },
    );
  });

  it('key disabled: DisabledException for cryptographic calls, DescribeKey shows Disabled', async () => {
    const keyArn = await setUp();
    await clients(box, box.credentials(CUSTOMER_ACCOUNT_ID)).kms.send(
      new DisableKeyCommand({ KeyId: keyArn }),
    );
    const kms = await tenantKms();
    expect((await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata?.KeyState).toBe(
      'Disabled',
    );
    await expectAwsError(
      kms.send(
        new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: TENANT_CONTEXT }),
      ),
      {
        name: 'DisabledException',
        status: 400,
        message: `${keyArn} is disabled.`,
      },
    );
  });

  it('key pending deletion: KMSInvalidStateException', async () => {
    const keyArn = await setUp();
    await clients(box, box.credentials(CUSTOMER_ACCOUNT_ID)).kms.send(
      new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }),
    );
    const kms = await tenantKms();
    await expectAwsError(
      kms.send(
        new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: TENANT_CONTEXT }),
      ),
      {
        name: 'KMSInvalidStateException',
        status: 400,
        message: `${keyArn} is pending deletion.`,
      },
    );
  });

  it('CMK ARN in another region than the one called: NotFoundException', async () => {
    const keyArn = await setUp();
    const kms = await tenantKms('eu-west-1');
    await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyArn })), {
      name: 'NotFoundException',
      status: 400,
      message: 'Invalid arn us-east-1',
    });
  });

  it("encryption-context condition not met: another tenant's context is refused", async () => {
    const keyArn = await setUp({ tenantCondition: true });
    const kms = await tenantKms();
    const mine = await kms.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: TENANT_CONTEXT }),
    );
    expect(mine.KeyId).toBe(keyArn);
    await expectAwsError(
      kms.send(
        new GenerateDataKeyCommand({
          KeyId: keyArn,
          KeySpec: 'AES_256',
          EncryptionContext: { ...TENANT_CONTEXT, 'keyward:tenant': 'globex' },
        }),
      ),
      {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: ${SESSION_ARN} is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`,
      },
    );
  });
});
