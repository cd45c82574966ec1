import { describe, expect, it } from 'vitest';
import { buildState } from '../seed/build-state.js';
import { defaultSeed } from '../seed/default-seed.js';
import { SandboxStore } from '../state/store.js';
import { parsePolicy } from './parse-policy.js';
import type { PolicyKind } from './types.js';
import { findInvalidPrincipal } from './validate-principals.js';

const PLATFORM = '111122223333';
const CUSTOMER = '444455556666';
const UNKNOWN = '999988887777';

const store = new SandboxStore(buildState(defaultSeed(), { region: 'us-east-1', now: 0 }));

const withPrincipal = (principal: unknown, kind: PolicyKind = 'key', field = 'Principal') =>
  parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          [field]: principal,
          Action: kind === 'trust' ? 'sts:AssumeRole' : 'kms:*',
          ...(kind === 'trust' ? {} : { Resource: '*' }),
        },
      ],
    }),
    kind,
  );

describe('findInvalidPrincipal', () => {
  it.each([
    ['"*"', '*'],
    ['{"AWS":"*"}', { AWS: '*' }],
    ['a known account ID', { AWS: PLATFORM }],
    ['an unknown account ID (a real account elsewhere)', { AWS: UNKNOWN }],
    ['a known account root', { AWS: `arn:aws:iam::${CUSTOMER}:root` }],
    ['an unknown account root', { AWS: `arn:aws:iam::${UNKNOWN}:root` }],
    ['an existing user', { AWS: `arn:aws:iam::${PLATFORM}:user/admin` }],
    ['an existing user of the other account', { AWS: `arn:aws:iam::${CUSTOMER}:user/admin` }],
    ['an existing role', { AWS: `arn:aws:iam::${PLATFORM}:role/keyward-service` }],
    ['a role in an unknown account', { AWS: `arn:aws:iam::${UNKNOWN}:role/anything` }],
    ['a user in an unknown account', { AWS: `arn:aws:iam::${UNKNOWN}:user/path/anyone` }],
    [
      'a session of an existing role',
      { AWS: `arn:aws:sts::${PLATFORM}:assumed-role/keyward-service/session-1` },
    ],
    ['a session in an unknown account', { AWS: `arn:aws:sts::${UNKNOWN}:assumed-role/r/s` }],
    ['a China-partition root', { AWS: `arn:aws-cn:iam::${UNKNOWN}:root` }],
    ['a service principal', { Service: 'kms.amazonaws.com' }],
    ['a China service principal', { Service: 'ec2.amazonaws.com.cn' }],
    [
      'several valid entries',
      { AWS: [PLATFORM, `arn:aws:iam::${CUSTOMER}:user/admin`], Service: ['ec2.amazonaws.com'] },
    ],
  ])('accepts %s', (_label, principal) => {
    expect(findInvalidPrincipal(store, withPrincipal(principal))).toBeUndefined();
  });

  it.each([
    [
      'a missing role in a known account',
      { AWS: `arn:aws:iam::${PLATFORM}:role/missing` },
      `"AWS":"arn:aws:iam::${PLATFORM}:role/missing"`,
    ],
    [
      'a missing user in a known account',
      { AWS: `arn:aws:iam::${CUSTOMER}:user/nobody` },
      `"AWS":"arn:aws:iam::${CUSTOMER}:user/nobody"`,
    ],
    [
      'an existing role named with the wrong path',
      { AWS: `arn:aws:iam::${PLATFORM}:role/team/keyward-service` },
      `"AWS":"arn:aws:iam::${PLATFORM}:role/team/keyward-service"`,
    ],
    [
      'a session of a missing role',
      { AWS: `arn:aws:sts::${PLATFORM}:assumed-role/missing/s` },
      `"AWS":"arn:aws:sts::${PLATFORM}:assumed-role/missing/s"`,
    ],
    [
      'a session ARN with no session name',
      { AWS: `arn:aws:sts::${PLATFORM}:assumed-role/keyward-service` },
      `"AWS":"arn:aws:sts::${PLATFORM}:assumed-role/keyward-service"`,
    ],
    [
      'a group (not a principal)',
      { AWS: `arn:aws:iam::${PLATFORM}:group/admins` },
      `"AWS":"arn:aws:iam::${PLATFORM}:group/admins"`,
    ],
    [
      'a role ARN with no name',
      { AWS: `arn:aws:iam::${UNKNOWN}:role/` },
      `"AWS":"arn:aws:iam::${UNKNOWN}:role/"`,
    ],
    [
      'an IAM ARN with a region',
      { AWS: `arn:aws:iam:us-east-1:${PLATFORM}:root` },
      `"AWS":"arn:aws:iam:us-east-1:${PLATFORM}:root"`,
    ],
    [
      'a malformed ARN (extra colon)',
      { AWS: `arn:aws::iam::${PLATFORM}:root` },
      `"AWS":"arn:aws::iam::${PLATFORM}:root"`,
    ],
    ['an 11-digit account', { AWS: '12345678901' }, '"AWS":"12345678901"'],
    ['a bare name', { AWS: 'admin' }, '"AWS":"admin"'],
    [
      'a KMS key ARN',
      { AWS: `arn:aws:kms:us-east-1:${PLATFORM}:key/k` },
      `"AWS":"arn:aws:kms:us-east-1:${PLATFORM}:key/k"`,
    ],
    ['a malformed service principal', { Service: 'not a service' }, '"Service":"not a service"'],
    [
      'a service principal outside amazonaws.com',
      { Service: 'kms.example.com' },
      '"Service":"kms.example.com"',
    ],
    [
      'the first invalid of several',
      { AWS: [PLATFORM, `arn:aws:iam::${PLATFORM}:user/ghost`, `arn:aws:iam::${PLATFORM}:role/ghost`] },
      `"AWS":"arn:aws:iam::${PLATFORM}:user/ghost"`,
    ],
  ])('refuses %s', (_label, principal, expected) => {
    expect(findInvalidPrincipal(store, withPrincipal(principal))).toBe(expected);
  });

  it('checks NotPrincipal too', () => {
    expect(
      findInvalidPrincipal(
        store,
        withPrincipal({ AWS: `arn:aws:iam::${PLATFORM}:user/ghost` }, 'key', 'NotPrincipal'),
      ),
    ).toBe(`"AWS":"arn:aws:iam::${PLATFORM}:user/ghost"`);
  });

  it('checks trust policies', () => {
    expect(
      findInvalidPrincipal(
        store,
        withPrincipal({ AWS: `arn:aws:iam::${CUSTOMER}:role/keyward-service` }, 'trust'),
      ),
    ).toBe(`"AWS":"arn:aws:iam::${CUSTOMER}:role/keyward-service"`);
    expect(
      findInvalidPrincipal(
        store,
        withPrincipal({ AWS: `arn:aws:iam::${PLATFORM}:role/keyward-service` }, 'trust'),
      ),
    ).toBeUndefined();
  });

  it('finds nothing to check in an identity policy', () => {
    expect(
      findInvalidPrincipal(
        store,
        parsePolicy(
          '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}',
          'identity',
        ),
      ),
    ).toBeUndefined();
  });
});
