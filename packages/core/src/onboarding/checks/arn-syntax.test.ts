import * as fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { KmsPort, StsPort } from '../../aws/ports.js';
import { isKeywardError } from '../../errors.js';
import { roleIdentity } from '../kit-input.js';
import { arnSyntaxCheck, SUPPORTED_PARTITIONS } from './arn-syntax.js';
import type { CheckState, OnboardingDeps, OnboardingSubject, Outcome } from './types.js';

type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/** An object any use of which fails the test: the ARN check must make no AWS call. */
function forbidden<T>(name: string): T {
  return new Proxy(
    {},
    {
      get(_target, property) {
        if (property === 'then') return undefined; // not a thenable
        throw new Error(`arn-syntax must not touch deps.${name}.${String(property)}`);
      },
    },
  ) as T;
}

function deps(roleOwner?: OnboardingDeps['roleOwner']): OnboardingDeps {
  return {
    sts: forbidden<StsPort>('sts'),
    kms: forbidden<KmsPort>('kms'),
    ...(roleOwner === undefined ? {} : { roleOwner }),
  };
}

function subject(
  roleArn: string,
  keyArn: string,
  partition: string = 'aws',
  tenantId = 'tenant-a',
): OnboardingSubject {
  return {
    platform: {
      partition,
      accountId: '999988887777',
      serviceRoleArn: `arn:${partition}:iam::999988887777:role/KeywardService`,
    },
    tenantId,
    externalId: 'kw-abcdefghijklmnopqrstuvwxyz234567',
    roleArn,
    keyArn,
  };
}

async function run(
  s: OnboardingSubject,
  d: OnboardingDeps = deps(),
): Promise<{ outcome: Outcome; state: CheckState }> {
  const state: CheckState = {};
  const outcome = await arnSyntaxCheck.run(s, d, state);
  return { outcome, state };
}

// ---- generators -------------------------------------------------------------------------------

const REGIONS: Record<Partition, readonly string[]> = {
  aws: [
    'us-east-1',
    'us-west-2',
    'eu-west-1',
    'eu-central-2',
    'ap-southeast-4',
    'me-south-1',
    'il-central-1',
    'ca-west-1',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-west-1', 'us-gov-east-1'],
};

const partitionArb = fc.constantFrom<Partition>('aws', 'aws-cn', 'aws-us-gov');
const accountArb = fc.stringMatching(/^\d{12}$/);
const roleNameArb = fc.stringMatching(/^[\w+=,.@-]{1,64}$/);
/** IAM paths: "/" or "/seg/.../", segments of printable ASCII other than "/". */
const pathArb = fc.oneof(
  fc.constant('/'),
  fc
    .array(fc.stringMatching(/^[\u0021-\u002e\u0030-\u007e]{1,12}$/), { minLength: 1, maxLength: 4 })
    .map((segments) => `/${segments.join('/')}/`),
);
const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const uuidArb = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
const keyIdArb = fc.oneof(
  uuidArb,
  hex(32).map((h) => `mrk-${h}`),
);
const tenantArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/);

const roleArnIn = (partition: Partition) =>
  fc.record({ account: accountArb, path: pathArb, name: roleNameArb }).map(({ account, path, name }) => ({
    arn: `arn:${partition}:iam::${account}:role${path}${name}`,
    account,
  }));
const keyArnIn = (partition: Partition) =>
  fc
    .record({ account: accountArb, region: fc.constantFrom(...REGIONS[partition]), keyId: keyIdArb })
    .map(({ account, region, keyId }) => ({
      arn: `arn:${partition}:kms:${region}:${account}:key/${keyId}`,
      account,
      region,
    }));

/** A well-formed role ARN, key ARN and platform, all in one supported partition. */
const validArb = partitionArb.chain((partition) =>
  fc.record({
    partition: fc.constant(partition),
    role: roleArnIn(partition),
    key: keyArnIn(partition),
    tenantId: tenantArb,
  }),
);

