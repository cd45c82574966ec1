import { describe, expect, it } from 'vitest';
import {
  hardenedKeyPolicyStatements,
  hardenedPermissionsPolicy,
  keyPolicyStatement,
  permissionsPolicy,
  TENANT_CONTEXT_KEY,
  trustPolicy,
} from './policies.js';
import {
  reviewPolicies,
  type PolicyReviewInput,
  type ReviewFinding,
  type ReviewId,
} from './policy-review.js';

const SERVICE_ROLE = 'arn:aws:iam::111122223333:role/keyward-service';
const EXTERNAL_ID = 'kw-2jx7m4q9r3tvk8wz';
const ROLE = 'arn:aws:iam::444455556666:role/byok/KeywardByokAccess';
const OTHER_ACCOUNT_ROLE = 'arn:aws:iam::777788889999:role/KeywardByokAccess';
const KEY = 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const OTHER_KEY = 'arn:aws:kms:us-east-1:444455556666:key/99999999-12ab-34cd-56ef-1234567890ab';
const TENANT = 'acme';

/** The statement every new KMS key's default policy has: IAM policies of the key's account decide. */
const ROOT_STATEMENT = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444455556666:root' },
  Action: 'kms:*',
  Resource: '*',
};
const ADMIN_STATEMENT = {
  Sid: 'KeyAdmins',
  Effect: 'Allow',
  Principal: { AWS: 'arn:aws:iam::444455556666:role/KeyAdmin' },
  Action: ['kms:Create*', 'kms:Describe*', 'kms:Put*'],
  Resource: '*',
};
const doc = (...statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
/**
 * A key policy that lets IAM decide (the account root, not the role by name): the role's own
 * policies must then allow the key actions. Tests of the permissions policy use it, since a key
 * policy naming the role in the key's account needs no permissions policy at all.
 */
const DELEGATING = doc(ROOT_STATEMENT, ADMIN_STATEMENT);
const CONTEXT_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'];

function input(overrides: Partial<PolicyReviewInput> = {}): PolicyReviewInput {
  return {
    serviceRoleArn: SERVICE_ROLE,
    externalId: EXTERNAL_ID,
    roleArn: ROLE,
    keyArn: KEY,
    tenantId: TENANT,
    trustPolicy: trustPolicy(SERVICE_ROLE, EXTERNAL_ID),
    rolePolicies: [{ name: 'KeywardByokKeyAccess', document: permissionsPolicy(KEY) }],
    keyPolicy: doc(ROOT_STATEMENT, keyPolicyStatement(ROLE)),
    ...overrides,
  };
}

const review = (overrides: Partial<PolicyReviewInput> = {}): Record<ReviewId, ReviewFinding> =>
  Object.fromEntries(reviewPolicies(input(overrides)).map((finding) => [finding.id, finding])) as Record<
    ReviewId,
    ReviewFinding
  >;
const statuses = (overrides: Partial<PolicyReviewInput> = {}): Record<ReviewId, string> =>
  Object.fromEntries(
    reviewPolicies(input(overrides)).map((finding) => [finding.id, finding.status]),
  ) as Record<ReviewId, string>;
const ALL_PASS = {
  'trust-principal': 'pass',
  'trust-external-id': 'pass',
  'permissions-policy': 'pass',
  'key-policy': 'pass',
};
const trustWith = (statement: Record<string, unknown>) =>
  doc({
    Sid: 'Trust',
    Effect: 'Allow',
    Principal: { AWS: SERVICE_ROLE },
    Action: 'sts:AssumeRole',
    ...statement,
  });
const permissions = (...statements: unknown[]) => [{ name: 'custom', document: doc(...statements) }];

describe("reviewPolicies: the kit's own documents", () => {
  it('passes the trust policy, permissions policy and key policy statement of step 3, in the fixed order', () => {
    const findings = reviewPolicies(input());
    expect(findings.map((f) => [f.id, f.status, f.artifact, f.remediation])).toEqual([
      ['trust-principal', 'pass', 'trust-policy', null],
      ['trust-external-id', 'pass', 'trust-policy', null],
      ['permissions-policy', 'pass', 'permissions-policy', null],
      ['key-policy', 'pass', 'key-policy-statement', null],
    ]);
    expect(findings[0]!.message).toBe(
      `The trust policy allows ${SERVICE_ROLE} (statement "AllowKeywardServiceRoleWithExternalId").`,
    );
    expect(findings[1]!.message).toContain(`sts:ExternalId = ${EXTERNAL_ID}`);
    expect(findings[2]!.message).toContain('statement "UseTheByokKey" of policy "KeywardByokKeyAccess"');
    expect(findings[3]!.message).toContain(
      `The key policy allows the role ${ROLE} (statement "AllowKeywardByokRole")`,
    );
    for (const finding of findings) expect(finding.title.length).toBeGreaterThan(0);
  });

  it("passes the hardened documents with this tenant's id, even without the account root statement", () => {
    expect(
      statuses({
        rolePolicies: [{ name: 'hardened', document: hardenedPermissionsPolicy(KEY, TENANT) }],
        keyPolicy: doc(ADMIN_STATEMENT, ...hardenedKeyPolicyStatements(ROLE, TENANT)),
      }),
    ).toEqual(ALL_PASS);
  });

  // Decision: a StringEquals on keyward:tenant for another tenant can never match the data plane's
  // calls, which always carry this tenant's id, so it is a failure, not a warning.
  it('fails the hardened documents generated for another tenant, naming both tenant ids', () => {
    const findings = review({
      rolePolicies: [{ name: 'hardened', document: hardenedPermissionsPolicy(KEY, 'globex') }],
      keyPolicy: doc(ADMIN_STATEMENT, ...hardenedKeyPolicyStatements(ROLE, 'globex')),
    });
    for (const finding of [findings['permissions-policy'], findings['key-policy']]) {
      expect(finding.status).toBe('fail');
      expect(finding.message).toContain(
        `does not allow kms:Encrypt, kms:Decrypt, kms:GenerateDataKey on ${KEY}`,
      );
      expect(finding.message).toContain(
        'allows kms:Encrypt, kms:Decrypt, kms:GenerateDataKey only for tenant globex (kms:EncryptionContext:keyward:tenant); this tenant is acme.',
      );
      expect(finding.remediation).toContain('"acme"');
    }
  });

  it('warns when the tenant condition lists other tenants too (a condition it does not evaluate)', () => {
    const statement = {
      Effect: 'Allow',
      Action: [...CONTEXT_ACTIONS, 'kms:DescribeKey'],
      Resource: KEY,
      Condition: { StringEquals: { [TENANT_CONTEXT_KEY]: [TENANT, 'globex'] } },
    };
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: permissions({ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: KEY }, statement),
    })['permissions-policy'];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('conditions this review does not evaluate');
  });

  it('warns when the tenant condition comes with another condition, which it does not evaluate', () => {
    const [describeKey, use] = hardenedPermissionsPolicy(KEY, TENANT).Statement;
    const withVpc = {
      ...use!,
      Condition: { StringEquals: { ...use!.Condition!.StringEquals, 'aws:SourceVpc': 'vpc-1' } },
    };
    const finding = review({ keyPolicy: DELEGATING, rolePolicies: permissions(describeKey, withVpc) })[
      'permissions-policy'
    ];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('statement "UseTheByokKeyForThisTenant" of policy "custom"');
  });
});

