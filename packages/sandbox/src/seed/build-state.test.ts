import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../policy/parse-policy.js';
import { SandboxStore } from '../state/store.js';
import { buildState, SeedError } from './build-state.js';
import {
  CUSTOMER_ACCOUNT_ID,
  defaultSeed,
  PLATFORM_ACCOUNT_ID,
  PLATFORM_KEY_ALIAS,
  SERVICE_ROLE_NAME,
  adminAccessKeyId,
  adminSecretAccessKey,
} from './default-seed.js';
import type { SeedInput } from './seed-schema.js';

const OPTIONS = { region: 'us-east-1', now: 0 };
const A = '111122223333';
const B = '444455556666';

const allowAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] };
const trustAccount = (account: string) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'sts:AssumeRole' },
  ],
});
const trustRole = (arn: string) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: arn }, Action: 'sts:AssumeRole' }],
});

/** Builds the seed and returns the SeedError message (failing the test if it builds). */
function seedError(seed: unknown): string {
  try {
    buildState(seed as SeedInput, OPTIONS);
  } catch (error) {
    expect(error).toBeInstanceOf(SeedError);
    expect((error as SeedError).code).toBe('KW_SANDBOX_SEED');
    return (error as Error).message;
  }
  throw new Error('expected a SeedError');
}

