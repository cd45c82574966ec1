import { DescribeKeyCommand, DisableKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  type AssumeRoleCommandInput,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSeed, type RunningSandbox, type SeedInput } from '../src/index.js';
import {
  clients,
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  expectAwsError,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
  type Credentials,
} from '@keyward/test-kit/sandbox-clients';

/** STS AssumeRole and GetCallerIdentity through @aws-sdk/client-sts, against AWS's recorded behaviour. */

const P = PLATFORM_ACCOUNT_ID;
const C = CUSTOMER_ACCOUNT_ID;
const roleArn = (name: string, account = P) => `arn:aws:iam::${account}:role/${name}`;
const SERVICE_ROLE = roleArn('keyward-service');
const ADMIN_ARN = `arn:aws:iam::${P}:user/admin`;

const trust = (
  principal: string,
  actions: string[] = ['sts:AssumeRole'],
  condition?: Record<string, unknown>,
) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: actions,
      ...(condition ? { Condition: condition } : {}),
    },
  ],
});

/** The default world plus the roles and users these tests need. */
function seed(): SeedInput {
  const world = defaultSeed();
  const [platform, customer] = world.accounts as [
    NonNullable<SeedInput['accounts'][number]>,
    NonNullable<SeedInput['accounts'][number]>,
  ];
  platform.roles = [
    ...(platform.roles ?? []),
    // Default MaxSessionDuration (3600) and a trust policy that allows only sts:AssumeRole.
    { name: 'plain-role', trustPolicy: trust(`arn:aws:iam::${P}:root`) },
    { name: 'long-role', maxSessionDuration: 43200, trustPolicy: trust(`arn:aws:iam::${P}:root`) },
    { name: 'service-only', trustPolicy: trust(SERVICE_ROLE) },
    {
      name: 'external-role',
      trustPolicy: trust(`arn:aws:iam::${P}:root`, ['sts:AssumeRole'], {
        StringEquals: { 'sts:ExternalId': 'tenant-4242' },
      }),
    },
    { name: 'partner-role', trustPolicy: trust(`arn:aws:iam::${C}:root`) },
    { name: 'names-limited-user', trustPolicy: trust(`arn:aws:iam::${C}:user/limited`) },
  ];
  customer.users = [
    ...(customer.users ?? []),
    {
      name: 'limited',
      accessKeys: [{ id: `AKIA${C}LMTD`, secret: 'limited-secret' }],
      inlinePolicies: {
        'kms-only': {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
        },
      },
    },
  ];
  return world;
}

const DENIED = (caller: string, role: string, action = 'sts:AssumeRole') =>
  `User: ${caller} is not authorized to perform: ${action} on resource: ${role}`;

