import { describe, expect, it } from 'vitest';
import type { Caller, PrincipalMatch } from './caller.js';
import { RequestContext } from './context.js';
import { evaluatePolicy, principalMatch, type EvaluationRequest, type PolicyResult } from './evaluate.js';
import { parsePolicy } from './parse-policy.js';
import type { PolicyKind, PrincipalSpec } from './types.js';

const A = '111122223333';
const B = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${A}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

const alice: Caller = {
  kind: 'user',
  partition: 'aws',
  account: A,
  arn: `arn:aws:iam::${A}:user/alice`,
  principalArn: `arn:aws:iam::${A}:user/alice`,
  userId: 'AIDAALICE',
  userName: 'alice',
  accessKeyId: 'AKIAALICE',
  tags: [],
  chained: false,
};

const session: Caller = {
  kind: 'assumed-role',
  partition: 'aws',
  account: A,
  arn: `arn:aws:sts::${A}:assumed-role/keyward-service/s1`,
  principalArn: `arn:aws:iam::${A}:role/service/keyward-service`,
  userId: 'AROASERVICE:s1',
  roleName: 'keyward-service',
  sessionName: 's1',
  accessKeyId: 'ASIASERVICE',
  tags: [],
  chained: false,
};

const bob: Caller = {
  ...alice,
  account: B,
  arn: `arn:aws:iam::${B}:user/bob`,
  principalArn: `arn:aws:iam::${B}:user/bob`,
  userName: 'bob',
};

const policy = (statements: unknown[], kind: PolicyKind = 'identity') =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind);

const request = (
  caller: Caller,
  action = 'kms:Decrypt',
  resource = KEY,
  context = new RequestContext(),
): EvaluationRequest => ({ caller, action, resource, context });

const spec = (aws: string[], any = false): PrincipalSpec => ({ any, aws, service: [], federated: [] });

describe('principalMatch', () => {
  it.each<[string, PrincipalSpec, Caller, PrincipalMatch | undefined]>([
    ['"*" names everyone', spec([], true), bob, 'direct'],
    ['a bare account ID delegates', spec([A]), alice, 'account'],
    ['the account root ARN delegates', spec([`arn:aws:iam::${A}:root`]), alice, 'account'],
    ['the root of another partition does not', spec([`arn:aws-cn:iam::${A}:root`]), alice, undefined],
    ['another account', spec([B, `arn:aws:iam::${B}:root`]), alice, undefined],
    ['the user ARN', spec([`arn:aws:iam::${A}:user/alice`]), alice, 'direct'],
    ['another user', spec([`arn:aws:iam::${A}:user/bob`]), alice, undefined],
    [
      'the role ARN (with path) names its sessions',
      spec([`arn:aws:iam::${A}:role/service/keyward-service`]),
      session,
      'direct',
    ],
    [
      'the role ARN without its path does not',
      spec([`arn:aws:iam::${A}:role/keyward-service`]),
      session,
      undefined,
    ],
    ['the session ARN', spec([`arn:aws:sts::${A}:assumed-role/keyward-service/s1`]), session, 'session'],
    [
      'another session of the role',
      spec([`arn:aws:sts::${A}:assumed-role/keyward-service/s2`]),
      session,
      undefined,
    ],
    [
      'a user is never matched by a session-ARN-like entry',
      spec([`arn:aws:iam::${A}:user/alice`.replace('iam', 'sts')]),
      alice,
      undefined,
    ],
    [
      'the strongest of several entries wins (account < direct < session)',
      spec([A, `arn:aws:iam::${A}:role/service/keyward-service`, session.arn]),
      session,
      'session',
    ],
    ['account and user: direct', spec([`arn:aws:iam::${A}:user/alice`, A]), alice, 'direct'],
  ])('%s', (_label, principal, caller, expected) => {
    expect(principalMatch(principal, caller)).toBe(expected);
  });
});

