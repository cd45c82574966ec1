import { describe, expect, it } from 'vitest';
import { parsePolicy, parsePrincipalSpec, PolicyDocumentError, type PolicyProblem } from './parse-policy.js';
import type { PolicyKind } from './types.js';

const doc = (statement: unknown, extra: Record<string, unknown> = { Version: '2012-10-17' }): string =>
  JSON.stringify({ ...extra, Statement: statement });

const identityStatement = { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' };
const trustStatement = {
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'sts:AssumeRole',
};
const keyStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::111122223333:root' },
  Action: 'kms:*',
  Resource: '*',
};

/** Runs parsePolicy and returns the PolicyDocumentError it throws (failing the test if it does not). */
function parseError(text: string, kind: PolicyKind, managed = false): PolicyDocumentError {
  try {
    parsePolicy(text, kind, { managed });
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyDocumentError);
    return error as PolicyDocumentError;
  }
  throw new Error(`expected ${kind} policy to be refused: ${text}`);
}

describe('parsePolicy: valid documents', () => {
  it('parses an identity policy, normalising single strings to arrays', () => {
    const policy = parsePolicy(doc(identityStatement), 'identity');
    expect(policy).toEqual({
      version: '2012-10-17',
      id: undefined,
      statements: [
        { sid: undefined, effect: 'Allow', action: ['kms:Decrypt'], resource: ['*'], condition: {} },
      ],
    });
  });

  it('accepts a single Statement object as well as an array', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: identityStatement });
    expect(parsePolicy(text, 'identity').statements).toHaveLength(1);
  });

  it('parses NotAction / NotResource into their own fields', () => {
    const policy = parsePolicy(
      doc({ Effect: 'Deny', NotAction: ['iam:*', 'sts:*'], NotResource: 'arn:aws:kms:*:*:key/*' }),
      'identity',
    );
    expect(policy.statements[0]).toEqual({
      sid: undefined,
      effect: 'Deny',
      notAction: ['iam:*', 'sts:*'],
      notResource: ['arn:aws:kms:*:*:key/*'],
      condition: {},
    });
  });

  it('turns condition values into strings (numbers and booleans included)', () => {
    const policy = parsePolicy(
      doc({
        ...identityStatement,
        Condition: {
          NumericLessThan: { 'aws:MultiFactorAuthAge': 3600 },
          Bool: { 'aws:SecureTransport': true },
          StringEquals: { 'kms:CallerAccount': ['111122223333', '444455556666'] },
        },
      }),
      'identity',
    );
    expect(policy.statements[0]!.condition).toEqual({
      NumericLessThan: { 'aws:MultiFactorAuthAge': ['3600'] },
      Bool: { 'aws:SecureTransport': ['true'] },
      StringEquals: { 'kms:CallerAccount': ['111122223333', '444455556666'] },
    });
  });

  it('parses a trust policy with an sts action, a Principal and an ExternalId condition', () => {
    const policy = parsePolicy(
      doc({ ...trustStatement, Condition: { StringEquals: { 'sts:ExternalId': 'tenant-42' } } }),
      'trust',
    );
    expect(policy.statements[0]).toEqual({
      sid: undefined,
      effect: 'Allow',
      action: ['sts:AssumeRole'],
      principal: { any: false, aws: ['arn:aws:iam::111122223333:root'], service: [], federated: [] },
      condition: { StringEquals: { 'sts:ExternalId': ['tenant-42'] } },
    });
  });

  it('accepts {"AWS":"*"} in a trust policy (only the bare "*" is refused)', () => {
    const policy = parsePolicy(doc({ ...trustStatement, Principal: { AWS: '*' } }), 'trust');
    expect(policy.statements[0]!.principal).toEqual({ any: true, aws: [], service: [], federated: [] });
  });

  it('parses a key policy (the KMS default) with its Id', () => {
    const policy = parsePolicy(
      JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: [keyStatement] }),
      'key',
    );
    expect(policy.id).toBe('key-default-1');
    expect(policy.statements[0]).toMatchObject({
      sid: 'Enable IAM User Permissions',
      principal: { any: false, aws: ['arn:aws:iam::111122223333:root'] },
      action: ['kms:*'],
      resource: ['*'],
    });
  });

  it('parses NotPrincipal and Principal "*" in a key policy', () => {
    const policy = parsePolicy(
      doc([
        { Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' },
        {
          Effect: 'Deny',
          NotPrincipal: { AWS: ['arn:aws:iam::111122223333:user/admin', '111122223333'] },
          Action: 'kms:*',
          Resource: '*',
        },
      ]),
      'key',
    );
    expect(policy.statements[0]!.principal).toEqual({ any: true, aws: [], service: [], federated: [] });
    expect(policy.statements[1]!.notPrincipal).toEqual({
      any: false,
      aws: ['arn:aws:iam::111122223333:user/admin', '111122223333'],
      service: [],
      federated: [],
    });
    expect(policy.statements[1]!.principal).toBeUndefined();
  });

  it('lets a key policy repeat a Sid (KMS does not check)', () => {
    expect(
      parsePolicy(
        doc([
          { ...keyStatement, Sid: 'same' },
          { ...keyStatement, Sid: 'same' },
        ]),
        'key',
      ).statements,
    ).toHaveLength(2);
  });

  it('parses a session policy like an identity policy', () => {
    expect(
      parsePolicy(
        doc({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: 'arn:aws:kms:us-east-1:111122223333:key/k' }),
        'session',
      ).statements[0]!.resource,
    ).toEqual(['arn:aws:kms:us-east-1:111122223333:key/k']);
  });

  it.each(['2012-10-17', '2008-10-17', undefined])('accepts Version %j for an inline policy', (version) => {
    const text = JSON.stringify({ ...(version ? { Version: version } : {}), Statement: [identityStatement] });
    expect(parsePolicy(text, 'identity').version).toBe(version);
  });

  it.each([
    'ForAnyValue:StringLike',
    'ForAllValues:StringEqualsIfExists',
    'stringequals',
    'ArnLikeIfExists',
    'Null',
  ])('accepts the condition operator %s', (operator) => {
    const policy = parsePolicy(
      doc({ ...identityStatement, Condition: { [operator]: { 'aws:PrincipalArn': 'x' } } }),
      'identity',
    );
    expect(Object.keys(policy.statements[0]!.condition)).toEqual([operator]);
  });
});

