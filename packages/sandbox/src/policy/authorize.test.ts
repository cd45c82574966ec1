import { describe, expect, it } from 'vitest';
import {
  authorize,
  denialMessage,
  type AuthorizationRequest,
  type Decision,
  type DenialReason,
} from './authorize.js';
import type { Caller } from './caller.js';
import { RequestContext } from './context.js';
import { parsePolicy } from './parse-policy.js';
import type { Policy, PolicyKind } from './types.js';

const OWNER = '111122223333';
const OTHER = '444455556666';
const KEY = `arn:aws:kms:us-east-1:${OWNER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function user(account: string, name: string): Caller {
  const arn = `arn:aws:iam::${account}:user/${name}`;
  return {
    kind: 'user',
    partition: 'aws',
    account,
    arn,
    principalArn: arn,
    userId: `AIDA${name.toUpperCase()}`,
    userName: name,
    accessKeyId: `AKIA${name.toUpperCase()}`,
    tags: [],
    chained: false,
  };
}

function roleSession(account: string, role: string, sessionName: string, sessionPolicies?: Policy[]): Caller {
  return {
    kind: 'assumed-role',
    partition: 'aws',
    account,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${sessionName}`,
    principalArn: `arn:aws:iam::${account}:role/${role}`,
    userId: `AROA${role.toUpperCase()}:${sessionName}`,
    roleName: role,
    sessionName,
    accessKeyId: 'ASIATEMP',
    tags: [],
    chained: false,
    ...(sessionPolicies ? { sessionPolicies } : {}),
  };
}

const parse = (kind: PolicyKind, ...statements: object[]): Policy =>
  parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), kind);
const identity = (...statements: object[]) => parse('identity', ...statements);
const sessionPolicy = (...statements: object[]) => parse('session', ...statements);
const keyPolicy = (...statements: object[]) => parse('key', ...statements);

const allowKms = (resource = '*', action: string | string[] = 'kms:*') => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});
const denyKms = (resource = '*', action: string | string[] = 'kms:*') => ({
  Effect: 'Deny',
  Action: action,
  Resource: resource,
});
const keyAllow = (principal: unknown, action: string | string[] = 'kms:*') => ({
  Effect: 'Allow',
  Principal: principal,
  Action: action,
  Resource: '*',
});
const keyDeny = (principal: unknown, action: string | string[] = 'kms:*') => ({
  Effect: 'Deny',
  Principal: principal,
  Action: action,
  Resource: '*',
});

const alice = user(OWNER, 'alice');
const bob = user(OTHER, 'bob');
const service = roleSession(OWNER, 'keyward-service', 'tenant-7');
const rootDelegation = keyPolicy(keyAllow({ AWS: `arn:aws:iam::${OWNER}:root` }));

interface Scenario {
  caller: Caller;
  identityPolicies?: Policy[];
  keyPolicy?: Policy;
  action?: string;
  resource?: string;
  context?: RequestContext;
}

function decide(scenario: Scenario): Decision {
  const request: AuthorizationRequest = {
    caller: scenario.caller,
    action: scenario.action ?? 'kms:Decrypt',
    resource: scenario.resource ?? KEY,
    context: scenario.context ?? new RequestContext(),
    identityPolicies: scenario.identityPolicies ?? [],
    ...(scenario.keyPolicy ? { resourcePolicy: { policy: scenario.keyPolicy, account: OWNER } } : {}),
  };
  return authorize(request);
}

const ALLOWED: Decision = { allowed: true };
const denied = (reason: DenialReason): Decision => ({ allowed: false, reason });