describe('reviewPolicies: trust policy', () => {
  it('fails a trust statement without an External ID condition (confused deputy), while the principal passes', () => {
    const findings = review({ trustPolicy: trustWith({}) });
    expect(findings['trust-principal'].status).toBe('pass');
    expect(findings['trust-external-id']).toMatchObject({ status: 'fail', artifact: 'trust-policy' });
    expect(findings['trust-external-id'].message).toContain('confused-deputy');
    expect(findings['trust-external-id'].remediation).toContain(
      `{"StringEquals":{"sts:ExternalId":"${EXTERNAL_ID}"}}`,
    );
    expect(findings['trust-external-id'].remediation).toContain('step 3');
  });

  it('fails a wrong External ID, naming both', () => {
    const finding = review({ trustPolicy: trustPolicy(SERVICE_ROLE, 'kw-someoneelse') })['trust-external-id'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      `The trust policy requires External ID kw-someoneelse (statement "AllowKeywardServiceRoleWithExternalId"); this tenant's is ${EXTERNAL_ID}.`,
    );
  });

  it('fails StringEqualsIfExists and ForAllValues:StringEquals: a request without an External ID passes them', () => {
    for (const operator of ['StringEqualsIfExists', 'ForAllValues:StringEquals']) {
      const finding = review({
        trustPolicy: trustWith({ Condition: { [operator]: { 'sts:ExternalId': EXTERNAL_ID } } }),
      })['trust-external-id'];
      expect(finding.status).toBe('fail');
      expect(finding.message).toContain(operator);
    }
  });

  it('fails the IfExists and ForAllValues: forms of every operator, ForAnyValue: included', () => {
    for (const operator of [
      'StringEqualsIgnoreCaseIfExists',
      'ForAllValues:StringEqualsIgnoreCase',
      'ForAllValues:StringLike',
      'ForAnyValue:StringEqualsIfExists',
      'StringLikeIfExists',
    ]) {
      const finding = review({
        trustPolicy: trustWith({ Condition: { [operator]: { 'sts:ExternalId': EXTERNAL_ID } } }),
      })['trust-external-id'];
      expect(finding.status, operator).toBe('fail');
      expect(finding.message).toContain('Insecure');
    }
  });

  it('warns on StringEqualsIgnoreCase with this External ID in any casing: it is required, but other casings work too', () => {
    for (const value of [EXTERNAL_ID, EXTERNAL_ID.toUpperCase()]) {
      const finding = review({
        trustPolicy: trustWith({ Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': value } } }),
      })['trust-external-id'];
      expect(finding.status).toBe('warn');
      expect(finding.message).toBe(
        `The trust policy requires External ID ${EXTERNAL_ID} with StringEqualsIgnoreCase (statement "Trust"): it works, but it also accepts the ID in other casings; use StringEquals.`,
      );
      expect(finding.remediation).toContain(`{"StringEquals":{"sts:ExternalId":"${EXTERNAL_ID}"}}`);
    }
    expect(
      review({
        trustPolicy: trustWith({ Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': 'kw-other' } } }),
      })['trust-external-id'],
    ).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('requires External ID kw-other') as string,
    });
    expect(
      statuses({
        trustPolicy: trustWith({
          Condition: { StringEqualsIgnoreCase: { 'sts:ExternalId': [EXTERNAL_ID, 'kw-other'] } },
        }),
      })['trust-external-id'],
    ).toBe('warn');
    expect(
      statuses({
        trustPolicy: trustWith({
          Condition: { 'ForAnyValue:StringEqualsIgnoreCase': { 'sts:ExternalId': EXTERNAL_ID } },
        }),
      })['trust-external-id'],
    ).toBe('warn');
    // ANDed with StringEquals on the exact value, only the exact value is accepted.
    expect(
      statuses({
        trustPolicy: trustWith({
          Condition: {
            StringEquals: { 'sts:ExternalId': EXTERNAL_ID },
            StringEqualsIgnoreCase: { 'sts:ExternalId': EXTERNAL_ID },
          },
        }),
      })['trust-external-id'],
    ).toBe('pass');
  });

  // Decision: sts:ExternalId is single-valued, so ForAnyValue:StringEquals/StringLike act as the
  // plain operator and an absent key makes them false: the External ID is required, a pass.
  it('passes ForAnyValue:StringEquals and ForAnyValue:StringLike with this External ID, and checks their values as the plain operators', () => {
    for (const operator of ['ForAnyValue:StringEquals', 'ForAnyValue:StringLike']) {
      const finding = review({
        trustPolicy: trustWith({ Condition: { [operator]: { 'sts:ExternalId': EXTERNAL_ID } } }),
      })['trust-external-id'];
      expect(finding.status).toBe('pass');
      expect(finding.message).toContain(
        `sts:ExternalId = ${EXTERNAL_ID} (statement "Trust", with ${operator}, which on the single-valued sts:ExternalId acts as ${operator.slice('ForAnyValue:'.length)})`,
      );
      expect(
        statuses({ trustPolicy: trustWith({ Condition: { [operator]: { 'sts:ExternalId': 'kw-other' } } }) })[
          'trust-external-id'
        ],
      ).toBe('fail');
    }
    expect(
      statuses({
        trustPolicy: trustWith({ Condition: { 'ForAnyValue:StringLike': { 'sts:ExternalId': 'kw-*' } } }),
      })['trust-external-id'],
    ).toBe('warn');
    expect(
      statuses({
        trustPolicy: trustWith({ Condition: { 'ForAnyValue:StringLike': { 'sts:ExternalId': '*' } } }),
      })['trust-external-id'],
    ).toBe('fail');
  });

  it('warns when other External IDs are accepted too, and fails StringLike "*"', () => {
    expect(
      review({
        trustPolicy: trustWith({
          Condition: { StringEquals: { 'sts:ExternalId': [EXTERNAL_ID, 'kw-other'] } },
        }),
      })['trust-external-id'],
    ).toMatchObject({ status: 'warn', message: expect.stringContaining('kw-other') as string });
    expect(
      statuses({ trustPolicy: trustWith({ Condition: { StringLike: { 'sts:ExternalId': 'kw-*' } } }) })[
        'trust-external-id'
      ],
    ).toBe('warn');
    expect(
      statuses({ trustPolicy: trustWith({ Condition: { StringLike: { 'sts:ExternalId': '*' } } }) })[
        'trust-external-id'
      ],
    ).toBe('fail');
  });

  it('accepts StringLike with the exact value and condition keys in any case', () => {
    expect(
      statuses({ trustPolicy: trustWith({ Condition: { StringLike: { 'sts:ExternalId': EXTERNAL_ID } } }) })[
        'trust-external-id'
      ],
    ).toBe('pass');
    expect(
      statuses({
        trustPolicy: trustWith({ Condition: { StringEquals: { 'STS:externalid': EXTERNAL_ID } } }),
      })['trust-external-id'],
    ).toBe('pass');
  });

  it('fails Principal "*" and {"AWS": "*"}, even with the External ID condition', () => {
    const condition = { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } };
    for (const principal of ['*', { AWS: '*' }, { AWS: [SERVICE_ROLE, '*'] }]) {
      const finding = review({ trustPolicy: trustWith({ Principal: principal, Condition: condition }) })[
        'trust-principal'
      ];
      expect(finding.status).toBe('fail');
      expect(finding.message).toContain('any AWS principal');
    }
  });

  it('warns on the platform account root (as ARN or bare account id); the External ID is still checked', () => {
    for (const root of ['arn:aws:iam::111122223333:root', '111122223333']) {
      const findings = review({
        trustPolicy: trustWith({
          Principal: { AWS: root },
          Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID } },
        }),
      });
      expect(findings['trust-principal'].status).toBe('warn');
      expect(findings['trust-principal'].message).toContain('whole platform account 111122223333');
      expect(findings['trust-principal'].remediation).toContain(`Name the Service Role ${SERVICE_ROLE}`);
      expect(findings['trust-external-id'].status).toBe('pass');
    }
    expect(
      statuses({ trustPolicy: trustWith({ Principal: { AWS: '111122223333' } }) })['trust-external-id'],
    ).toBe('fail');
  });

  it('fails when nothing trusts the Service Role, and says the External ID could not be checked', () => {
    const findings = review({ trustPolicy: trustWith({ Principal: { Service: 'ec2.amazonaws.com' } }) });
    expect(findings['trust-principal'].status).toBe('fail');
    expect(findings['trust-principal'].message).toContain('the platform cannot assume the role');
    expect(findings['trust-principal'].remediation).toContain('step 3');
    expect(findings['trust-external-id']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('Could not be checked') as string,
    });
  });

  it('fails an unconditional Deny of sts:AssumeRole to the Service Role and warns on a conditional one', () => {
    const allow = trustPolicy(SERVICE_ROLE, EXTERNAL_ID).Statement[0]!;
    const deny = { Sid: 'NoPlatform', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sts:*' };
    const denied = review({ trustPolicy: doc(allow, deny) })['trust-principal'];
    expect(denied.status).toBe('fail');
    expect(denied.message).toContain('statement "NoPlatform"');
    expect(
      statuses({
        trustPolicy: doc(allow, { ...deny, Condition: { Bool: { 'aws:SecureTransport': false } } }),
      })['trust-principal'],
    ).toBe('warn');
    expect(
      statuses({
        trustPolicy: doc(allow, { ...deny, Principal: { AWS: 'arn:aws:iam::999999999999:root' } }),
      })['trust-principal'],
    ).toBe('pass');
  });

  it('warns when the trusting statement has conditions besides the External ID, which the review does not evaluate', () => {
    const findings = review({
      trustPolicy: trustWith({
        Condition: { StringEquals: { 'sts:ExternalId': EXTERNAL_ID, 'sts:SourceIdentity': 'someone' } },
      }),
    });
    expect(findings['trust-principal'].status).toBe('warn');
    expect(findings['trust-principal'].message).toContain('(StringEquals sts:SourceIdentity)');
    expect(findings['trust-external-id'].status).toBe('pass');
  });

  it('does not count an Allow with NotPrincipal as trusting, and says so', () => {
    const finding = review({
      trustPolicy: doc({
        Sid: 'Odd',
        Effect: 'Allow',
        NotPrincipal: { AWS: 'arn:aws:iam::999999999999:root' },
        Action: 'sts:AssumeRole',
      }),
    })['trust-principal'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('statement "Odd" uses NotAction or NotPrincipal');
  });
});