describe('parsePolicy: malformed documents and their messages', () => {
  it.each<[string, PolicyKind, string, PolicyProblem]>([
    ['{not json', 'identity', 'Syntax errors in policy.', 'syntax'],
    ['{not json', 'session', 'Syntax errors in policy.', 'syntax'],
    ['{not json', 'trust', 'This policy contains invalid Json', 'syntax'],
    ['{not json', 'key', 'The policy document is not valid JSON.', 'syntax'],
    ['', 'trust', 'This policy contains invalid Json', 'syntax'],
  ])('invalid JSON %j as %s → %j', (text, kind, message, problem) => {
    const error = parseError(text, kind);
    expect(error.message).toBe(message);
    expect(error.problem).toBe(problem);
  });

  it.each<[string, string, PolicyProblem]>([
    ['a JSON array', '[]', 'syntax'],
    ['a JSON string', '"policy"', 'syntax'],
    ['JSON null', 'null', 'syntax'],
    [
      'an unknown top-level field',
      JSON.stringify({ Version: '2012-10-17', Statement: [identityStatement], Extra: 1 }),
      'unknown-field',
    ],
    [
      'an invalid Version',
      JSON.stringify({ Version: '2020-01-01', Statement: [identityStatement] }),
      'version',
    ],
    ['no Statement', JSON.stringify({ Version: '2012-10-17' }), 'statement'],
    ['an empty Statement list', doc([]), 'statement'],
    ['a statement that is not an object', doc(['kms:Decrypt']), 'syntax'],
    ['an unknown statement field', doc({ ...identityStatement, Actions: 'kms:Decrypt' }), 'unknown-field'],
    ['a non-string Sid', doc({ ...identityStatement, Sid: 7 }), 'syntax'],
    ['no Effect', doc({ Action: 'kms:Decrypt', Resource: '*' }), 'effect'],
    ['a lower-case Effect', doc({ ...identityStatement, Effect: 'allow' }), 'effect'],
    ['both Action and NotAction', doc({ ...identityStatement, NotAction: 'kms:Encrypt' }), 'syntax'],
    ['both Resource and NotResource', doc({ ...identityStatement, NotResource: '*' }), 'syntax'],
    ['an empty Action list', doc({ ...identityStatement, Action: [] }), 'syntax'],
    ['a non-string action', doc({ ...identityStatement, Action: ['kms:Decrypt', 3] }), 'syntax'],
    ['a Condition that is not an object', doc({ ...identityStatement, Condition: 'yes' }), 'syntax'],
    [
      'a condition operator whose keys are not an object',
      doc({ ...identityStatement, Condition: { StringEquals: 'x' } }),
      'syntax',
    ],
    [
      'a condition value that is an object',
      doc({ ...identityStatement, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }),
      'syntax',
    ],
    [
      'an unknown condition operator',
      doc({ ...identityStatement, Condition: { StringMatches: { 'aws:username': 'alice' } } }),
      'condition-operator',
    ],
    [
      'an unknown set qualifier',
      doc({ ...identityStatement, Condition: { 'ForSomeValues:StringEquals': { 'aws:username': 'alice' } } }),
      'condition-operator',
    ],
    [
      'NullIfExists (Null takes no IfExists)',
      doc({ ...identityStatement, Condition: { NullIfExists: { 'aws:username': 'true' } } }),
      'condition-operator',
    ],
  ])('identity policy with %s → "Syntax errors in policy."', (_what, text, problem) => {
    const error = parseError(text, 'identity');
    expect(error.message).toBe('Syntax errors in policy.');
    expect(error.problem).toBe(problem);
  });

  it.each<[string, PolicyKind, string, string, PolicyProblem]>([
    [
      'no Action (identity)',
      'identity',
      doc({ Effect: 'Allow', Resource: '*' }),
      'Policy statement must contain actions.',
      'action-missing',
    ],
    [
      'no Action (trust)',
      'trust',
      doc({ Effect: 'Allow', Principal: { AWS: '111122223333' } }),
      'Policy statement must contain actions.',
      'action-missing',
    ],
    [
      'no Action (key)',
      'key',
      doc({ Effect: 'Allow', Principal: '*', Resource: '*' }),
      'Policy statement must contain actions.',
      'action-missing',
    ],
    [
      'no Resource (identity)',
      'identity',
      doc({ Effect: 'Allow', Action: 'kms:Decrypt' }),
      'Policy statement must contain resources.',
      'resource-missing',
    ],
    [
      'no Resource (session)',
      'session',
      doc({ Effect: 'Allow', Action: 'kms:Decrypt' }),
      'Policy statement must contain resources.',
      'resource-missing',
    ],
    [
      'an action with no vendor',
      'identity',
      doc({ ...identityStatement, Action: 'Decrypt' }),
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      'action-vendor',
    ],
    [
      'an action with two colons',
      'identity',
      doc({ ...identityStatement, Action: 'kms:Decrypt:Now' }),
      'Actions/Condition can contain only one colon.',
      'action-vendor',
    ],
    [
      'a condition key with no vendor',
      'identity',
      doc({ ...identityStatement, Condition: { StringEquals: { username: 'alice' } } }),
      'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
      'action-vendor',
    ],
    [
      'a Resource that is not an ARN',
      'identity',
      doc({ ...identityStatement, Resource: 'my-key' }),
      'Resource my-key must be in ARN format or "*".',
      'resource-format',
    ],
    [
      'a Principal (identity)',
      'identity',
      doc({ ...identityStatement, Principal: '*' }),
      'Policy document should not specify a principal.',
      'principal-forbidden',
    ],
    [
      'a NotPrincipal (identity)',
      'identity',
      doc({ ...identityStatement, NotPrincipal: { AWS: '111122223333' } }),
      'Policy document should not specify a principal.',
      'principal-forbidden',
    ],
    [
      'a Principal (session)',
      'session',
      doc({ ...identityStatement, Principal: { AWS: '111122223333' } }),
      'Policy document should not specify a principal.',
      'principal-forbidden',
    ],
    [
      'a Resource (trust)',
      'trust',
      doc({ ...trustStatement, Resource: '*' }),
      'Has prohibited field Resource',
      'resource-forbidden',
    ],
    [
      'a NotResource (trust)',
      'trust',
      doc({ ...trustStatement, NotResource: '*' }),
      'Has prohibited field Resource',
      'resource-forbidden',
    ],
    [
      'a kms action (trust)',
      'trust',
      doc({ ...trustStatement, Action: ['sts:AssumeRole', 'kms:Decrypt'] }),
      'AssumeRole policy may only specify STS AssumeRole actions.',
      'action-vendor',
    ],
    [
      'the "*" action (trust)',
      'trust',
      doc({ ...trustStatement, Action: '*' }),
      'AssumeRole policy may only specify STS AssumeRole actions.',
      'action-vendor',
    ],
    [
      'no Principal (trust)',
      'trust',
      doc({ Effect: 'Allow', Action: 'sts:AssumeRole' }),
      'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
      'principal-missing',
    ],
    [
      'no Principal (key)',
      'key',
      doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }),
      'Policy contains a statement with one or more invalid principals.',
      'principal-missing',
    ],
    [
      'Principal "*" (trust)',
      'trust',
      doc({ ...trustStatement, Principal: '*' }),
      'AssumeRolepolicy contained an invalid principal: "STAR":"*".',
      'principal-format',
    ],
    [
      'an empty Principal object (key)',
      'key',
      doc({ ...keyStatement, Principal: {} }),
      'Syntax errors in policy.',
      'principal-format',
    ],
    [
      'an unknown principal type (key)',
      'key',
      doc({ ...keyStatement, Principal: { IAM: 'x' } }),
      'Syntax errors in policy.',
      'principal-format',
    ],
    [
      'both Principal and NotPrincipal (key)',
      'key',
      doc({ ...keyStatement, NotPrincipal: { AWS: '111122223333' } }),
      'Syntax errors in policy.',
      'syntax',
    ],
    [
      'an unknown condition operator (trust)',
      'trust',
      doc({ ...trustStatement, Condition: { StringMatches: { 'sts:ExternalId': 'x' } } }),
      'Syntax errors in policy.',
      'condition-operator',
    ],
    [
      'an unknown condition operator (key)',
      'key',
      doc({ ...keyStatement, Condition: { Equals: { 'kms:CallerAccount': '1' } } }),
      'Syntax errors in policy.',
      'condition-operator',
    ],
    [
      'duplicate Sids (identity)',
      'identity',
      doc([
        { ...identityStatement, Sid: 'A' },
        { ...identityStatement, Sid: 'A' },
      ]),
      'Statement IDs (SID) in a single policy must be unique.',
      'duplicate-sid',
    ],
    [
      'duplicate Sids (trust)',
      'trust',
      doc([
        { ...trustStatement, Sid: 'T' },
        { ...trustStatement, Sid: 'T' },
      ]),
      'Statement IDs (SID) in a single policy must be unique.',
      'duplicate-sid',
    ],
    [
      'duplicate Sids (session)',
      'session',
      doc([
        { ...identityStatement, Sid: 'S' },
        { ...identityStatement, Sid: 'S' },
      ]),
      'Statement IDs (SID) in a single policy must be unique.',
      'duplicate-sid',
    ],
  ])('%s → %j', (_what, kind, text, message, problem) => {
    const error = parseError(text, kind);
    expect(error.message).toBe(message);
    expect(error.problem).toBe(problem);
  });

  it('allows distinct Sids and statements without Sids side by side', () => {
    const policy = parsePolicy(
      doc([
        { ...identityStatement, Sid: 'A' },
        { ...identityStatement, Sid: 'B' },
        identityStatement,
        identityStatement,
      ]),
      'identity',
    );
    expect(policy.statements.map((statement) => statement.sid)).toEqual(['A', 'B', undefined, undefined]);
  });

  describe('managed policies (CreatePolicy) need Version 2012-10-17', () => {
    it.each([
      ['missing', JSON.stringify({ Statement: [identityStatement] })],
      ['2008-10-17', JSON.stringify({ Version: '2008-10-17', Statement: [identityStatement] })],
    ])('Version %s → "Policy document must be version 2012-10-17 or greater."', (_what, text) => {
      const error = parseError(text, 'identity', true);
      expect(error.message).toBe('Policy document must be version 2012-10-17 or greater.');
      expect(error.problem).toBe('version');
      // the same document is fine as an inline policy
      expect(parsePolicy(text, 'identity').statements).toHaveLength(1);
    });

    it('an unknown Version string is a syntax error, even for a managed policy', () => {
      expect(
        parseError(
          JSON.stringify({ Version: '2013-01-01', Statement: [identityStatement] }),
          'identity',
          true,
        ).message,
      ).toBe('Syntax errors in policy.');
    });

    it('accepts 2012-10-17', () => {
      expect(parsePolicy(doc(identityStatement), 'identity', { managed: true }).version).toBe('2012-10-17');
    });
  });
});

describe('parsePrincipalSpec', () => {
  it.each([
    ['*', { any: true, aws: [], service: [], federated: [] }],
    [{ AWS: '*' }, { any: true, aws: [], service: [], federated: [] }],
    [{ AWS: ['111122223333', '*'] }, { any: true, aws: ['111122223333'], service: [], federated: [] }],
    [
      { Service: 'ec2.amazonaws.com' },
      { any: false, aws: [], service: ['ec2.amazonaws.com'], federated: [] },
    ],
    [
      { Federated: ['cognito-identity.amazonaws.com'] },
      { any: false, aws: [], service: [], federated: ['cognito-identity.amazonaws.com'] },
    ],
    [{ CanonicalUser: 'abc' }, { any: false, aws: [], service: [], federated: [] }],
  ])('%j → %j', (value, expected) => {
    expect(parsePrincipalSpec(value)).toEqual(expected);
  });

  it.each([[{}], [[]], ['111122223333'], [{ AWS: [] }], [{ AWS: 3 }], [{ Group: 'x' }]])(
    'refuses %j',
    (value) => {
      expect(() => parsePrincipalSpec(value)).toThrow(PolicyDocumentError);
    },
  );
});