describe('STS', () => {
  let box: RunningSandbox;
  let admin: ReturnType<typeof clients>;
  const assume = async (input: Partial<AssumeRoleCommandInput>, as: ReturnType<typeof clients> = admin) =>
    as.sts.send(new AssumeRoleCommand({ RoleArn: SERVICE_ROLE, RoleSessionName: 'test-session', ...input }));
  const sessionCredentials = async (
    input: Partial<AssumeRoleCommandInput>,
    as?: ReturnType<typeof clients>,
  ): Promise<Credentials> => {
    const { Credentials: creds } = await assume(input, as);
    return {
      accessKeyId: creds!.AccessKeyId!,
      secretAccessKey: creds!.SecretAccessKey!,
      sessionToken: creds!.SessionToken!,
    };
  };
  const validation = (message: string) => ({ name: 'ValidationError', status: 400, message });

  beforeAll(async () => {
    box = await sandbox({ seed: seed() });
    admin = clients(box, platformAdmin(box));
  });
  afterAll(() => box.close());

  describe('AssumeRole success', () => {
    it('returns the assumed-role user, ASIA temporary credentials and an expiration of now + DurationSeconds', async () => {
      const before = Date.now();
      const result = await assume({ RoleSessionName: 'alice-session', DurationSeconds: 1800 });
      const after = Date.now();
      const roleId = box.store.role(P, 'keyward-service')!.roleId;
      expect(roleId).toMatch(/^AROA[A-Z0-9]{17}$/);
      expect(result.AssumedRoleUser).toEqual({
        Arn: `arn:aws:sts::${P}:assumed-role/keyward-service/alice-session`,
        AssumedRoleId: `${roleId}:alice-session`,
      });
      expect(result.Credentials!.AccessKeyId).toMatch(/^ASIA[A-Z0-9]{16}$/);
      expect(result.Credentials!.SecretAccessKey!.length).toBeGreaterThanOrEqual(40);
      expect(result.Credentials!.SessionToken!.length).toBeGreaterThan(100);
      const expiration = result.Credentials!.Expiration!.getTime();
      // ISO-8601 on the wire has whole seconds, so allow the truncation below.
      expect(expiration).toBeGreaterThanOrEqual(before + 1800_000 - 1000);
      expect(expiration).toBeLessThanOrEqual(after + 1800_000);
      // No session policy or tags: AWS sends no PackedPolicySize (and no SourceIdentity unless asked).
      expect(result.PackedPolicySize).toBeUndefined();
      expect(result.SourceIdentity).toBeUndefined();
    });

    it('defaults DurationSeconds to one hour', async () => {
      const before = Date.now();
      const result = await assume({ RoleSessionName: 'default-duration' });
      const after = Date.now();
      const expiration = result.Credentials!.Expiration!.getTime();
      expect(expiration).toBeGreaterThanOrEqual(before + 3600_000 - 1000);
      expect(expiration).toBeLessThanOrEqual(after + 3600_000);
    });

    it('issues different credentials for every call', async () => {
      const first = await assume({ RoleSessionName: 'same-name' });
      const second = await assume({ RoleSessionName: 'same-name' });
      expect(first.Credentials!.AccessKeyId).not.toBe(second.Credentials!.AccessKeyId);
      expect(first.Credentials!.SessionToken).not.toBe(second.Credentials!.SessionToken);
      expect(first.AssumedRoleUser!.Arn).toBe(second.AssumedRoleUser!.Arn);
    });

    it('accepts a RoleSessionName of exactly 2 and exactly 64 characters', async () => {
      const short = await assume({ RoleSessionName: 'ab' });
      expect(short.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/keyward-service/ab`);
      const long = 'x'.repeat(60) + '+=,.@-'.slice(0, 4);
      expect(long).toHaveLength(64);
      const result = await assume({ RoleSessionName: long });
      expect(result.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/keyward-service/${long}`);
    });
  });

  describe('GetCallerIdentity', () => {
    it('identifies an IAM user by its AIDA user ID and user ARN', async () => {
      const identity = await admin.sts.send(new GetCallerIdentityCommand({}));
      const user = box.store.user(P, 'admin')!;
      expect(user.userId).toMatch(/^AIDA[A-Z0-9]+$/);
      expect({ UserId: identity.UserId, Account: identity.Account, Arn: identity.Arn }).toEqual({
        UserId: user.userId,
        Account: P,
        Arn: ADMIN_ARN,
      });
    });

    it('identifies the customer account admin in its own account', async () => {
      const identity = await clients(box, customerAdmin(box)).sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(C);
      expect(identity.Arn).toBe(`arn:aws:iam::${C}:user/admin`);
    });

    it('identifies a role session by <RoleId>:<session> and the assumed-role ARN', async () => {
      const creds = await sessionCredentials({ RoleSessionName: 'who-am-i' });
      const identity = await clients(box, creds).sts.send(new GetCallerIdentityCommand({}));
      const roleId = box.store.role(P, 'keyward-service')!.roleId;
      expect({ UserId: identity.UserId, Account: identity.Account, Arn: identity.Arn }).toEqual({
        UserId: `${roleId}:who-am-i`,
        Account: P,
        Arn: `arn:aws:sts::${P}:assumed-role/keyward-service/who-am-i`,
      });
    });

    it('identifies a cross-account session in the role’s account, not the caller’s', async () => {
      const creds = await sessionCredentials(
        { RoleArn: roleArn('partner-role'), RoleSessionName: 'from-customer' },
        clients(box, customerAdmin(box)),
      );
      const identity = await clients(box, creds).sts.send(new GetCallerIdentityCommand({}));
      expect(identity.Account).toBe(P);
      expect(identity.Arn).toBe(`arn:aws:sts::${P}:assumed-role/partner-role/from-customer`);
    });
  });

  describe('validation errors (ValidationError, 400)', () => {
    it('RoleSessionName missing', async () => {
      await expectAwsError(
        admin.sts.send(new AssumeRoleCommand({ RoleArn: SERVICE_ROLE } as AssumeRoleCommandInput)),
        validation(
          "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null",
        ),
      );
    });

    it('RoleSessionName too short', async () => {
      await expectAwsError(
        assume({ RoleSessionName: 'a' }),
        validation(
          "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2",
        ),
      );
    });

    it('RoleSessionName with a character outside the pattern', async () => {
      await expectAwsError(
        assume({ RoleSessionName: 'Session1:2' }),
        validation(
          "1 validation error detected: Value 'Session1:2' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
        ),
      );
    });

    it('RoleSessionName too long', async () => {
      const name = 's'.repeat(65);
      await expectAwsError(
        assume({ RoleSessionName: name }),
        validation(
          `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`,
        ),
      );
    });

    it('reports every violation at once, joined with "; "', async () => {
      await expectAwsError(
        assume({ RoleSessionName: ':', DurationSeconds: 60 }),
        validation(
          "3 validation errors detected: Value ':' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
            "Value ':' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*; " +
            "Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        ),
      );
    });

    it('ExternalId too short', async () => {
      await expectAwsError(
        assume({ RoleArn: roleArn('external-role'), ExternalId: 'x' }),
        validation(
          "1 validation error detected: Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2",
        ),
      );
    });

    it('ExternalId empty', async () => {
      await expectAwsError(
        assume({ RoleArn: roleArn('external-role'), ExternalId: '' }),
        validation(
          "1 validation error detected: Value '' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2",
        ),
      );
    });

    it('ExternalId with a character outside the pattern', async () => {
      await expectAwsError(
        assume({ RoleArn: roleArn('external-role'), ExternalId: 'tenant 4242' }),
        validation(
          "1 validation error detected: Value 'tenant 4242' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*",
        ),
      );
    });

    it('DurationSeconds below 900', async () => {
      await expectAwsError(
        assume({ DurationSeconds: 899 }),
        validation(
          "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
        ),
      );
    });

    it('DurationSeconds above 43200', async () => {
      await expectAwsError(
        assume({ DurationSeconds: 43201 }),
        validation(
          "1 validation error detected: Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200",
        ),
      );
    });

    it('DurationSeconds within 900–43200 but above the role’s MaxSessionDuration', async () => {
      await expectAwsError(
        assume({ RoleArn: roleArn('plain-role'), DurationSeconds: 3601 }),
        validation('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.'),
      );
      // The same duration is fine for a role whose maximum is 12 hours, and the role's own maximum is accepted.
      await expect(assume({ RoleArn: roleArn('long-role'), DurationSeconds: 3601 })).resolves.toBeDefined();
      await expect(assume({ RoleArn: roleArn('plain-role'), DurationSeconds: 3600 })).resolves.toBeDefined();
    });

    it('role chaining is capped at one hour even when the role allows more', async () => {
      const serviceSession = clients(box, await sessionCredentials({ RoleSessionName: 'chainer' }));
      await expectAwsError(
        assume(
          { RoleArn: roleArn('long-role'), RoleSessionName: 'chained', DurationSeconds: 3601 },
          serviceSession,
        ),
        validation(
          'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
        ),
      );
      const chained = await assume(
        { RoleArn: roleArn('long-role'), RoleSessionName: 'chained', DurationSeconds: 3600 },
        serviceSession,
      );
      expect(chained.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/long-role/chained`);
    });

    it('a RoleArn that is not a role ARN is "<arn> is invalid"', async () => {
      await expectAwsError(
        assume({ RoleArn: 'nothing-valid-in-here' }),
        validation('nothing-valid-in-here is invalid'),
      );
      await expectAwsError(
        assume({ RoleArn: 'arn:aws:iam::111122223333:role' }),
        validation('arn:aws:iam::111122223333:role is invalid'),
      );
    });
  });

  describe('AccessDenied (403, no "because")', () => {
    it('a role that does not exist', async () => {
      const missing = roleArn('does-not-exist');
      await expectAwsError(assume({ RoleArn: missing }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, missing),
      });
    });

    it('a trust policy that does not name the caller', async () => {
      await expectAwsError(assume({ RoleArn: roleArn('service-only') }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, roleArn('service-only')),
      });
      // The principal it does name may assume it.
      const serviceSession = clients(box, await sessionCredentials({ RoleSessionName: 'svc' }));
      const result = await assume(
        { RoleArn: roleArn('service-only'), RoleSessionName: 'by-service' },
        serviceSession,
      );
      expect(result.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/service-only/by-service`);
    });

    it('an sts:ExternalId condition with the wrong ExternalId or none', async () => {
      const role = roleArn('external-role');
      await expectAwsError(assume({ RoleArn: role, ExternalId: 'tenant-4243' }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, role),
      });
      await expectAwsError(assume({ RoleArn: role }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, role),
      });
      // The condition is case-sensitive (StringEquals).
      await expectAwsError(assume({ RoleArn: role, ExternalId: 'TENANT-4242' }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, role),
      });
      const result = await assume({
        RoleArn: role,
        ExternalId: 'tenant-4242',
        RoleSessionName: 'with-external-id',
      });
      expect(result.AssumedRoleUser!.Arn).toBe(
        `arn:aws:sts::${P}:assumed-role/external-role/with-external-id`,
      );
    });

    it('across accounts, the caller’s identity policy must allow sts:AssumeRole too', async () => {
      const limited = clients(box, box.credentials(C, 'limited'));
      const limitedArn = `arn:aws:iam::${C}:user/limited`;
      // The trust policy delegates to the customer account; its admin may, the kms-only user may not.
      await expectAwsError(assume({ RoleArn: roleArn('partner-role') }, limited), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(limitedArn, roleArn('partner-role')),
      });
      const byAdmin = await assume(
        { RoleArn: roleArn('partner-role'), RoleSessionName: 'customer-admin' },
        clients(box, customerAdmin(box)),
      );
      expect(byAdmin.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/partner-role/customer-admin`);
      // Even a trust policy that names the user itself is not enough across accounts.
      await expectAwsError(assume({ RoleArn: roleArn('names-limited-user') }, limited), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(limitedArn, roleArn('names-limited-user')),
      });
    });

    it('SourceIdentity needs sts:SetSourceIdentity in the trust policy', async () => {
      const role = roleArn('plain-role');
      await expectAwsError(assume({ RoleArn: role, SourceIdentity: 'alice' }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, role, 'sts:SetSourceIdentity'),
      });
      // keyward-service's trust policy allows it, and the response echoes the source identity.
      const result = await assume({ SourceIdentity: 'alice', RoleSessionName: 'with-source' });
      expect(result.SourceIdentity).toBe('alice');
    });

    it('session tags need sts:TagSession in the trust policy', async () => {
      const role = roleArn('plain-role');
      await expectAwsError(assume({ RoleArn: role, Tags: [{ Key: 'tenant', Value: 't-1' }] }), {
        name: 'AccessDenied',
        status: 403,
        message: DENIED(ADMIN_ARN, role, 'sts:TagSession'),
      });
      const result = await assume({ Tags: [{ Key: 'tenant', Value: 't-1' }], RoleSessionName: 'tagged' });
      expect(result.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${P}:assumed-role/keyward-service/tagged`);
      expect(result.PackedPolicySize).toBeGreaterThan(0);
    });
  });

  it('duplicate session tag keys (case-insensitive) are InvalidParameterValue', async () => {
    await expectAwsError(
      assume({
        Tags: [
          { Key: 'team', Value: 'a' },
          { Key: 'Team', Value: 'b' },
        ],
      }),
      {
        name: 'InvalidParameterValue',
        status: 400,
        message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      },
    );
  });

  describe('session credentials', () => {
    it('a session policy limits what the session may do', async () => {
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }],
      });
      const result = await assume({ RoleSessionName: 'narrowed', Policy: policy });
      expect(result.PackedPolicySize).toBeGreaterThan(0);
      const creds = {
        accessKeyId: result.Credentials!.AccessKeyId!,
        secretAccessKey: result.Credentials!.SecretAccessKey!,
        sessionToken: result.Credentials!.SessionToken!,
      };
      const { kms } = clients(box, creds);
      const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' }));
      const keyArn = described.KeyMetadata!.Arn!;
      expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${P}:key/[0-9a-f-]{36}$`));
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') })),
        {
          name: 'AccessDeniedException',
          status: 400,
          message: `User: arn:aws:sts::${P}:assumed-role/keyward-service/narrowed is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no session policy allows the kms:Encrypt action`,
        },
      );
      // Without the session policy the role's own policy allows Encrypt.
      const unrestricted = clients(box, await sessionCredentials({ RoleSessionName: 'unrestricted' }));
      const encrypted = await unrestricted.kms.send(
        new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('secret') }),
      );
      expect(encrypted.KeyId).toBe(keyArn);
    });

    it('a session policy cannot grant more than the role has', async () => {
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
      });
      const { kms } = clients(box, await sessionCredentials({ RoleSessionName: 'broad', Policy: policy }));
      const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
        .KeyMetadata!.Arn!;
      // keyward-service's policies do not allow kms:DisableKey; the session policy cannot add it.
      await expectAwsError(kms.send(new DisableKeyCommand({ KeyId: keyArn })), {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:sts::${P}:assumed-role/keyward-service/broad is not authorized to perform: kms:DisableKey on resource: ${keyArn} because no identity-based policy allows the kms:DisableKey action`,
      });
    });

    it('a malformed session policy is MalformedPolicyDocument (the SDK’s modeled exception)', async () => {
      // Real STS words this with its JSON parser's message, so only the code and status are asserted.
      const error = await expectAwsError(assume({ Policy: '{"Version":"2012-10-17","Statement":[' }), {
        name: 'MalformedPolicyDocumentException',
        status: 400,
      });
      expect(error.message.length).toBeGreaterThan(0);
    });
  });

  describe('expiry', () => {
    // Its own sandbox: moving the clock forward must not expire other tests' sessions.
    let expiring: RunningSandbox;
    beforeAll(async () => {
      expiring = await sandbox();
    });
    afterAll(() => expiring.close());

    it('session credentials work against KMS and STS until they expire, then are ExpiredToken', async () => {
      const adminClients = clients(expiring, platformAdmin(expiring));
      const result = await adminClients.sts.send(
        new AssumeRoleCommand({
          RoleArn: SERVICE_ROLE,
          RoleSessionName: 'short-lived',
          DurationSeconds: 900,
        }),
      );
      const creds = {
        accessKeyId: result.Credentials!.AccessKeyId!,
        secretAccessKey: result.Credentials!.SecretAccessKey!,
        sessionToken: result.Credentials!.SessionToken!,
      };
      const { kms, sts } = clients(expiring, creds);
      const encrypt = () =>
        kms.send(new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: Buffer.from('hello') }));

      expect((await encrypt()).CiphertextBlob!.length).toBeGreaterThan(0);
      expiring.clock.advance(890_000);
      expect((await encrypt()).KeyId).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\//);
      expect((await sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(
        `arn:aws:sts::${P}:assumed-role/keyward-service/short-lived`,
      );

      expiring.clock.advance(11_000);
      await expectAwsError(encrypt(), {
        name: 'ExpiredTokenException',
        status: 400,
        message: 'The security token included in the request is expired',
      });
      await expectAwsError(sts.send(new GetCallerIdentityCommand({})), {
        name: 'ExpiredToken',
        status: 403,
        message: 'The security token included in the request is expired',
      });
      // Long-term user keys do not expire.
      expect((await adminClients.sts.send(new GetCallerIdentityCommand({}))).Arn).toBe(ADMIN_ARN);
    });
  });
});