describe('reviewPolicies: permissions policy', () => {
  it('fails when the role has no policies at all', () => {
    const finding = review({ keyPolicy: DELEGATING, rolePolicies: [] })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('no permissions policy');
    expect(finding.remediation).toContain(
      `Attach the permissions policy from step 3 of the setup guide to the role ${ROLE}`,
    );
  });

  it('fails a policy on another key, naming every required action', () => {
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: [{ name: 'wrong-key', document: permissionsPolicy(OTHER_KEY) }],
    })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      `does not allow kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey on ${KEY}`,
    );
  });

  it('fails a policy without DescribeKey, naming only that action', () => {
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: permissions({ Effect: 'Allow', Action: CONTEXT_ACTIONS, Resource: KEY }),
    })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('does not allow kms:DescribeKey on');
    expect(finding.message).not.toContain('does not allow kms:Encrypt');
  });

  it('fails DescribeKey under the tenant condition: DescribeKey carries no encryption context', () => {
    const statement = {
      Sid: 'AllForTenant',
      Effect: 'Allow',
      Action: [...CONTEXT_ACTIONS, 'kms:DescribeKey'],
      Resource: KEY,
      Condition: { StringEquals: { [TENANT_CONTEXT_KEY]: TENANT } },
    };
    const finding = review({ keyPolicy: DELEGATING, rolePolicies: permissions(statement) })[
      'permissions-policy'
    ];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('encryption-context condition of statement "AllForTenant"');
    expect(finding.message).toContain('keep kms:DescribeKey in a statement without the condition');
    expect(finding.remediation).toContain(JSON.stringify(hardenedPermissionsPolicy(KEY, TENANT)));
  });

  it('fails an unconditional Deny of a required action and warns on a conditional one', () => {
    const deny = { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' };
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: [...input().rolePolicies, ...permissions(deny)],
    })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      'denies kms:Decrypt to the role on the key (statement "NoDecrypt" of policy "custom")',
    );
    expect(finding.remediation).toContain(
      'Remove or narrow the Deny statement "NoDecrypt" of policy "custom" in the permissions policy (step 3)',
    );
    const conditional = { ...deny, Condition: { Bool: { 'aws:ViaAWSService': 'false' } } };
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: [...input().rolePolicies, ...permissions(conditional)],
      })['permissions-policy'],
    ).toBe('warn');
  });

  it('warns on a Deny with NotAction or NotResource that does not exclude the key, and ignores one that does', () => {
    const base = input().rolePolicies;
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: [...base, ...permissions({ Effect: 'Deny', NotAction: 's3:*', Resource: '*' })],
      })['permissions-policy'],
    ).toBe('warn');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: [...base, ...permissions({ Effect: 'Deny', Action: 'kms:*', NotResource: OTHER_KEY })],
      })['permissions-policy'],
    ).toBe('warn');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: [...base, ...permissions({ Effect: 'Deny', NotAction: 'kms:*', Resource: '*' })],
      })['permissions-policy'],
    ).toBe('pass');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: [...base, ...permissions({ Effect: 'Deny', Action: 'kms:*', NotResource: KEY })],
      })['permissions-policy'],
    ).toBe('pass');
  });

  it('does not count an Allow with NotAction as granting, and says so', () => {
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: permissions({ Sid: 'AllButIam', Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }),
    })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      'NotAction, NotResource or NotPrincipal: statement "AllButIam" of policy "custom"',
    );
  });

  it('accepts wildcard actions and resources, matching actions case-insensitively and resources case-sensitively', () => {
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: permissions({ Effect: 'Allow', Action: 'kms:*', Resource: KEY }),
      })['permissions-policy'],
    ).toBe('pass');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: permissions({
          Effect: 'Allow',
          Action: '*',
          Resource: 'arn:aws:kms:*:444455556666:key/*',
        }),
      })['permissions-policy'],
    ).toBe('pass');
    const spelled = {
      Effect: 'Allow',
      Action: ['KMS:encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*', 'kms:Desc?ibeKey', 'kms:ReEncrypt*'],
      Resource: KEY,
    };
    expect(
      statuses({ keyPolicy: DELEGATING, rolePolicies: permissions(spelled) })['permissions-policy'],
    ).toBe('pass');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: permissions({ ...spelled, Resource: KEY.toUpperCase() }),
      })['permissions-policy'],
    ).toBe('fail');
    expect(
      statuses({
        keyPolicy: DELEGATING,
        rolePolicies: permissions({
          ...spelled,
          Action: spelled.Action.map((a) => a.replace('GenerateDataKey*', 'GenerateDataKeyPair*')),
        }),
      })['permissions-policy'],
    ).toBe('fail');
  });

  it('warns when ReEncrypt is missing, since only a CMK switch needs it', () => {
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: permissions({
        Effect: 'Allow',
        Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ReEncryptFrom'],
        Resource: KEY,
      }),
    })['permissions-policy'];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('does not allow kms:ReEncryptTo on the key');
    expect(finding.remediation).toContain('kms:ReEncrypt*');
  });

  it('counts a grant under another condition but warns that the condition was not evaluated', () => {
    const finding = review({
      keyPolicy: DELEGATING,
      rolePolicies: permissions({
        Sid: 'OnlyFromVpc',
        Effect: 'Allow',
        Action: 'kms:*',
        Resource: KEY,
        Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
      }),
    })['permissions-policy'];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('(statement "OnlyFromVpc" of policy "custom")');
  });

  it('combines the grants of several policies', () => {
    const rolePolicies = [
      {
        name: 'one',
        document: doc({
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*'],
          Resource: KEY,
        }),
      },
      {
        name: 'two',
        document: doc({ Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:DescribeKey'], Resource: KEY }),
      },
    ];
    expect(statuses({ keyPolicy: DELEGATING, rolePolicies })['permissions-policy']).toBe('pass');
    expect(
      statuses({ keyPolicy: DELEGATING, rolePolicies: rolePolicies.slice(1) })['permissions-policy'],
    ).toBe('fail');
  });
});