describe('authorize', () => {
  describe('same account', () => {
    it.each<[string, Scenario, Decision]>([
      [
        'root delegation + identity allow',
        { caller: alice, keyPolicy: rootDelegation, identityPolicies: [identity(allowKms())] },
        ALLOWED,
      ],
      [
        'root delegation, no identity policy',
        { caller: alice, keyPolicy: rootDelegation },
        denied('no-identity'),
      ],
      [
        'root delegation, identity allows another action',
        {
          caller: alice,
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms('*', 'kms:Encrypt'))],
        },
        denied('no-identity'),
      ],
      [
        'bare account ID delegates only',
        { caller: alice, keyPolicy: keyPolicy(keyAllow({ AWS: OWNER })) },
        denied('no-identity'),
      ],
      [
        'bare account ID + identity allow',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow({ AWS: OWNER })),
          identityPolicies: [identity(allowKms(KEY, 'kms:Decrypt'))],
        },
        ALLOWED,
      ],
      [
        'key policy naming the user ARN suffices',
        { caller: alice, keyPolicy: keyPolicy(keyAllow({ AWS: alice.arn })) },
        ALLOWED,
      ],
      [
        'key policy naming the user, for another action',
        { caller: alice, keyPolicy: keyPolicy(keyAllow({ AWS: alice.arn }, 'kms:Encrypt')) },
        denied('no-resource'),
      ],
      [
        'key policy naming someone else, identity allows',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow({ AWS: `arn:aws:iam::${OWNER}:user/carol` })),
          identityPolicies: [identity(allowKms())],
        },
        denied('no-resource'),
      ],
      ['key policy with Principal "*"', { caller: alice, keyPolicy: keyPolicy(keyAllow('*')) }, ALLOWED],
      [
        'key policy with {"AWS":"*"}',
        { caller: alice, keyPolicy: keyPolicy(keyAllow({ AWS: '*' })) },
        ALLOWED,
      ],
      [
        'key policy with a failing condition',
        {
          caller: alice,
          keyPolicy: keyPolicy({
            ...keyAllow({ AWS: alice.arn }),
            Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
          }),
        },
        denied('no-resource'),
      ],
      [
        'key policy with a holding condition',
        {
          caller: alice,
          keyPolicy: keyPolicy({
            ...keyAllow({ AWS: alice.arn }),
            Condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'acme' } },
          }),
          context: new RequestContext().set('kms:EncryptionContext:tenant', 'acme'),
        },
        ALLOWED,
      ],
    ])('%s', (_label, scenario, expected) => {
      expect(decide(scenario)).toEqual(expected);
    });
  });

  describe('explicit Deny wins', () => {
    it.each<[string, Scenario, Decision]>([
      [
        'in an identity policy',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow({ AWS: alice.arn })),
          identityPolicies: [identity(allowKms()), identity(denyKms(KEY, 'kms:Decrypt'))],
        },
        denied('explicit-deny-identity'),
      ],
      [
        'in an identity policy, with no key policy',
        { caller: alice, identityPolicies: [identity(allowKms(), denyKms())] },
        denied('explicit-deny-identity'),
      ],
      [
        'in the key policy, over a direct Allow',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow({ AWS: alice.arn }), keyDeny({ AWS: alice.arn }, 'kms:Decrypt')),
        },
        denied('explicit-deny-resource'),
      ],
      [
        'in the key policy naming the account',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow('*'), keyDeny({ AWS: OWNER })),
          identityPolicies: [identity(allowKms())],
        },
        denied('explicit-deny-resource'),
      ],
      [
        'in the key policy, via "*"',
        {
          caller: service,
          keyPolicy: keyPolicy(keyAllow({ AWS: service.arn }), keyDeny('*', 'kms:Decrypt')),
        },
        denied('explicit-deny-resource'),
      ],
      [
        'in a session policy, even when the key policy names the session',
        {
          caller: roleSession(OWNER, 'keyward-service', 'tenant-7', [
            sessionPolicy(allowKms(), denyKms(KEY, 'kms:Decrypt')),
          ]),
          keyPolicy: keyPolicy(keyAllow({ AWS: service.arn })),
        },
        denied('explicit-deny-session'),
      ],
      [
        'identity Deny is reported before a key-policy Deny',
        { caller: alice, keyPolicy: keyPolicy(keyDeny('*')), identityPolicies: [identity(denyKms())] },
        denied('explicit-deny-identity'),
      ],
      [
        'a Deny for another action does not apply',
        {
          caller: alice,
          keyPolicy: keyPolicy(
            keyAllow({ AWS: alice.arn }),
            keyDeny({ AWS: alice.arn }, 'kms:ScheduleKeyDeletion'),
          ),
        },
        ALLOWED,
      ],
      [
        'a Deny with NotAction denies every action it does not list',
        {
          caller: alice,
          keyPolicy: keyPolicy(keyAllow({ AWS: alice.arn }), {
            Effect: 'Deny',
            Principal: '*',
            NotAction: 'kms:Encrypt',
            Resource: '*',
          }),
        },
        denied('explicit-deny-resource'),
      ],
      [
        'a Deny with NotResource spares the listed key',
        {
          caller: alice,
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms(), { Effect: 'Deny', Action: 'kms:*', NotResource: KEY })],
        },
        ALLOWED,
      ],
    ])('%s', (_label, scenario, expected) => {
      expect(decide(scenario)).toEqual(expected);
    });
  });

  describe('NotPrincipal with Deny (every principal AWS evaluates must be listed to be spared)', () => {
    const root = `arn:aws:iam::${OWNER}:root`;
    const denyAllBut = (...listed: string[]) =>
      keyPolicy(keyAllow('*'), {
        Effect: 'Deny',
        NotPrincipal: { AWS: listed },
        Action: 'kms:Decrypt',
        Resource: '*',
      });
    const other = roleSession(OWNER, 'keyward-service', 'tenant-8');

    it.each<[string, Caller, Policy, Decision]>([
      ['the user listed with its account is spared', alice, denyAllBut(alice.arn, root), ALLOWED],
      ['the user listed with its account ID is spared', alice, denyAllBut(alice.arn, OWNER), ALLOWED],
      [
        'another user of that account is denied (the root entry spares no one by itself)',
        user(OWNER, 'carol'),
        denyAllBut(alice.arn, root),
        denied('explicit-deny-resource'),
      ],
      [
        'a user of another account is denied',
        bob,
        denyAllBut(alice.arn, root),
        denied('explicit-deny-resource'),
      ],
      [
        'the user listed without its account is denied',
        alice,
        denyAllBut(alice.arn),
        denied('explicit-deny-resource'),
      ],
      ['the account listed alone spares no one', alice, denyAllBut(root), denied('explicit-deny-resource')],
      [
        'a session listed with its role and account is spared',
        service,
        denyAllBut(service.arn, service.principalArn, root),
        ALLOWED,
      ],
      [
        'another session of that role is denied',
        other,
        denyAllBut(service.arn, service.principalArn, root),
        denied('explicit-deny-resource'),
      ],
      [
        'a session whose role is listed but not the session is denied',
        service,
        denyAllBut(service.principalArn, root),
        denied('explicit-deny-resource'),
      ],
      [
        'a session listed without its role is denied',
        service,
        denyAllBut(service.arn, root),
        denied('explicit-deny-resource'),
      ],
      [
        'NotPrincipal "*" spares everyone',
        bob,
        keyPolicy(keyAllow('*'), { Effect: 'Deny', NotPrincipal: '*', Action: 'kms:*', Resource: '*' }),
        denied('no-identity'),
      ],
    ])('%s', (_label, caller, policy, expected) => {
      expect(decide({ caller, keyPolicy: policy })).toEqual(expected);
    });
  });

  describe('cross account (caller in 444455556666, key in 111122223333)', () => {
    it.each<[string, Scenario, Decision]>([
      [
        'key policy names the account and identity allows',
        {
          caller: bob,
          keyPolicy: keyPolicy(keyAllow({ AWS: `arn:aws:iam::${OTHER}:root` })),
          identityPolicies: [identity(allowKms(KEY))],
        },
        ALLOWED,
      ],
      [
        'key policy names the account, no identity allow',
        { caller: bob, keyPolicy: keyPolicy(keyAllow({ AWS: OTHER })) },
        denied('no-identity'),
      ],
      [
        'key policy names the user, no identity allow',
        { caller: bob, keyPolicy: keyPolicy(keyAllow({ AWS: bob.arn })) },
        denied('no-identity'),
      ],
      [
        'key policy names the user and identity allows',
        {
          caller: bob,
          keyPolicy: keyPolicy(keyAllow({ AWS: bob.arn })),
          identityPolicies: [identity(allowKms(`arn:aws:kms:*:${OWNER}:key/*`))],
        },
        ALLOWED,
      ],
      [
        'identity allows but the key policy does not',
        { caller: bob, keyPolicy: rootDelegation, identityPolicies: [identity(allowKms())] },
        denied('no-resource'),
      ],
      [
        'identity allows another account\u2019s keys only',
        {
          caller: bob,
          keyPolicy: keyPolicy(keyAllow({ AWS: OTHER })),
          identityPolicies: [identity(allowKms(`arn:aws:kms:*:${OTHER}:key/*`))],
        },
        denied('no-identity'),
      ],
      [
        'Principal "*" still needs an identity allow',
        { caller: bob, keyPolicy: keyPolicy(keyAllow('*')) },
        denied('no-identity'),
      ],
      [
        'Principal "*" and identity allow',
        { caller: bob, keyPolicy: keyPolicy(keyAllow('*')), identityPolicies: [identity(allowKms())] },
        ALLOWED,
      ],
      [
        'a session named by its session ARN still needs an identity allow',
        {
          caller: roleSession(OTHER, 'byok', 's'),
          keyPolicy: keyPolicy(keyAllow({ AWS: `arn:aws:sts::${OTHER}:assumed-role/byok/s` })),
        },
        denied('no-identity'),
      ],
    ])('%s', (_label, scenario, expected) => {
      expect(decide(scenario)).toEqual(expected);
    });
  });

  describe('role sessions and session policies', () => {
    const limitedTo = (action: string) =>
      roleSession(OWNER, 'keyward-service', 'tenant-7', [sessionPolicy(allowKms('*', action))]);

    it.each<[string, Scenario, Decision]>([
      [
        'key policy names the role ARN',
        { caller: service, keyPolicy: keyPolicy(keyAllow({ AWS: service.principalArn })) },
        ALLOWED,
      ],
      [
        'key policy names the session ARN',
        { caller: service, keyPolicy: keyPolicy(keyAllow({ AWS: service.arn })) },
        ALLOWED,
      ],
      [
        'key policy names another session of the role',
        {
          caller: service,
          keyPolicy: keyPolicy(keyAllow({ AWS: `arn:aws:sts::${OWNER}:assumed-role/keyward-service/other` })),
        },
        denied('no-resource'),
      ],
      [
        'root delegation + the role\u2019s identity policy',
        { caller: service, keyPolicy: rootDelegation, identityPolicies: [identity(allowKms())] },
        ALLOWED,
      ],
      [
        'root delegation, the role has no policy',
        { caller: service, keyPolicy: rootDelegation },
        denied('no-identity'),
      ],
      [
        'session policy allows the action',
        {
          caller: limitedTo('kms:Decrypt'),
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms())],
        },
        ALLOWED,
      ],
      [
        'session policy does not allow the action',
        {
          caller: limitedTo('kms:Encrypt'),
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms())],
        },
        denied('no-session'),
      ],
      [
        'session policy cannot grant what identity does not',
        { caller: limitedTo('kms:Decrypt'), keyPolicy: rootDelegation },
        denied('no-identity'),
      ],
      [
        'key policy names the role: the session policy still limits',
        { caller: limitedTo('kms:Encrypt'), keyPolicy: keyPolicy(keyAllow({ AWS: service.principalArn })) },
        denied('no-session'),
      ],
      [
        'key policy names the session: the session policy does not limit',
        { caller: limitedTo('kms:Encrypt'), keyPolicy: keyPolicy(keyAllow({ AWS: service.arn })) },
        ALLOWED,
      ],
      [
        'several session policies: any one may allow',
        {
          caller: roleSession(OWNER, 'keyward-service', 'tenant-7', [
            sessionPolicy(allowKms('*', 'kms:Encrypt')),
            sessionPolicy(allowKms('*', 'kms:Decrypt')),
          ]),
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms())],
        },
        ALLOWED,
      ],
      [
        'an empty session-policy list does not limit',
        {
          caller: roleSession(OWNER, 'keyward-service', 'tenant-7', []),
          keyPolicy: rootDelegation,
          identityPolicies: [identity(allowKms())],
        },
        ALLOWED,
      ],
    ])('%s', (_label, scenario, expected) => {
      expect(decide(scenario)).toEqual(expected);
    });
  });

  describe('without a resource policy (IAM actions)', () => {
    const ROLE = `arn:aws:iam::${OWNER}:role/tenant-role`;

    it.each<[string, Scenario, Decision]>([
      [
        'identity allows',
        {
          caller: alice,
          action: 'iam:GetRole',
          resource: ROLE,
          identityPolicies: [
            identity({ Effect: 'Allow', Action: 'iam:Get*', Resource: `arn:aws:iam::${OWNER}:role/*` }),
          ],
        },
        ALLOWED,
      ],
      ['nothing allows', { caller: alice, action: 'iam:GetRole', resource: ROLE }, denied('no-identity')],
      [
        'identity allows another resource',
        {
          caller: alice,
          action: 'iam:GetRole',
          resource: ROLE,
          identityPolicies: [
            identity({ Effect: 'Allow', Action: 'iam:*', Resource: `arn:aws:iam::${OWNER}:user/*` }),
          ],
        },
        denied('no-identity'),
      ],
      [
        'a session policy limits',
        {
          caller: roleSession(OWNER, 'r', 's', [sessionPolicy(allowKms())]),
          action: 'iam:GetRole',
          resource: ROLE,
          identityPolicies: [identity({ Effect: 'Allow', Action: '*', Resource: '*' })],
        },
        denied('no-session'),
      ],
      [
        'a session policy allows',
        {
          caller: roleSession(OWNER, 'r', 's', [
            sessionPolicy({ Effect: 'Allow', Action: 'iam:GetRole', Resource: ROLE }),
          ]),
          action: 'iam:GetRole',
          resource: ROLE,
          identityPolicies: [identity({ Effect: 'Allow', Action: '*', Resource: '*' })],
        },
        ALLOWED,
      ],
    ])('%s', (_label, scenario, expected) => {
      expect(decide(scenario)).toEqual(expected);
    });
  });

  describe('trust policies (sts:AssumeRole)', () => {
    const ROLE = `arn:aws:iam::${OWNER}:role/tenant-role`;
    const trust = parse('trust', {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
      Action: 'sts:AssumeRole',
      Condition: { StringEquals: { 'sts:ExternalId': 'tenant-42' } },
    });
    const assume = (
      externalId?: string,
      identityPolicies = [
        identity({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'arn:aws:iam::*:role/*' }),
      ],
    ): Decision =>
      decide({
        caller: bob,
        action: 'sts:AssumeRole',
        resource: ROLE,
        keyPolicy: trust,
        identityPolicies,
        context: new RequestContext().set('sts:ExternalId', externalId),
      });

    it.each<[string, () => Decision, Decision]>([
      ['with the right External ID', () => assume('tenant-42'), ALLOWED],
      ['with the wrong External ID', () => assume('tenant-43'), denied('no-resource')],
      ['without an External ID', () => assume(undefined), denied('no-resource')],
      ['without an identity allow', () => assume('tenant-42', []), denied('no-identity')],
    ])('%s', (_label, run, expected) => {
      expect(run()).toEqual(expected);
    });
  });
});