describe('evaluatePolicy: identity policies (no Principal check)', () => {
  it.each<[string, unknown[], EvaluationRequest, PolicyResult]>([
    [
      'an Allow for the action and resource',
      [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }],
      request(alice),
      { denied: false, allowed: 'direct' },
    ],
    [
      'an Allow for another action',
      [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: KEY }],
      request(alice),
      { denied: false },
    ],
    [
      'actions match case-insensitively',
      [{ Effect: 'Allow', Action: 'KMS:decrypt', Resource: KEY }],
      request(alice),
      { denied: false, allowed: 'direct' },
    ],
    [
      'action wildcard',
      [{ Effect: 'Allow', Action: 'kms:De*', Resource: '*' }],
      request(alice),
      { denied: false, allowed: 'direct' },
    ],
    [
      'action ? wildcard',
      [{ Effect: 'Allow', Action: 'kms:?ncrypt', Resource: '*' }],
      request(alice, 'kms:Encrypt'),
      { denied: false, allowed: 'direct' },
    ],
    [
      '"*" action',
      [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      request(alice, 'iam:GetRole', 'arn:aws:iam::1:role/x'),
      { denied: false, allowed: 'direct' },
    ],
    [
      'NotAction excludes the action',
      [{ Effect: 'Allow', NotAction: 'kms:Decrypt', Resource: '*' }],
      request(alice),
      { denied: false },
    ],
    [
      'NotAction allows every other action',
      [{ Effect: 'Allow', NotAction: ['kms:Decrypt', 'iam:*'], Resource: '*' }],
      request(alice, 'kms:Encrypt'),
      { denied: false, allowed: 'direct' },
    ],
    [
      'NotAction with a wildcard',
      [{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }],
      request(alice, 'iam:PutRolePolicy', 'arn:aws:iam::1:role/x'),
      { denied: false },
    ],
    [
      'resource wildcard in the key ID',
      [{ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:*:${A}:key/*` }],
      request(alice),
      { denied: false, allowed: 'direct' },
    ],
    [
      'resource of another account',
      [{ Effect: 'Allow', Action: 'kms:*', Resource: `arn:aws:kms:*:${B}:key/*` }],
      request(alice),
      { denied: false },
    ],
    [
      'resources match case-sensitively',
      [{ Effect: 'Allow', Action: 'kms:*', Resource: KEY.toUpperCase().replace('ARN:AWS', 'arn:aws') }],
      request(alice),
      { denied: false },
    ],
    [
      'NotResource excludes the key',
      [{ Effect: 'Allow', Action: 'kms:*', NotResource: KEY }],
      request(alice),
      { denied: false },
    ],
    [
      'NotResource allows other keys',
      [{ Effect: 'Allow', Action: 'kms:*', NotResource: `arn:aws:kms:*:${B}:key/*` }],
      request(alice),
      { denied: false, allowed: 'direct' },
    ],
    ['a Deny alone', [{ Effect: 'Deny', Action: 'kms:*', Resource: '*' }], request(alice), { denied: true }],
    [
      'an Allow and a Deny together',
      [
        { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
        { Effect: 'Deny', Action: 'kms:Decrypt', Resource: KEY },
      ],
      request(alice),
      { denied: true, allowed: 'direct' },
    ],
    [
      'a Deny whose condition fails',
      [
        {
          Effect: 'Deny',
          Action: 'kms:*',
          Resource: '*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
      request(alice),
      { denied: false },
    ],
    [
      'an Allow whose condition holds',
      [
        {
          Effect: 'Allow',
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': A } },
        },
      ],
      request(alice, 'kms:Decrypt', KEY, new RequestContext().set('kms:CallerAccount', A)),
      { denied: false, allowed: 'direct' },
    ],
    [
      'an Allow whose condition fails',
      [
        {
          Effect: 'Allow',
          Action: 'kms:*',
          Resource: '*',
          Condition: { StringEquals: { 'kms:CallerAccount': A } },
        },
      ],
      request(alice, 'kms:Decrypt', KEY, new RequestContext().set('kms:CallerAccount', B)),
      { denied: false },
    ],
    [
      'a policy variable in the resource',
      [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/\${aws:username}` }],
      request(
        alice,
        'iam:GetUser',
        `arn:aws:iam::${A}:user/alice`,
        new RequestContext().set('aws:username', 'alice'),
      ),
      { denied: false, allowed: 'direct' },
    ],
    [
      'a policy variable in the resource, another user',
      [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/\${aws:username}` }],
      request(
        alice,
        'iam:GetUser',
        `arn:aws:iam::${A}:user/bob`,
        new RequestContext().set('aws:username', 'alice'),
      ),
      { denied: false },
    ],
    [
      'a policy variable with no value never matches',
      [{ Effect: 'Allow', Action: 'iam:GetUser', Resource: `arn:aws:iam::${A}:user/\${aws:username}` }],
      request(alice, 'iam:GetUser', `arn:aws:iam::${A}:user/`),
      { denied: false },
    ],
  ])('%s', (_label, statements, evaluation, expected) => {
    expect(evaluatePolicy(policy(statements), evaluation, false)).toEqual(expected);
  });
});

describe('evaluatePolicy: resource policies (Principal checked)', () => {
  const allow = (principal: unknown) => ({
    Effect: 'Allow',
    Principal: principal,
    Action: 'kms:*',
    Resource: '*',
  });

  it.each<[string, unknown[], Caller, PolicyResult]>([
    [
      'root delegation',
      [allow({ AWS: `arn:aws:iam::${A}:root` })],
      alice,
      { denied: false, allowed: 'account' },
    ],
    ['the user by ARN', [allow({ AWS: alice.arn })], alice, { denied: false, allowed: 'direct' }],
    ['another principal', [allow({ AWS: `arn:aws:iam::${A}:user/carol` })], alice, { denied: false }],
    [
      'a session by its role',
      [allow({ AWS: session.principalArn })],
      session,
      { denied: false, allowed: 'direct' },
    ],
    [
      'a session by its own ARN',
      [allow({ AWS: session.arn })],
      session,
      { denied: false, allowed: 'session' },
    ],
    [
      'the strongest match over several statements',
      [allow({ AWS: A }), allow({ AWS: session.arn }), allow({ AWS: session.principalArn })],
      session,
      { denied: false, allowed: 'session' },
    ],
    ['Principal "*"', [allow('*')], bob, { denied: false, allowed: 'direct' }],
    [
      'a service principal never matches a caller',
      [allow({ Service: 'ec2.amazonaws.com' })],
      alice,
      { denied: false },
    ],
    [
      'a Deny naming the account denies its users',
      [allow({ AWS: alice.arn }), { ...allow({ AWS: A }), Effect: 'Deny' }],
      alice,
      { denied: true, allowed: 'direct' },
    ],
    [
      'a Deny naming someone else',
      [allow({ AWS: alice.arn }), { ...allow({ AWS: bob.arn }), Effect: 'Deny' }],
      alice,
      { denied: false, allowed: 'direct' },
    ],
    [
      'NotPrincipal Deny exempts the principals it lists',
      [
        allow({ AWS: A }),
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: [alice.arn, `arn:aws:iam::${A}:root`] },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
      alice,
      { denied: false, allowed: 'account' },
    ],
    [
      'NotPrincipal Deny applies to everyone else',
      [
        allow('*'),
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: [alice.arn, `arn:aws:iam::${A}:root`] },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
      bob,
      { denied: true, allowed: 'direct' },
    ],
  ])('%s', (_label, statements, caller, expected) => {
    expect(evaluatePolicy(policy(statements, 'key'), request(caller), true)).toEqual(expected);
  });

  it('a trust policy has no Resource: the role it is attached to is the resource', () => {
    const trust = policy([{ Effect: 'Allow', Principal: { AWS: A }, Action: 'sts:AssumeRole' }], 'trust');
    expect(evaluatePolicy(trust, request(alice, 'sts:AssumeRole', `arn:aws:iam::${A}:role/x`), true)).toEqual(
      { denied: false, allowed: 'account' },
    );
    expect(evaluatePolicy(trust, request(alice, 'sts:TagSession', `arn:aws:iam::${A}:role/x`), true)).toEqual(
      { denied: false },
    );
  });

  it('Principal elements are ignored when the policy is evaluated as an identity policy', () => {
    const key = policy([allow({ AWS: `arn:aws:iam::${B}:root` })], 'key');
    expect(evaluatePolicy(key, request(alice), false)).toEqual({ denied: false, allowed: 'direct' });
    expect(evaluatePolicy(key, request(alice), true)).toEqual({ denied: false });
  });
});