// In KMS a key policy that names a role of the key's own account authorizes it alone: no IAM
// policy is needed. Through the account root (delegation to IAM), or across accounts, it is.
describe('reviewPolicies: permissions policy when the key policy names the role', () => {
  const ROLE_NAMED = doc(ADMIN_STATEMENT, keyPolicyStatement(ROLE));
  const NO_PERMISSIONS_NEEDED =
    'No permissions policy is needed for these actions: the key policy names the role (statement "AllowKeywardByokRole") and the key is in the role\'s account (the kit\'s permissions policy is still recommended).';
  const partial = {
    Sid: 'RoleDecrypts',
    Effect: 'Allow',
    Principal: { AWS: ROLE },
    Action: ['kms:Decrypt', 'kms:DescribeKey'],
    Resource: '*',
  };
  const rest = {
    Sid: 'TheRest',
    Effect: 'Allow',
    Action: ['kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'],
    Resource: KEY,
  };

  it("passes without any permissions policy when the key policy names the role in the key's account, keeping the order of findings", () => {
    for (const rolePolicies of [
      [],
      permissions({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }),
    ]) {
      const findings = reviewPolicies(input({ keyPolicy: ROLE_NAMED, rolePolicies }));
      expect(findings.map((f) => [f.id, f.status])).toEqual(Object.entries(ALL_PASS));
      expect(findings[2]).toMatchObject({
        message: NO_PERMISSIONS_NEEDED,
        remediation: null,
        artifact: 'permissions-policy',
      });
    }
  });

  it("still fails an unconditional Deny of a required action in the role's policies, and warns on a conditional one", () => {
    const deny = { Sid: 'NoDecrypt', Effect: 'Deny', Action: 'kms:Decrypt', Resource: '*' };
    const finding = review({ keyPolicy: ROLE_NAMED, rolePolicies: permissions(deny) })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      'denies kms:Decrypt to the role on the key (statement "NoDecrypt" of policy "custom")',
    );
    expect(
      statuses({
        keyPolicy: ROLE_NAMED,
        rolePolicies: permissions({ ...deny, Condition: { Bool: { 'aws:ViaAWSService': 'false' } } }),
      })['permissions-policy'],
    ).toBe('warn');
  });

  it("passes when the key policy names the role for some actions and the role's policies allow the rest", () => {
    const findings = review({ keyPolicy: doc(ROOT_STATEMENT, partial), rolePolicies: permissions(rest) });
    expect(findings['permissions-policy'].status).toBe('pass');
    expect(findings['permissions-policy'].message).toContain(
      'No permissions policy is needed for kms:Decrypt, kms:DescribeKey: the key policy names the role (statement "RoleDecrypts")',
    );
    expect(findings['key-policy'].status).toBe('pass');
  });

  it('fails for the actions neither allows, and without any permissions policy', () => {
    const finding = review({
      keyPolicy: doc(ROOT_STATEMENT, partial),
      rolePolicies: permissions({ ...rest, Action: ['kms:Encrypt', 'kms:ReEncrypt*'] }),
    })['permissions-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      `The permissions policy does not allow kms:GenerateDataKey on ${KEY} for the role.`,
    );
    expect(
      review({ keyPolicy: doc(ROOT_STATEMENT, partial), rolePolicies: [] })['permissions-policy'],
    ).toMatchObject({ status: 'fail', message: expect.stringContaining('no permissions policy') as string });
  });

  it('fails without a permissions policy when the key is in another account, even though the key policy names the role', () => {
    const findings = review({
      roleArn: OTHER_ACCOUNT_ROLE,
      keyPolicy: doc(ROOT_STATEMENT, keyPolicyStatement(OTHER_ACCOUNT_ROLE)),
      rolePolicies: [],
    });
    expect(findings['key-policy'].status).toBe('pass');
    expect(findings['permissions-policy'].status).toBe('fail');
    expect(findings['permissions-policy'].message).toContain(
      "the key is in account 444455556666 and the role in account 777788889999: across accounts the role's own policies must allow the actions too",
    );
    expect(findings['permissions-policy'].remediation).toContain(
      `Attach the permissions policy from step 3 of the setup guide to the role ${OTHER_ACCOUNT_ROLE}`,
    );
    expect(
      statuses({
        roleArn: OTHER_ACCOUNT_ROLE,
        keyPolicy: doc(keyPolicyStatement(OTHER_ACCOUNT_ROLE)),
        rolePolicies: permissions({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: KEY }),
      })['permissions-policy'],
    ).toBe('fail');
  });

  it('fails without a permissions policy when the key policy only delegates to IAM through the account root', () => {
    const findings = review({ keyPolicy: DELEGATING, rolePolicies: [] });
    expect(findings['key-policy'].status).toBe('pass');
    expect(findings['permissions-policy']).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('no permissions policy') as string,
    });
    expect(
      statuses({
        keyPolicy: doc({ ...ROOT_STATEMENT, Principal: { AWS: '444455556666' } }),
        rolePolicies: permissions({ Effect: 'Allow', Action: 's3:*', Resource: '*' }),
      })['permissions-policy'],
    ).toBe('fail');
  });

  it('does not count Principal "*" or a grant for another tenant as naming the role', () => {
    expect(
      statuses({
        keyPolicy: doc(ROOT_STATEMENT, { ...keyPolicyStatement(ROLE), Principal: '*' }),
        rolePolicies: [],
      })['permissions-policy'],
    ).toBe('fail');
    expect(
      statuses({
        keyPolicy: doc(ROOT_STATEMENT, ...hardenedKeyPolicyStatements(ROLE, 'globex')),
        rolePolicies: [],
      })['permissions-policy'],
    ).toBe('fail');
    expect(
      statuses({
        keyPolicy: doc(ADMIN_STATEMENT, ...hardenedKeyPolicyStatements(ROLE, TENANT)),
        rolePolicies: [],
      })['permissions-policy'],
    ).toBe('pass');
  });

  it("warns when the key policy names the role only under a condition it does not evaluate and the role's policies allow nothing", () => {
    const statement = {
      ...keyPolicyStatement(ROLE),
      Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-1' } },
    };
    const finding = review({ keyPolicy: doc(ROOT_STATEMENT, statement), rolePolicies: [] })[
      'permissions-policy'
    ];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('the key policy\'s statement "AllowKeywardByokRole"');
    expect(statuses({ keyPolicy: doc(ROOT_STATEMENT, statement) })['permissions-policy']).toBe('pass');
  });
});