describe('denialMessage', () => {
  const callerArn = `arn:aws:sts::${OWNER}:assumed-role/keyward-service/tenant-7`;
  const base = `User: ${callerArn} is not authorized to perform: kms:Decrypt on resource: ${KEY}`;

  it.each<[DenialReason, string]>([
    ['no-resource', `${base} because no resource-based policy allows the kms:Decrypt action`],
    ['no-identity', `${base} because no identity-based policy allows the kms:Decrypt action`],
    ['no-session', `${base} because no session policy allows the kms:Decrypt action`],
    ['explicit-deny-resource', `${base} with an explicit deny in a resource-based policy`],
    ['explicit-deny-identity', `${base} with an explicit deny in an identity-based policy`],
    ['explicit-deny-session', `${base} with an explicit deny in a session policy`],
  ])('%s', (reason, expected) => {
    expect(denialMessage(callerArn, 'kms:Decrypt', KEY, reason)).toBe(expected);
  });

  it('names the action it was given', () => {
    expect(denialMessage(alice.arn, 'kms:DescribeKey', KEY, 'no-resource')).toBe(
      `User: ${alice.arn} is not authorized to perform: kms:DescribeKey on resource: ${KEY} because no resource-based policy allows the kms:DescribeKey action`,
    );
  });

  it('omits the reason when asked (STS AssumeRole has none)', () => {
    const role = `arn:aws:iam::${OWNER}:role/tenant-role`;
    expect(denialMessage(bob.arn, 'sts:AssumeRole', role, 'no-resource', false)).toBe(
      `User: ${bob.arn} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
    );
  });

  it('pairs with authorize: a same-account user with only root delegation', () => {
    const decision = decide({ caller: alice, keyPolicy: rootDelegation });
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(denialMessage(alice.arn, 'kms:Decrypt', KEY, decision.reason)).toBe(
      `User: arn:aws:iam::${OWNER}:user/alice is not authorized to perform: kms:Decrypt on resource: ${KEY} because no identity-based policy allows the kms:Decrypt action`,
    );
  });
});