describe('buildState: the default seed', () => {
  const data = buildState(defaultSeed(), OPTIONS);
  const store = new SandboxStore(data);

  it('has the platform and customer accounts', () => {
    expect(PLATFORM_ACCOUNT_ID).toBe(A);
    expect(CUSTOMER_ACCOUNT_ID).toBe(B);
    expect(Object.keys(data.accounts).sort()).toEqual([A, B]);
    expect(data.accounts[A]!.alias).toBe('platform');
    expect(data.accounts[B]!.alias).toBe('customer');
    expect(data.sessions).toEqual({});
    expect(data.version).toBe(1);
  });

  it.each([A, B])('gives account %s an administrator with the documented access key', (account) => {
    expect(adminAccessKeyId(account)).toBe(`AKIA${account}ADMN`);
    expect(adminSecretAccessKey(account)).toBe(`sandbox-secret-${account}`);
    const admin = store.user(account, 'admin')!;
    expect(admin.arn).toBe(`arn:aws:iam::${account}:user/admin`);
    expect(admin.path).toBe('/');
    expect(admin.userId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(admin.accessKeys).toEqual([
      { id: `AKIA${account}ADMN`, secret: `sandbox-secret-${account}`, status: 'Active', createDate: 0 },
    ]);
    expect(admin.attachedPolicies).toEqual(['arn:aws:iam::aws:policy/AdministratorAccess']);
    const owner = store.credentialOwner(`AKIA${account}ADMN`);
    expect(owner?.kind === 'user' && owner.user.arn).toBe(admin.arn);
  });

  it('has the keyward-service role in the platform account only', () => {
    expect(SERVICE_ROLE_NAME).toBe('keyward-service');
    const role = store.role(A, 'keyward-service')!;
    expect(role.arn).toBe('arn:aws:iam::111122223333:role/keyward-service');
    expect(role.roleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(role.maxSessionDuration).toBe(43200);
    expect(Object.keys(role.inlinePolicies).sort()).toEqual([
      'assume-customer-byok-roles',
      'use-platform-key',
    ]);
    const trust = parsePolicy(role.trustPolicy, 'trust');
    expect(trust.statements[0]!.principal!.aws).toEqual(['arn:aws:iam::111122223333:root']);
    expect(trust.statements[0]!.action).toEqual([
      'sts:AssumeRole',
      'sts:SetSourceIdentity',
      'sts:TagSession',
    ]);
    expect(store.role(B, 'keyward-service')).toBeUndefined();
  });

  it('has one platform key with the alias alias/keyward-platform', () => {
    expect(PLATFORM_KEY_ALIAS).toBe('alias/keyward-platform');
    const keys = Object.values(data.keys);
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key.account).toBe(A);
    expect(key.region).toBe('us-east-1');
    expect(key.arn).toBe(`arn:aws:kms:us-east-1:${A}:key/${key.keyId}`);
    expect(key.state).toBe('Enabled');
    expect(key.keySpec).toBe('SYMMETRIC_DEFAULT');
    expect(key.creationDate).toBe(0);
    expect(Buffer.from(key.materials[0]!.key, 'base64')).toHaveLength(32);
    expect(JSON.parse(key.policy)).toEqual({
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${A}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    const alias = store.alias(`arn:aws:kms:us-east-1:${A}:alias/keyward-platform`)!;
    expect(alias).toMatchObject({
      aliasName: 'alias/keyward-platform',
      account: A,
      region: 'us-east-1',
      targetKeyId: key.keyId,
    });
    expect(store.keysIn(B, 'us-east-1')).toEqual([]);
  });

  it('puts the platform key in the region the seed is made for', () => {
    const elsewhere = buildState(defaultSeed('eu-west-1'), OPTIONS);
    const key = Object.values(elsewhere.keys)[0]!;
    expect(key.region).toBe('eu-west-1');
    expect(Object.keys(elsewhere.aliases)).toEqual([`arn:aws:kms:eu-west-1:${A}:alias/keyward-platform`]);
  });

  it('puts keys with no region in the options region', () => {
    const seed: SeedInput = { accounts: [{ id: A, keys: [{ aliases: ['alias/x'] }] }] };
    const key = Object.values(buildState(seed, { region: 'ap-southeast-2', now: 5 }).keys)[0]!;
    expect(key.region).toBe('ap-southeast-2');
    expect(key.creationDate).toBe(5);
  });
});

describe('buildState: other valid seeds', () => {
  it('resolves managed policies by name: own, then AWS managed, and by ARN', () => {
    const data = buildState(
      {
        accounts: [
          {
            id: A,
            policies: [{ name: 'KmsUse', document: allowAll }],
            users: [
              {
                name: 'ops',
                managedPolicies: [
                  'KmsUse',
                  'AWSKeyManagementServiceReadOnly',
                  'arn:aws:iam::aws:policy/AdministratorAccess',
                ],
              },
            ],
          },
        ],
      },
      OPTIONS,
    );
    expect(data.accounts[A]!.users.ops!.attachedPolicies).toEqual([
      'arn:aws:iam::111122223333:policy/KmsUse',
      'arn:aws:iam::aws:policy/AWSKeyManagementServiceReadOnly',
      'arn:aws:iam::aws:policy/AdministratorAccess',
    ]);
  });

  it('lets a trust policy name a role of an account that comes later in the seed', () => {
    const data = buildState(
      {
        accounts: [
          { id: A, roles: [{ name: 'byok', trustPolicy: trustRole(`arn:aws:iam::${B}:role/service`) }] },
          { id: B, roles: [{ name: 'service', trustPolicy: trustAccount(B) }] },
        ],
      },
      OPTIONS,
    );
    expect(data.accounts[A]!.roles.byok!.arn).toBe(`arn:aws:iam::${A}:role/byok`);
  });

  it('keeps role paths in ARNs and lets trust policies name them', () => {
    const data = buildState(
      {
        accounts: [
          {
            id: A,
            roles: [
              { name: 'pathed', path: '/team/', trustPolicy: trustAccount(A) },
              { name: 'other', trustPolicy: trustRole(`arn:aws:iam::${A}:role/team/pathed`) },
            ],
          },
        ],
      },
      OPTIONS,
    );
    expect(data.accounts[A]!.roles.pathed!.arn).toBe(`arn:aws:iam::${A}:role/team/pathed`);
  });

  it('accepts policy documents written as JSON text, and stores them as given', () => {
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}';
    const data = buildState(
      { accounts: [{ id: A, users: [{ name: 'u', inlinePolicies: { p: text } }] }] },
      OPTIONS,
    );
    expect(data.accounts[A]!.users.u!.inlinePolicies.p).toBe(text);
  });

  it('applies key options: id, disabled, rotation, tags', () => {
    const id = '0b8f7c1e-4e1a-4a52-9f0b-3a7c2f1e9d10';
    const data = buildState(
      {
        accounts: [
          {
            id: A,
            keys: [
              {
                id,
                enabled: false,
                rotation: { enabled: true, periodDays: 90 },
                tags: { team: 'blue' },
                description: 'd',
              },
            ],
          },
        ],
      },
      { region: 'us-east-1', now: 1000 },
    );
    const key = data.keys[`arn:aws:kms:us-east-1:${A}:key/${id}`]!;
    expect(key.state).toBe('Disabled');
    expect(key.rotation).toMatchObject({
      enabled: true,
      periodDays: 90,
      nextRotationDate: 1000 + 90 * 86_400_000,
    });
    expect(key.tags).toEqual([{ key: 'team', value: 'blue' }]);
    expect(key.description).toBe('d');
  });
});

describe('buildState: invalid seeds', () => {
  it.each<[string, unknown, string]>([
    ['no accounts', { accounts: [] }, 'Invalid seed: accounts: a seed needs at least one account'],
    [
      'a bad account ID',
      { accounts: [{ id: '12345' }] },
      'Invalid seed: accounts.0.id: account IDs are 12 digits',
    ],
    [
      'a bad account ID in the second account',
      { accounts: [{ id: A }, { id: 'abcdefghijkl' }] },
      'Invalid seed: accounts.1.id: account IDs are 12 digits',
    ],
    [
      'an account that appears twice',
      { accounts: [{ id: A }, { id: A }] },
      `Invalid seed: accounts.1.id: account ${A} appears twice`,
    ],
    [
      'an unknown field',
      { accounts: [{ id: A, groups: [] }] },
      'Invalid seed: accounts.0: Unrecognized key: "groups"',
    ],
    [
      'a bad user name',
      { accounts: [{ id: A, users: [{ name: 'bad name' }] }] },
      'Invalid seed: accounts.0.users.0.name: IAM names are 1-64 characters of [A-Za-z0-9_+=,.@-]',
    ],
    [
      'a bad access key ID',
      { accounts: [{ id: A, users: [{ name: 'u', accessKeys: [{ id: 'ASIA123', secret: 's' }] }] }] },
      'Invalid seed: accounts.0.users.0.accessKeys.0.id: access key IDs look like AKIA followed by 12+ upper-case letters or digits',
    ],
    [
      'a bad alias',
      { accounts: [{ id: A, keys: [{ aliases: ['platform'] }] }] },
      'Invalid seed: accounts.0.keys.0.aliases.0: aliases look like alias/name',
    ],
    [
      'a malformed inline user policy',
      {
        accounts: [
          {
            id: A,
            users: [
              {
                name: 'u',
                inlinePolicies: {
                  p: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*' }] },
                },
              },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.users.0.inlinePolicies.p: MalformedPolicyDocument: Policy statement must contain resources.',
    ],
    [
      'a trust policy that is not JSON',
      { accounts: [{ id: A, roles: [{ name: 'r', trustPolicy: '{oops' }] }] },
      'Invalid seed: accounts.0.roles.0.trustPolicy: MalformedPolicyDocument: This policy contains invalid Json',
    ],
    [
      'a trust policy with a Resource',
      {
        accounts: [
          {
            id: A,
            roles: [
              {
                name: 'r',
                trustPolicy: {
                  Version: '2012-10-17',
                  Statement: [
                    { Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole', Resource: '*' },
                  ],
                },
              },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.roles.0.trustPolicy: MalformedPolicyDocument: Has prohibited field Resource',
    ],
    [
      'a malformed inline role policy',
      {
        accounts: [
          {
            id: A,
            roles: [
              {
                name: 'r',
                trustPolicy: trustAccount(A),
                inlinePolicies: {
                  p: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }] },
                },
              },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.roles.0.inlinePolicies.p: MalformedPolicyDocument: Policy document should not specify a principal.',
    ],
    [
      'a managed policy without Version 2012-10-17',
      {
        accounts: [
          {
            id: A,
            policies: [
              { name: 'p', document: { Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.policies.0.document: MalformedPolicyDocument: Policy document must be version 2012-10-17 or greater.',
    ],
    [
      'a managed policy defined twice',
      {
        accounts: [
          {
            id: A,
            policies: [
              { name: 'p', document: allowAll },
              { name: 'p', document: allowAll },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.policies.1: a policy called p already exists',
    ],
    [
      'an unknown managed policy name',
      { accounts: [{ id: A, users: [{ name: 'u', managedPolicies: ['NoSuchPolicy'] }] }] },
      `Invalid seed: accounts.0.users.0.managedPolicies.0: managed policy NoSuchPolicy does not exist in account ${A} or among the AWS managed policies`,
    ],
    [
      'an unknown managed policy ARN on a role',
      {
        accounts: [
          {
            id: A,
            roles: [
              {
                name: 'r',
                trustPolicy: trustAccount(A),
                managedPolicies: ['arn:aws:iam::aws:policy/PowerUserAccess'],
              },
            ],
          },
        ],
      },
      `Invalid seed: accounts.0.roles.0.managedPolicies.0: managed policy arn:aws:iam::aws:policy/PowerUserAccess does not exist in account ${A} or among the AWS managed policies`,
    ],
    [
      'a managed policy of another account by ARN',
      {
        accounts: [
          { id: A, users: [{ name: 'u', managedPolicies: [`arn:aws:iam::${B}:policy/p`] }] },
          { id: B, policies: [{ name: 'p', document: allowAll }] },
        ],
      },
      `Invalid seed: accounts.0.users.0.managedPolicies.0: managed policy arn:aws:iam::${B}:policy/p does not exist in account ${A} or among the AWS managed policies`,
    ],
    [
      'a user defined twice',
      { accounts: [{ id: A, users: [{ name: 'ops' }, { name: 'ops' }] }] },
      'Invalid seed: accounts.0.users.1: user ops already exists',
    ],
    [
      'a role defined twice (names are case-insensitive)',
      {
        accounts: [
          {
            id: A,
            roles: [
              { name: 'Deployer', trustPolicy: trustAccount(A) },
              { name: 'deployer', trustPolicy: trustAccount(A) },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.roles.1: role deployer already exists',
    ],
    [
      'a trust policy naming a role that does not exist in a known account',
      {
        accounts: [
          { id: A, roles: [{ name: 'r', trustPolicy: trustRole(`arn:aws:iam::${B}:role/missing`) }] },
          { id: B },
        ],
      },
      `Invalid seed: accounts.0.roles.0.trustPolicy: Invalid principal in policy: "AWS":"arn:aws:iam::${B}:role/missing"`,
    ],
    [
      'a trust policy naming a user that does not exist in its own account',
      {
        accounts: [
          { id: A },
          { id: B, roles: [{ name: 'r', trustPolicy: trustRole(`arn:aws:iam::${B}:user/ghost`) }] },
        ],
      },
      `Invalid seed: accounts.1.roles.0.trustPolicy: Invalid principal in policy: "AWS":"arn:aws:iam::${B}:user/ghost"`,
    ],
    [
      'a key policy that is malformed',
      {
        accounts: [
          {
            id: A,
            keys: [
              {
                policy: {
                  Version: '2012-10-17',
                  Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }],
                },
              },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.keys.0.policy: MalformedPolicyDocument: Policy contains a statement with one or more invalid principals.',
    ],
    [
      'a key policy naming a principal that does not exist',
      {
        accounts: [
          {
            id: A,
            keys: [
              {
                policy: {
                  Version: '2012-10-17',
                  Statement: [
                    {
                      Effect: 'Allow',
                      Principal: { AWS: `arn:aws:iam::${A}:user/ghost` },
                      Action: 'kms:*',
                      Resource: '*',
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.keys.0.policy: Policy contains a statement with one or more invalid principals.',
    ],
    [
      'an alias used twice in one region',
      { accounts: [{ id: A, keys: [{ aliases: ['alias/x'] }, { aliases: ['alias/x'] }] }] },
      'Invalid seed: accounts.0.keys.1.aliases: alias/x is already used in us-east-1',
    ],
    [
      'a key ID used twice',
      {
        accounts: [
          {
            id: A,
            keys: [
              { id: '0b8f7c1e-4e1a-4a52-9f0b-3a7c2f1e9d10' },
              { id: '0b8f7c1e-4e1a-4a52-9f0b-3a7c2f1e9d10' },
            ],
          },
        ],
      },
      'Invalid seed: accounts.0.keys.1.id: key 0b8f7c1e-4e1a-4a52-9f0b-3a7c2f1e9d10 appears twice',
    ],
  ])('refuses %s', (_label, seed, message) => {
    expect(seedError(seed)).toBe(message);
  });

  it('allows the same alias in two regions', () => {
    const data = buildState(
      {
        accounts: [
          { id: A, keys: [{ aliases: ['alias/x'] }, { region: 'eu-west-1', aliases: ['alias/x'] }] },
        ],
      },
      OPTIONS,
    );
    expect(Object.keys(data.aliases).sort()).toEqual([
      `arn:aws:kms:eu-west-1:${A}:alias/x`,
      `arn:aws:kms:us-east-1:${A}:alias/x`,
    ]);
  });

  it('accepts principals in accounts the seed does not define', () => {
    const data = buildState(
      {
        accounts: [
          {
            id: A,
            roles: [{ name: 'r', trustPolicy: trustRole('arn:aws:iam::999988887777:role/anything') }],
          },
        ],
      },
      OPTIONS,
    );
    expect(Object.keys(data.accounts[A]!.roles)).toEqual(['r']);
  });
});