describe('reviewPolicies: key policy', () => {
  it("passes the default account-root statement alone when the role is in the key's account: IAM decides", () => {
    const finding = review({ keyPolicy: doc(ROOT_STATEMENT, ADMIN_STATEMENT) })['key-policy'];
    expect(finding.status).toBe('pass');
    expect(finding.message).toBe(
      'The key policy delegates to IAM (the account root statement "Enable IAM User Permissions"), so the permissions policy decides.',
    );
    expect(
      statuses({ keyPolicy: doc({ ...ROOT_STATEMENT, Principal: { AWS: '444455556666' } }) })['key-policy'],
    ).toBe('pass');
  });

  it('fails the account-root statement alone when the role is in another account', () => {
    const finding = review({ roleArn: OTHER_ACCOUNT_ROLE, keyPolicy: doc(ROOT_STATEMENT) })['key-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      'the role is in account 777788889999: across accounts the key policy must name the role',
    );
    expect(finding.remediation).toContain(JSON.stringify(keyPolicyStatement(OTHER_ACCOUNT_ROLE)));
    expect(
      statuses({
        roleArn: OTHER_ACCOUNT_ROLE,
        keyPolicy: doc(ROOT_STATEMENT, keyPolicyStatement(OTHER_ACCOUNT_ROLE)),
      })['key-policy'],
    ).toBe('pass');
  });

  // Decision: a statement for the role's own account root is IAM's cross-account delegation, so it counts.
  it("passes a cross-account delegation to the role's account root", () => {
    const finding = review({
      roleArn: OTHER_ACCOUNT_ROLE,
      keyPolicy: doc(ROOT_STATEMENT, {
        ...ROOT_STATEMENT,
        Sid: 'Partner',
        Principal: { AWS: 'arn:aws:iam::777788889999:root' },
      }),
    })['key-policy'];
    expect(finding.status).toBe('pass');
    expect(finding.message).toContain('delegates to the role\'s account 777788889999 (statement "Partner")');
  });

  it('fails a key policy with neither the role nor the account root, naming the actions; the fix keeps the existing statements', () => {
    const finding = review({ keyPolicy: doc(ADMIN_STATEMENT) })['key-policy'];
    expect(finding).toMatchObject({ status: 'fail', artifact: 'key-policy-statement' });
    expect(finding.message).toContain(
      `does not allow kms:Encrypt, kms:Decrypt, kms:GenerateDataKey, kms:DescribeKey on ${KEY}`,
    );
    expect(finding.remediation).toContain('keeping the existing statements');
    expect(finding.remediation).toContain('step 3');
    expect(finding.remediation).toContain(JSON.stringify(keyPolicyStatement(ROLE)));
  });

  it('requires the role ARN exactly, including its path and case', () => {
    expect(statuses({ keyPolicy: doc(keyPolicyStatement(ROLE.toLowerCase())) })['key-policy']).toBe('fail');
    expect(
      statuses({ keyPolicy: doc(keyPolicyStatement('arn:aws:iam::444455556666:role/KeywardByokAccess')) })[
        'key-policy'
      ],
    ).toBe('fail');
    expect(statuses({ keyPolicy: doc(keyPolicyStatement(ROLE)) })['key-policy']).toBe('pass');
  });

  it('fails DescribeKey under the tenant condition in the key policy', () => {
    const statement = {
      ...keyPolicyStatement(ROLE),
      Condition: { StringEquals: { [TENANT_CONTEXT_KEY]: TENANT } },
    };
    const finding = review({ keyPolicy: doc(ADMIN_STATEMENT, statement) })['key-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('does not allow kms:DescribeKey');
    expect(finding.remediation).toContain(JSON.stringify(hardenedKeyPolicyStatements(ROLE, TENANT)));
  });

  it('fails an explicit Deny for the role and warns on a Deny with NotPrincipal', () => {
    const deny = {
      Sid: 'NoEncrypt',
      Effect: 'Deny',
      Principal: { AWS: ROLE },
      Action: 'kms:Encrypt',
      Resource: '*',
    };
    const finding = review({ keyPolicy: doc(ROOT_STATEMENT, keyPolicyStatement(ROLE), deny) })['key-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain(
      'The key policy denies kms:Encrypt to the role on the key (statement "NoEncrypt")',
    );
    const notPrincipal = {
      Sid: 'OnlyAdmins',
      Effect: 'Deny',
      NotPrincipal: { AWS: 'arn:aws:iam::444455556666:role/KeyAdmin' },
      Action: 'kms:*',
      Resource: '*',
    };
    expect(
      statuses({ keyPolicy: doc(ROOT_STATEMENT, keyPolicyStatement(ROLE), notPrincipal) })['key-policy'],
    ).toBe('warn');
  });

  it('warns when the key policy lets anyone use the key without a condition', () => {
    const finding = review({
      keyPolicy: doc({ ...keyPolicyStatement(ROLE), Sid: 'Everyone', Principal: '*' }),
    })['key-policy'];
    expect(finding.status).toBe('warn');
    expect(finding.message).toContain('any AWS principal');
  });
});

describe('reviewPolicies: document forms', () => {
  it('reads URL-encoded JSON as IAM returns it, and JSON text', () => {
    const encoded = encodeURIComponent(JSON.stringify(trustPolicy(SERVICE_ROLE, EXTERNAL_ID)));
    expect(encoded.startsWith('%7B')).toBe(true);
    expect(
      statuses({
        trustPolicy: encoded,
        rolePolicies: [{ name: 'text', document: JSON.stringify(permissionsPolicy(KEY), null, 2) }],
        keyPolicy: ` ${JSON.stringify(doc(ROOT_STATEMENT))}`,
      }),
    ).toEqual(ALL_PASS);
    expect(
      statuses({ trustPolicy: encodeURIComponent(JSON.stringify(trustPolicy(SERVICE_ROLE, 'kw-other'))) })[
        'trust-external-id'
      ],
    ).toBe('fail');
  });

  it('fails the findings that need an unreadable document, saying it could not be read, and still returns four findings', () => {
    const findings = reviewPolicies(
      input({
        trustPolicy: '{"Statement": [',
        rolePolicies: [{ name: 'broken', document: '%7Bnot' }],
        keyPolicy: { Version: '2012-10-17' },
      }),
    );
    expect(findings.map((f) => [f.id, f.status])).toEqual([
      ['trust-principal', 'fail'],
      ['trust-external-id', 'fail'],
      ['permissions-policy', 'fail'],
      ['key-policy', 'fail'],
    ]);
    for (const finding of findings) expect(finding.message).toContain('could not be read');
    expect(findings[2]!.message).toContain('permissions policy "broken"');
    expect(findings[3]!.message).toContain('it has no Statement');
    const onlyTrust = review({ trustPolicy: 42 });
    expect([onlyTrust['trust-principal'].status, onlyTrust['key-policy'].status]).toEqual(['fail', 'pass']);
  });

  it('treats a malformed statement as an unreadable document rather than skipping it', () => {
    const finding = review({
      keyPolicy: doc(ROOT_STATEMENT, { Effect: 'deny', Principal: '*', Action: 'kms:*', Resource: '*' }),
    })['key-policy'];
    expect(finding.status).toBe('fail');
    expect(finding.message).toContain('statement #2 has no Effect');
  });

  it('accepts Statement as a single object rather than an array', () => {
    const single = <T extends { Statement: unknown[] }>(document: T) => ({
      ...document,
      Statement: document.Statement[0],
    });
    expect(
      statuses({
        trustPolicy: single(trustPolicy(SERVICE_ROLE, EXTERNAL_ID)),
        rolePolicies: [{ name: 'single', document: single(permissionsPolicy(KEY)) }],
        keyPolicy: { Version: '2012-10-17', Statement: ROOT_STATEMENT },
      }),
    ).toEqual(ALL_PASS);
  });
});