const expectStop = (outcome: Outcome, code: Outcome['code']): void => {
  expect(outcome.code).toBe(code);
  expect(outcome.stop).toBe(true);
};

// ---- tests ------------------------------------------------------------------------------------

describe('arnSyntaxCheck: metadata', () => {
  it('has its id and title, and supports exactly aws, aws-cn and aws-us-gov', () => {
    expect(arnSyntaxCheck.id).toBe('arn-syntax');
    expect(arnSyntaxCheck.title).toBe('Role ARN and CMK ARN');
    expect([...SUPPORTED_PARTITIONS]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});

describe('arnSyntaxCheck: valid ARNs', () => {
  it('passes with the exact message for a known example', async () => {
    const { outcome, state } = await run(
      subject(
        'arn:aws:iam::444455556666:role/KeywardByokAccess',
        'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
    );
    expect(outcome).toEqual({
      code: 'KW_CHECK_ARNS_VALID',
      message: 'Role in account 444455556666; key in account 444455556666, region eu-west-1.',
    });
    expect(state).toEqual({ region: 'eu-west-1' });
  });

  it("passes any valid role ARN and key ARN in the platform's partition, and sets the region from the key ARN", async () => {
    await fc.assert(
      fc.asyncProperty(validArb, async ({ partition, role, key, tenantId }) => {
        const { outcome, state } = await run(subject(role.arn, key.arn, partition, tenantId));
        expect(outcome.code).toBe('KW_CHECK_ARNS_VALID');
        expect(outcome.stop).not.toBe(true);
        expect(outcome.message).toBe(
          `Role in account ${role.account}; key in account ${key.account}, region ${key.region}.`,
        );
        expect(state).toEqual({ region: key.region });
      }),
      { numRuns: 300 },
    );
  });

  it('passes role names at the limits and role paths with unusual printable characters', async () => {
    const key = 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef';
    for (const role of [
      'arn:aws:iam::111122223333:role/a',
      `arn:aws:iam::111122223333:role/${'n'.repeat(64)}`,
      'arn:aws:iam::111122223333:role/+=,.@-_',
      'arn:aws:iam::111122223333:role/a/b/Name',
      'arn:aws:iam::111122223333:role/service-role/Name',
      'arn:aws:iam::111122223333:role/we!rd$:path~/Name',
    ]) {
      const { outcome } = await run(subject(role, key));
      expect(outcome.code, role).toBe('KW_CHECK_ARNS_VALID');
    }
  });

  it("asks roleOwner about the role ARN, and passes when it is this tenant's or nobody's (undefined or null)", async () => {
    await fc.assert(
      fc.asyncProperty(
        validArb,
        fc.constantFrom('this tenant', null, undefined),
        async ({ partition, role, key, tenantId }, owner) => {
          const roleOwner = vi.fn(async () => (owner === 'this tenant' ? tenantId : owner));
          const { outcome, state } = await run(
            subject(role.arn, key.arn, partition, tenantId),
            deps(roleOwner),
          );
          expect(roleOwner).toHaveBeenCalledTimes(1);
          expect(roleOwner).toHaveBeenCalledWith(roleIdentity(role.arn));
          expect(outcome.code).toBe('KW_CHECK_ARNS_VALID');
          expect(state.region).toBe(key.region);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('arnSyntaxCheck: role registered to another tenant', () => {
  it('fails with KW_CHECK_ROLE_ALREADY_REGISTERED and stops, leaving the state alone', async () => {
    await fc.assert(
      fc.asyncProperty(validArb, tenantArb, async ({ partition, role, key, tenantId }, other) => {
        fc.pre(other !== tenantId);
        const roleOwner = vi.fn(async () => other);
        const { outcome, state } = await run(
          subject(role.arn, key.arn, partition, tenantId),
          deps(roleOwner),
        );
        expectStop(outcome, 'KW_CHECK_ROLE_ALREADY_REGISTERED');
        expect(outcome.message).toBe(`The role ${role.arn} is already registered to another tenant.`);
        expect(state).toEqual({});
      }),
      { numRuns: 100 },
    );
  });
});

describe('arnSyntaxCheck: alias ARNs', () => {
  it('refuses the documented alias example', async () => {
    const { outcome, state } = await run(
      subject('arn:aws:iam::111122223333:role/R', 'arn:aws:kms:us-east-1:111122223333:alias/x'),
    );
    expectStop(outcome, 'KW_CHECK_KEY_ARN_IS_ALIAS');
    expect(outcome.message).toBe(
      '"arn:aws:kms:us-east-1:111122223333:alias/x" names the alias alias/x, not a key.',
    );
    expect(state).toEqual({});
  });

  it('refuses any alias ARN in place of the key ARN', async () => {
    const aliasArb = fc.record({
      partition: partitionArb,
      account: accountArb,
      alias: fc.stringMatching(/^[\w/-]{1,40}$/),
    });
    await fc.assert(
      fc.asyncProperty(aliasArb, async ({ partition, account, alias }) => {
        const region = REGIONS[partition][0]!;
        const { outcome } = await run(
          subject(
            `arn:${partition}:iam::${account}:role/R`,
            `arn:${partition}:kms:${region}:${account}:alias/${alias}`,
            partition,
          ),
        );
        expectStop(outcome, 'KW_CHECK_KEY_ARN_IS_ALIAS');
      }),
    );
  });
});

describe('arnSyntaxCheck: invalid role ARNs', () => {
  const key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  it.each([
    ['an 11-digit account', 'arn:aws:iam::11112222333:role/R'],
    ['a 13-digit account', 'arn:aws:iam::1111222233334:role/R'],
    ['no account', 'arn:aws:iam:::role/R'],
    ['the wrong service', 'arn:aws:sts::111122223333:role/R'],
    ['an assumed-role ARN', 'arn:aws:sts::111122223333:assumed-role/R/session'],
    ['a user ARN', 'arn:aws:iam::111122223333:user/R'],
    ['a region', 'arn:aws:iam:us-east-1:111122223333:role/R'],
    ['the aws-iso partition', 'arn:aws-iso:iam::111122223333:role/R'],
    ['the aws-iso-b partition', 'arn:aws-iso-b:iam::111122223333:role/R'],
    ['an unknown partition', 'arn:aws-xx:iam::111122223333:role/R'],
    ['an empty name', 'arn:aws:iam::111122223333:role/'],
    ['an empty name after a path', 'arn:aws:iam::111122223333:role/a/b/'],
    ['a 65-character name', `arn:aws:iam::111122223333:role/${'n'.repeat(65)}`],
    ['a forbidden character in the name', 'arn:aws:iam::111122223333:role/a#b'],
    ['a space in the name', 'arn:aws:iam::111122223333:role/a b'],
    ['no resource type', 'arn:aws:iam::111122223333:R'],
    ['the empty string', ''],
    ['not an ARN', 'KeywardByokAccess'],
  ])('refuses a role ARN with %s', async (_, roleArn) => {
    const { outcome, state } = await run(subject(roleArn, key));
    expectStop(outcome, 'KW_CHECK_ROLE_ARN_INVALID');
    expect(outcome.message).toBe(
      `"${roleArn}" is not an IAM role ARN in a supported partition (aws, aws-cn, aws-us-gov).`,
    );
    expect(state).toEqual({});
  });

  it('refuses generated role ARNs with a wrong account length, service or partition, whatever the key', async () => {
    const badRole = fc.oneof(
      fc
        .tuple(
          partitionArb,
          fc.oneof(fc.stringMatching(/^\d{11}$/), fc.stringMatching(/^\d{13}$/)),
          roleNameArb,
        )
        .map(([p, a, n]) => `arn:${p}:iam::${a}:role/${n}`),
      fc
        .tuple(partitionArb, fc.constantFrom('sts', 'kms', 's3', 'iamx', 'lambda'), accountArb, roleNameArb)
        .map(([p, s, a, n]) => `arn:${p}:${s}::${a}:role/${n}`),
      fc
        .tuple(
          fc.constantFrom('aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'),
          accountArb,
          roleNameArb,
        )
        .map(([p, a, n]) => `arn:${p}:iam::${a}:role/${n}`),
      fc.tuple(partitionArb, accountArb, pathArb).map(([p, a, path]) => `arn:${p}:iam::${a}:role${path}`),
    );
    // The role is checked first: even an alias or bad key ARN gives the role's code.
    const anyKey = fc.oneof(
      fc.constant(key),
      fc.constant('arn:aws:kms:us-east-1:111122223333:alias/x'),
      fc.constant('nonsense'),
    );
    await fc.assert(
      fc.asyncProperty(badRole, anyKey, async (roleArn, keyArn) => {
        const { outcome, state } = await run(
          subject(roleArn, keyArn),
          deps(() => Promise.reject(new Error('roleOwner must not be asked'))),
        );
        expectStop(outcome, 'KW_CHECK_ROLE_ARN_INVALID');
        expect(state).toEqual({});
      }),
    );
  });
});

describe('arnSyntaxCheck: invalid key ARNs', () => {
  const role = 'arn:aws:iam::111122223333:role/R';

  it.each([
    ['an 11-digit account', 'arn:aws:kms:us-east-1:11112222333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a 13-digit account', 'arn:aws:kms:us-east-1:1111222233334:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['no account', 'arn:aws:kms:us-east-1::key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['the wrong service', 'arn:aws:kmsx:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an IAM ARN', 'arn:aws:iam::111122223333:role/R'],
    [
      'the aws-iso partition',
      'arn:aws-iso:kms:us-iso-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    ],
    ['no region', 'arn:aws:kms::111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a malformed region', 'arn:aws:kms:useast1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an empty key id', 'arn:aws:kms:us-east-1:111122223333:key/'],
    ['an upper-case key id', 'arn:aws:kms:us-east-1:111122223333:key/1234ABCD-12AB-34CD-56EF-1234567890AB'],
    ['a short UUID', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890a'],
    ['a UUID without dashes', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd12ab34cd56ef1234567890ab'],
    ['a short mrk id', 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcde'],
    ['a long mrk id', 'arn:aws:kms:us-east-1:111122223333:key/mrk-0123456789abcdef0123456789abcdef0'],
    ['a non-hex key id', 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ag'],
    ['a bare key id', '1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['a bare alias name', 'alias/x'],
    ['the empty string', ''],
  ])('refuses a key ARN with %s', async (_, keyArn) => {
    const { outcome, state } = await run(subject(role, keyArn));
    expectStop(outcome, 'KW_CHECK_KEY_ARN_INVALID');
    expect(outcome.message).toBe(
      `"${keyArn}" is not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<UUID or mrk-…>).`,
    );
    expect(state).toEqual({});
  });

  it('refuses generated key ARNs with a wrong account length, service, partition or key id', async () => {
    const region = fc.constantFrom(...REGIONS.aws);
    const badKey = fc.oneof(
      fc
        .tuple(region, fc.oneof(fc.stringMatching(/^\d{11}$/), fc.stringMatching(/^\d{13}$/)), keyIdArb)
        .map(([r, a, k]) => `arn:aws:kms:${r}:${a}:key/${k}`),
      fc
        .tuple(fc.constantFrom('iam', 'sts', 's3', 'kmsx'), region, accountArb, keyIdArb)
        .map(([s, r, a, k]) => `arn:aws:${s}:${r}:${a}:key/${k}`),
      fc
        .tuple(
          fc.constantFrom('aws-iso', 'aws-iso-b', 'aws-iso-e', 'aws-iso-f', 'aws-eusc'),
          region,
          accountArb,
          keyIdArb,
        )
        .map(([p, r, a, k]) => `arn:${p}:kms:${r}:${a}:key/${k}`),
      fc
        .tuple(region, accountArb, fc.string({ maxLength: 40 }))
        .filter(
          ([, , k]) =>
            !/^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/.test(k),
        )
        .map(([r, a, k]) => `arn:aws:kms:${r}:${a}:key/${k}`),
    );
    await fc.assert(
      fc.asyncProperty(badKey, async (keyArn) => {
        const { outcome, state } = await run(
          subject(role, keyArn),
          deps(() => Promise.reject(new Error('roleOwner must not be asked'))),
        );
        expectStop(outcome, 'KW_CHECK_KEY_ARN_INVALID');
        expect(state).toEqual({});
      }),
    );
  });
});

describe('arnSyntaxCheck: partitions', () => {
  it('refuses role, key and platform that are not all in one partition', async () => {
    const mismatched = fc
      .tuple(partitionArb, partitionArb, partitionArb)
      .filter(([r, k, p]) => new Set([r, k, p]).size > 1);
    await fc.assert(
      fc.asyncProperty(
        mismatched.chain(([r, k, p]) =>
          fc.tuple(fc.constant(p), roleArnIn(r), keyArnIn(k), fc.constant([r, k] as const)),
        ),
        async ([platform, role, key, [rp, kp]]) => {
          const { outcome, state } = await run(
            subject(role.arn, key.arn, platform),
            deps(() => Promise.reject(new Error('roleOwner must not be asked'))),
          );
          expectStop(outcome, 'KW_CHECK_PARTITION_MISMATCH');
          expect(outcome.message).toBe(
            `The role is in ${rp}, the key in ${kp}, the platform in ${platform}.`,
          );
          expect(state).toEqual({});
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses valid ARNs when the platform is in an unsupported partition', async () => {
    const { outcome } = await run(
      subject(
        'arn:aws:iam::111122223333:role/R',
        'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'aws-iso',
      ),
    );
    expectStop(outcome, 'KW_CHECK_PARTITION_MISMATCH');
  });

  it('refuses a key whose region is outside the partition, even when role, key and platform partitions differ too', async () => {
    const outside = fc
      .tuple(partitionArb, partitionArb, partitionArb, partitionArb)
      .filter(([, keyPartition, , regionPartition]) => keyPartition !== regionPartition)
      .chain(([rolePartition, keyPartition, platform, regionPartition]) =>
        fc.tuple(
          fc.constant({ keyPartition, platform }),
          roleArnIn(rolePartition),
          accountArb,
          fc.constantFrom(...REGIONS[regionPartition]),
          keyIdArb,
        ),
      );
    await fc.assert(
      fc.asyncProperty(outside, async ([{ keyPartition, platform }, role, account, region, keyId]) => {
        const roleOwner = vi.fn(async () => undefined);
        const { outcome, state } = await run(
          subject(role.arn, `arn:${keyPartition}:kms:${region}:${account}:key/${keyId}`, platform),
          deps(roleOwner),
        );
        expect(outcome).toEqual({
          code: 'KW_CHECK_KEY_ARN_INVALID',
          message: `The region ${region} is not in the ${keyPartition} partition.`,
          stop: true,
        });
        expect(roleOwner).not.toHaveBeenCalled();
        expect(state).toEqual({});
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a China key for a commercial platform and role', async () => {
    const { outcome } = await run(
      subject(
        'arn:aws:iam::111122223333:role/R',
        'arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'aws',
      ),
    );
    expectStop(outcome, 'KW_CHECK_PARTITION_MISMATCH');
    expect(outcome.message).toBe('The role is in aws, the key in aws-cn, the platform in aws.');
  });
});

describe('arnSyntaxCheck: key region outside its partition', () => {
  it.each([
    ['aws', 'cn-north-1'],
    ['aws', 'cn-northwest-1'],
    ['aws', 'us-gov-west-1'],
    ['aws', 'us-gov-east-1'],
    ['aws-cn', 'us-east-1'],
    ['aws-cn', 'ap-east-1'],
    ['aws-cn', 'us-gov-west-1'],
    ['aws-us-gov', 'us-east-1'],
    ['aws-us-gov', 'us-west-2'],
    ['aws-us-gov', 'cn-north-1'],
  ] as const)(
    'refuses a key ARN in %s with the region %s (KW_CHECK_KEY_ARN_INVALID), before asking roleOwner',
    async (partition, region) => {
      const keyArn = `arn:${partition}:kms:${region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
      const roleOwner = vi.fn(async () => undefined);
      const { outcome, state } = await run(
        subject(`arn:${partition}:iam::111122223333:role/R`, keyArn, partition),
        deps(roleOwner),
      );
      expect(outcome).toEqual({
        code: 'KW_CHECK_KEY_ARN_INVALID',
        message: `The region ${region} is not in the ${partition} partition.`,
        stop: true,
      });
      expect(roleOwner).not.toHaveBeenCalled();
      expect(state).toEqual({});
    },
  );

  it.each([
    ['aws', 'us-east-1'],
    ['aws', 'eu-west-1'],
    ['aws', 'il-central-1'],
    ['aws-cn', 'cn-north-1'],
    ['aws-cn', 'cn-northwest-1'],
    ['aws-us-gov', 'us-gov-west-1'],
    ['aws-us-gov', 'us-gov-east-1'],
  ] as const)('accepts a key ARN in %s with the region %s', async (partition, region) => {
    const { outcome, state } = await run(
      subject(
        `arn:${partition}:iam::111122223333:role/R`,
        `arn:${partition}:kms:${region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        partition,
      ),
    );
    expect(outcome).toEqual({
      code: 'KW_CHECK_ARNS_VALID',
      message: `Role in account 111122223333; key in account 111122223333, region ${region}.`,
    });
    expect(state).toEqual({ region });
  });
});

describe('arnSyntaxCheck: roleOwner failures', () => {
  const ROLE = 'arn:aws:iam::444455556666:role/KeywardByokAccess';
  const KEY = 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  const failing: Array<[string, NonNullable<OnboardingDeps['roleOwner']>]> = [
    ['rejects', () => Promise.reject(new Error('store down: postgres://user:secret@db'))],
    [
      'throws synchronously',
      () => {
        throw new Error('store down');
      },
    ],
  ];

  it.each(failing)(
    "gives KW_CHECK_REGISTRY_UNAVAILABLE and stops when roleOwner %s, without the store's error and leaving the state alone",
    async (_, owner) => {
      const roleOwner = vi.fn(owner);
      const { outcome, state } = await run(subject(ROLE, KEY), deps(roleOwner));
      expect(outcome).toEqual({ code: 'KW_CHECK_REGISTRY_UNAVAILABLE', stop: true });
      expect(roleOwner).toHaveBeenCalledTimes(1);
      expect(roleOwner).toHaveBeenCalledWith(roleIdentity(ROLE));
      expect(state).toEqual({});
    },
  );

  it('does not call a failing roleOwner for ARNs refused before it', async () => {
    const roleOwner = vi.fn(() => Promise.reject(new Error('store down')));
    for (const [roleArn, keyArn, code] of [
      ['arn:aws:iam::444455556666:user/U', KEY, 'KW_CHECK_ROLE_ARN_INVALID'],
      [ROLE, 'arn:aws:kms:eu-west-1:444455556666:alias/a', 'KW_CHECK_KEY_ARN_IS_ALIAS'],
      [
        ROLE,
        'arn:aws:kms:cn-north-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'KW_CHECK_KEY_ARN_INVALID',
      ],
      [
        ROLE,
        'arn:aws-cn:kms:cn-north-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        'KW_CHECK_PARTITION_MISMATCH',
      ],
    ] as const) {
      expectStop((await run(subject(roleArn, keyArn), deps(roleOwner))).outcome, code);
    }
    expect(roleOwner).not.toHaveBeenCalled();
  });
});

describe('roleIdentity', () => {
  it('is partition, account and role name in lower case', () => {
    expect(roleIdentity('arn:aws:iam::444455556666:role/KeywardByokAccess')).toBe(
      'aws:444455556666:keywardbyokaccess',
    );
    expect(roleIdentity('arn:aws-cn:iam::444455556666:role/R')).toBe('aws-cn:444455556666:r');
    expect(roleIdentity('arn:aws-us-gov:iam::444455556666:role/a/b/Name+=,.@-_')).toBe(
      'aws-us-gov:444455556666:name+=,.@-_',
    );
  });

  it('ignores the path and the case of the name: IAM role names are unique in an account regardless of both', () => {
    for (const arn of [
      'arn:aws:iam::444455556666:role/KEYWARDBYOKACCESS',
      'arn:aws:iam::444455556666:role/keywardbyokaccess',
      'arn:aws:iam::444455556666:role/team/KeywardByokAccess',
      'arn:aws:iam::444455556666:role/a/b/c/KeywardBYOKAccess',
      'arn:aws:iam::444455556666:role/service-role/KeywardByokAccess',
    ]) {
      expect(roleIdentity(arn), arn).toBe('aws:444455556666:keywardbyokaccess');
    }
  });

  it('tells apart other accounts, partitions and names', () => {
    const identities = [
      'arn:aws:iam::444455556666:role/KeywardByokAccess',
      'arn:aws:iam::444455556667:role/KeywardByokAccess',
      'arn:aws-cn:iam::444455556666:role/KeywardByokAccess',
      'arn:aws-us-gov:iam::444455556666:role/KeywardByokAccess',
      'arn:aws:iam::444455556666:role/KeywardByokAccess2',
      'arn:aws:iam::444455556666:role/KeywardByokAccess/Other',
    ].map(roleIdentity);
    expect(new Set(identities).size).toBe(identities.length);
  });

  it('is the same for any path and any change of case, and differs for another name', () => {
    const caseFlips = fc.array(fc.boolean(), { minLength: 64, maxLength: 64 });
    fc.assert(
      fc.property(
        partitionArb,
        accountArb,
        pathArb,
        pathArb,
        roleNameArb,
        roleNameArb,
        caseFlips,
        (partition, account, path1, path2, name, other, flips) => {
          const flipped = [...name].map((c, i) => (flips[i] ? c.toUpperCase() : c.toLowerCase())).join('');
          const identity = roleIdentity(`arn:${partition}:iam::${account}:role${path1}${name}`);
          expect(identity).toBe(`${partition}:${account}:${name.toLowerCase()}`);
          expect(roleIdentity(`arn:${partition}:iam::${account}:role${path2}${flipped}`)).toBe(identity);
          expect(roleIdentity(`arn:${partition}:iam::${account}:role${path1}${other}`) === identity).toBe(
            other.toLowerCase() === name.toLowerCase(),
          );
        },
      ),
    );
  });

  it.each([
    ['a user ARN', 'arn:aws:iam::444455556666:user/KeywardByokAccess'],
    ['an assumed-role ARN', 'arn:aws:sts::444455556666:assumed-role/KeywardByokAccess/session'],
    ['a key ARN', 'arn:aws:kms:eu-west-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    ['an empty role name', 'arn:aws:iam::444455556666:role/'],
    ['a role name alone', 'KeywardByokAccess'],
    ['the empty string', ''],
  ])('refuses %s (KW_INVALID_ARN)', (_, arn) => {
    let caught: unknown;
    try {
      roleIdentity(arn);
    } catch (error) {
      caught = error;
    }
    expect(isKeywardError(caught, 'KW_INVALID_ARN')).toBe(true);
  });
});
