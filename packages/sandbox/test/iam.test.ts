import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { DescribeKeyCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultSeed, type RunningSandbox, type SeedInput } from '../src/index.js';
import {
  clients,
  CUSTOMER_ACCOUNT_ID,
  customerAdmin,
  expectAwsError,
  json,
  PLATFORM_ACCOUNT_ID,
  platformAdmin,
  sandbox,
  type Credentials,
} from '@keyward/test-kit/sandbox-clients';

/** IAM role and policy management through @aws-sdk/client-iam, against AWS's recorded behaviour. */

const P = PLATFORM_ACCOUNT_ID;
const C = CUSTOMER_ACCOUNT_ID;

const trustPolicy = (principal = `arn:aws:iam::${P}:root`) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }],
});
const identityPolicy = (actions: string | string[], resource = '*') => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }],
});

/** IAM sends documents URL-encoded and the JS SDK does not decode them. */
const decode = (document: string | undefined): unknown => JSON.parse(decodeURIComponent(document!));

function seed(): SeedInput {
  const world = defaultSeed();
  const customer = world.accounts[1]!;
  customer.users = [
    ...(customer.users ?? []),
    {
      name: 'kms-only',
      accessKeys: [{ id: `AKIA${C}KMSO`, secret: 'kms-only-secret' }],
      inlinePolicies: { kms: identityPolicy('kms:*') },
    },
  ];
  return world;
}

describe('IAM', () => {
  let box: RunningSandbox;
  let iam: ReturnType<typeof clients>['iam'];
  let admin: ReturnType<typeof clients>;

  beforeAll(async () => {
    box = await sandbox({ seed: seed() });
    admin = clients(box, platformAdmin(box));
    iam = admin.iam;
  });
  afterAll(() => box.close());

  const notFound = (message: string) => ({ name: 'NoSuchEntityException', status: 404, message });
  const malformed = (message: string) => ({ name: 'MalformedPolicyDocumentException', status: 400, message });

  describe('roles', () => {
    it('CreateRole returns the role with its trust policy URL-encoded; GetRole returns the same', async () => {
      const document = trustPolicy();
      const created = await iam.send(
        new CreateRoleCommand({
          RoleName: 'app-role',
          Path: '/apps/',
          Description: 'An app role',
          MaxSessionDuration: 7200,
          AssumeRolePolicyDocument: json(document),
        }),
      );
      const role = created.Role!;
      expect(role.RoleName).toBe('app-role');
      expect(role.Path).toBe('/apps/');
      expect(role.Arn).toBe(`arn:aws:iam::${P}:role/apps/app-role`);
      expect(role.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
      expect(role.Description).toBe('An app role');
      expect(role.MaxSessionDuration).toBe(7200);
      expect(role.CreateDate).toBeInstanceOf(Date);
      expect(role.AssumeRolePolicyDocument!.startsWith('%7B%22Version%22%3A%222012-10-17%22')).toBe(true);
      expect(decode(role.AssumeRolePolicyDocument)).toEqual(document);

      const fetched = (await iam.send(new GetRoleCommand({ RoleName: 'app-role' }))).Role!;
      expect(fetched.Arn).toBe(role.Arn);
      expect(fetched.RoleId).toBe(role.RoleId);
      expect(fetched.Path).toBe('/apps/');
      expect(fetched.MaxSessionDuration).toBe(7200);
      expect(fetched.CreateDate!.getTime()).toBe(role.CreateDate!.getTime());
      expect(decode(fetched.AssumeRolePolicyDocument)).toEqual(document);
    });

    it('keeps the document as sent, whitespace included', async () => {
      const text = JSON.stringify(trustPolicy(), null, 2);
      const created = await iam.send(
        new CreateRoleCommand({ RoleName: 'pretty-role', AssumeRolePolicyDocument: text }),
      );
      expect(decodeURIComponent(created.Role!.AssumeRolePolicyDocument!)).toBe(text);
      expect(created.Role!.Path).toBe('/');
      expect(created.Role!.MaxSessionDuration).toBe(3600);
      await iam.send(new DeleteRoleCommand({ RoleName: 'pretty-role' }));
    });

    it('UpdateAssumeRolePolicy replaces the trust policy', async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'trust-update', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
      const updated = trustPolicy(`arn:aws:iam::${P}:role/keyward-service`);
      await iam.send(
        new UpdateAssumeRolePolicyCommand({ RoleName: 'trust-update', PolicyDocument: json(updated) }),
      );
      const role = (await iam.send(new GetRoleCommand({ RoleName: 'trust-update' }))).Role!;
      expect(decode(role.AssumeRolePolicyDocument)).toEqual(updated);
      // The admin, no longer trusted, may not assume it.
      await expectAwsError(
        admin.sts.send(new AssumeRoleCommand({ RoleArn: role.Arn, RoleSessionName: 's1' })),
        {
          name: 'AccessDenied',
          status: 403,
          message: `User: arn:aws:iam::${P}:user/admin is not authorized to perform: sts:AssumeRole on resource: ${role.Arn}`,
        },
      );
      await iam.send(new DeleteRoleCommand({ RoleName: 'trust-update' }));
    });

    it('GetRole, DeleteRole and UpdateAssumeRolePolicy on a missing role are NoSuchEntity', async () => {
      await expectAwsError(
        iam.send(new GetRoleCommand({ RoleName: 'no-such-role' })),
        notFound('The role with name no-such-role cannot be found.'),
      );
      await expectAwsError(
        iam.send(new DeleteRoleCommand({ RoleName: 'no-such-role' })),
        notFound('The role with name no-such-role cannot be found.'),
      );
      await expectAwsError(
        iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: 'no-such-role',
            PolicyDocument: json(trustPolicy()),
          }),
        ),
        notFound('The role with name no-such-role cannot be found.'),
      );
    });

    it('CreateRole with a name in use (case-insensitively) is EntityAlreadyExists', async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'dup-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({ RoleName: 'dup-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
        ),
        {
          name: 'EntityAlreadyExistsException',
          status: 409,
          message: 'Role with name dup-role already exists.',
        },
      );
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({ RoleName: 'DUP-ROLE', AssumeRolePolicyDocument: json(trustPolicy()) }),
        ),
        {
          name: 'EntityAlreadyExistsException',
          status: 409,
          message: 'Role with name DUP-ROLE already exists.',
        },
      );
      await iam.send(new DeleteRoleCommand({ RoleName: 'dup-role' }));
    });

    it('names that are also JavaScript object members are ordinary IAM names', async () => {
      await expectAwsError(
        iam.send(new GetRoleCommand({ RoleName: 'constructor' })),
        notFound('The role with name constructor cannot be found.'),
      );
      const created = (
        await iam.send(
          new CreateRoleCommand({ RoleName: 'constructor', AssumeRolePolicyDocument: json(trustPolicy()) }),
        )
      ).Role!;
      expect(created.Arn).toBe(`arn:aws:iam::${P}:role/constructor`);
      expect((await iam.send(new GetRoleCommand({ RoleName: 'constructor' }))).Role!.RoleId).toBe(
        created.RoleId,
      );
      await expectAwsError(
        iam.send(new GetRolePolicyCommand({ RoleName: 'constructor', PolicyName: 'toString' })),
        notFound('The role policy with name toString cannot be found.'),
      );
      await expectAwsError(
        iam.send(new DeleteRolePolicyCommand({ RoleName: 'constructor', PolicyName: 'hasOwnProperty' })),
        notFound('The role policy with name hasOwnProperty cannot be found.'),
      );
      const document = identityPolicy('kms:DescribeKey');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'constructor',
          PolicyName: 'toString',
          PolicyDocument: json(document),
        }),
      );
      expect(
        decode(
          (await iam.send(new GetRolePolicyCommand({ RoleName: 'constructor', PolicyName: 'toString' })))
            .PolicyDocument,
        ),
      ).toEqual(document);
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'constructor' }))).PolicyNames).toEqual([
        'toString',
      ]);
      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'constructor', PolicyName: 'toString' }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'constructor' }));
      await expectAwsError(
        iam.send(new GetRoleCommand({ RoleName: 'constructor' })),
        notFound('The role with name constructor cannot be found.'),
      );
    });

    it('a RoleName outside the pattern is ValidationError', async () => {
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({ RoleName: 'bad name!', AssumeRolePolicyDocument: json(trustPolicy()) }),
        ),
        {
          name: 'ValidationError',
          status: 400,
          message:
            "1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        },
      );
      await expectAwsError(iam.send(new GetRoleCommand({ RoleName: 'r'.repeat(65) })), {
        name: 'ValidationError',
        status: 400,
        message: `1 validation error detected: Value '${'r'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
      });
    });
  });

  describe('inline role policies', () => {
    beforeAll(async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'inline-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
    });

    it('PutRolePolicy, GetRolePolicy (URL-encoded), ListRolePolicies (sorted), DeleteRolePolicy', async () => {
      const describe = identityPolicy('kms:DescribeKey');
      const encrypt = identityPolicy(['kms:Encrypt', 'kms:Decrypt'], `arn:aws:kms:us-east-1:${P}:key/*`);
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'inline-role',
          PolicyName: 'zeta-describe',
          PolicyDocument: json(describe),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'inline-role',
          PolicyName: 'alpha-encrypt',
          PolicyDocument: json(encrypt),
        }),
      );

      const got = await iam.send(
        new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'alpha-encrypt' }),
      );
      expect(got.RoleName).toBe('inline-role');
      expect(got.PolicyName).toBe('alpha-encrypt');
      expect(got.PolicyDocument!.startsWith('%7B%22')).toBe(true);
      expect(decode(got.PolicyDocument)).toEqual(encrypt);

      const listed = await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }));
      expect(listed.PolicyNames).toEqual(['alpha-encrypt', 'zeta-describe']);
      expect(listed.IsTruncated).toBe(false);

      // Putting under an existing name replaces the document.
      const replaced = identityPolicy('kms:GetKeyPolicy');
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'inline-role',
          PolicyName: 'zeta-describe',
          PolicyDocument: json(replaced),
        }),
      );
      expect(
        decode(
          (await iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'zeta-describe' })))
            .PolicyDocument,
        ),
      ).toEqual(replaced);
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }))).PolicyNames).toEqual([
        'alpha-encrypt',
        'zeta-describe',
      ]);

      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'alpha-encrypt' }));
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: 'inline-role' }))).PolicyNames).toEqual([
        'zeta-describe',
      ]);
      await expectAwsError(
        iam.send(new GetRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'alpha-encrypt' })),
        notFound('The role policy with name alpha-encrypt cannot be found.'),
      );
      await expectAwsError(
        iam.send(new DeleteRolePolicyCommand({ RoleName: 'inline-role', PolicyName: 'alpha-encrypt' })),
        notFound('The role policy with name alpha-encrypt cannot be found.'),
      );
    });

    it('ListRolePolicies pages with MaxItems and Marker', async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'paged-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
      for (const name of ['p1', 'p2', 'p3']) {
        await iam.send(
          new PutRolePolicyCommand({
            RoleName: 'paged-role',
            PolicyName: name,
            PolicyDocument: json(identityPolicy('kms:DescribeKey')),
          }),
        );
      }
      const first = await iam.send(new ListRolePoliciesCommand({ RoleName: 'paged-role', MaxItems: 2 }));
      expect(first.PolicyNames).toEqual(['p1', 'p2']);
      expect(first.IsTruncated).toBe(true);
      expect(first.Marker).toBeTruthy();
      const second = await iam.send(
        new ListRolePoliciesCommand({ RoleName: 'paged-role', MaxItems: 2, Marker: first.Marker }),
      );
      expect(second.PolicyNames).toEqual(['p3']);
      expect(second.IsTruncated).toBe(false);
      expect(second.Marker).toBeUndefined();
    });

    it('a role with inline policies cannot be deleted', async () => {
      await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'inline-role' })), {
        name: 'DeleteConflictException',
        status: 409,
        message: 'Cannot delete entity, must delete policies first.',
      });
      expect((await iam.send(new GetRoleCommand({ RoleName: 'inline-role' }))).Role!.RoleName).toBe(
        'inline-role',
      );
    });

    it('PutRolePolicy on a missing role is NoSuchEntity', async () => {
      await expectAwsError(
        iam.send(
          new PutRolePolicyCommand({
            RoleName: 'ghost',
            PolicyName: 'p',
            PolicyDocument: json(identityPolicy('kms:DescribeKey')),
          }),
        ),
        notFound('The role with name ghost cannot be found.'),
      );
    });
  });

  describe('managed policies', () => {
    const policyArn = `arn:aws:iam::${P}:policy/app-kms`;
    const document = identityPolicy(['kms:Encrypt', 'kms:Decrypt'], `arn:aws:kms:us-east-1:${P}:key/*`);

    it('CreatePolicy, GetPolicy and GetPolicyVersion (URL-encoded document)', async () => {
      const created = (
        await iam.send(
          new CreatePolicyCommand({
            PolicyName: 'app-kms',
            PolicyDocument: json(document),
            Description: 'App KMS use',
          }),
        )
      ).Policy!;
      expect(created.PolicyName).toBe('app-kms');
      expect(created.Arn).toBe(policyArn);
      expect(created.PolicyId).toMatch(/^ANPA[A-Z0-9]{17}$/);
      expect(created.Path).toBe('/');
      expect(created.DefaultVersionId).toBe('v1');
      expect(created.AttachmentCount).toBe(0);
      expect(created.IsAttachable).toBe(true);

      const fetched = (await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!;
      expect(fetched.PolicyId).toBe(created.PolicyId);
      expect(fetched.Description).toBe('App KMS use');
      expect(fetched.DefaultVersionId).toBe('v1');

      const version = (await iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v1' })))
        .PolicyVersion!;
      expect(version.VersionId).toBe('v1');
      expect(version.IsDefaultVersion).toBe(true);
      expect(version.Document!.startsWith('%7B%22')).toBe(true);
      expect(decode(version.Document)).toEqual(document);
      await expectAwsError(
        iam.send(new GetPolicyVersionCommand({ PolicyArn: policyArn, VersionId: 'v2' })),
        notFound(`Policy ${policyArn} version v2 does not exist or is not attachable.`),
      );
    });

    it('CreatePolicy with a name in use is EntityAlreadyExists', async () => {
      await expectAwsError(
        iam.send(new CreatePolicyCommand({ PolicyName: 'app-kms', PolicyDocument: json(document) })),
        {
          name: 'EntityAlreadyExistsException',
          status: 409,
          message: 'A policy called app-kms already exists. Duplicate names are not allowed.',
        },
      );
    });

    it('GetPolicy on a missing policy is NoSuchEntity', async () => {
      await expectAwsError(
        iam.send(new GetPolicyCommand({ PolicyArn: `arn:aws:iam::${P}:policy/nope` })),
        notFound(`Policy arn:aws:iam::${P}:policy/nope was not found.`),
      );
    });

    it('AttachRolePolicy, ListAttachedRolePolicies, DetachRolePolicy', async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'attach-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: policyArn }));
      await iam.send(
        new AttachRolePolicyCommand({
          RoleName: 'attach-role',
          PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServiceReadOnly',
        }),
      );
      // Attaching again is idempotent.
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: policyArn }));

      const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'attach-role' }));
      expect(listed.AttachedPolicies).toEqual([
        { PolicyName: 'app-kms', PolicyArn: policyArn },
        {
          PolicyName: 'AWSKeyManagementServiceReadOnly',
          PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServiceReadOnly',
        },
      ]);
      expect(listed.IsTruncated).toBe(false);
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.AttachmentCount).toBe(
        1,
      );

      await expectAwsError(iam.send(new DeleteRoleCommand({ RoleName: 'attach-role' })), {
        name: 'DeleteConflictException',
        status: 409,
        message: 'Cannot delete entity, must detach all policies first.',
      });

      await iam.send(new DetachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: policyArn }));
      expect(
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'attach-role' }))).AttachedPolicies,
      ).toEqual([
        {
          PolicyName: 'AWSKeyManagementServiceReadOnly',
          PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServiceReadOnly',
        },
      ]);
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: policyArn }))).Policy!.AttachmentCount).toBe(
        0,
      );
      await expectAwsError(
        iam.send(new DetachRolePolicyCommand({ RoleName: 'attach-role', PolicyArn: policyArn })),
        notFound(`Policy ${policyArn} was not found.`),
      );

      await iam.send(
        new DetachRolePolicyCommand({
          RoleName: 'attach-role',
          PolicyArn: 'arn:aws:iam::aws:policy/AWSKeyManagementServiceReadOnly',
        }),
      );
      await iam.send(new DeleteRoleCommand({ RoleName: 'attach-role' }));
      await expectAwsError(
        iam.send(new GetRoleCommand({ RoleName: 'attach-role' })),
        notFound('The role with name attach-role cannot be found.'),
      );
    });

    it('AttachRolePolicy with a missing policy is NoSuchEntity "does not exist or is not attachable"', async () => {
      await iam.send(
        new CreateRoleCommand({ RoleName: 'attach-missing', AssumeRolePolicyDocument: json(trustPolicy()) }),
      );
      const missing = `arn:aws:iam::${P}:policy/not-there`;
      await expectAwsError(
        iam.send(new AttachRolePolicyCommand({ RoleName: 'attach-missing', PolicyArn: missing })),
        notFound(`Policy ${missing} does not exist or is not attachable.`),
      );
      expect(
        (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'attach-missing' })))
          .AttachedPolicies,
      ).toEqual([]);
      await iam.send(new DeleteRoleCommand({ RoleName: 'attach-missing' }));
    });
  });

  describe('MalformedPolicyDocument (400)', () => {
    it('a trust policy that is not JSON: "This policy contains invalid Json"', async () => {
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({
            RoleName: 'bad-json',
            AssumeRolePolicyDocument: '{"Version": "2012-10-17",',
          }),
        ),
        malformed('This policy contains invalid Json'),
      );
      await expectAwsError(
        iam.send(new GetRoleCommand({ RoleName: 'bad-json' })),
        notFound('The role with name bad-json cannot be found.'),
      );
    });

    it('an identity policy that is not JSON: "Syntax errors in policy."', async () => {
      await expectAwsError(
        iam.send(new CreatePolicyCommand({ PolicyName: 'bad-json', PolicyDocument: 'not json' })),
        malformed('Syntax errors in policy.'),
      );
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'malformed-target',
          AssumeRolePolicyDocument: json(trustPolicy()),
        }),
      );
      await expectAwsError(
        iam.send(
          new PutRolePolicyCommand({
            RoleName: 'malformed-target',
            PolicyName: 'p',
            PolicyDocument: '{"Statement": [}',
          }),
        ),
        malformed('Syntax errors in policy.'),
      );
    });

    it('a trust policy with a Resource: "Has prohibited field Resource"', async () => {
      const document = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${P}:root` },
            Action: 'sts:AssumeRole',
            Resource: '*',
          },
        ],
      };
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({ RoleName: 'with-resource', AssumeRolePolicyDocument: json(document) }),
        ),
        malformed('Has prohibited field Resource'),
      );
    });

    it('a trust policy naming a role that does not exist: Invalid principal in policy', async () => {
      const nope = `arn:aws:iam::${P}:role/nope`;
      await expectAwsError(
        iam.send(
          new CreateRoleCommand({
            RoleName: 'bad-principal',
            AssumeRolePolicyDocument: json(trustPolicy(nope)),
          }),
        ),
        malformed(`Invalid principal in policy: "AWS":"${nope}"`),
      );
      await expectAwsError(
        iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: 'malformed-target',
            PolicyDocument: json(trustPolicy(nope)),
          }),
        ),
        malformed(`Invalid principal in policy: "AWS":"${nope}"`),
      );
    });

    it('an identity policy with a Principal: "Policy document should not specify a principal."', async () => {
      const document = {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${P}:root` }, Action: 'kms:*', Resource: '*' },
        ],
      };
      await expectAwsError(
        iam.send(
          new PutRolePolicyCommand({
            RoleName: 'malformed-target',
            PolicyName: 'p',
            PolicyDocument: json(document),
          }),
        ),
        malformed('Policy document should not specify a principal.'),
      );
      await expectAwsError(
        iam.send(new CreatePolicyCommand({ PolicyName: 'with-principal', PolicyDocument: json(document) })),
        malformed('Policy document should not specify a principal.'),
      );
    });

    it('a statement without Action: "Policy statement must contain actions."', async () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Resource: '*' }] };
      await expectAwsError(
        iam.send(
          new PutRolePolicyCommand({
            RoleName: 'malformed-target',
            PolicyName: 'p',
            PolicyDocument: json(document),
          }),
        ),
        malformed('Policy statement must contain actions.'),
      );
      expect(
        (await iam.send(new ListRolePoliciesCommand({ RoleName: 'malformed-target' }))).PolicyNames,
      ).toEqual([]);
    });

    it('a statement without Resource: "Policy statement must contain resources."', async () => {
      const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt' }] };
      await expectAwsError(
        iam.send(new CreatePolicyCommand({ PolicyName: 'no-resource', PolicyDocument: json(document) })),
        malformed('Policy statement must contain resources.'),
      );
    });
  });

  it('a caller without IAM permissions is AccessDenied (403) with the identity-based reason', async () => {
    const creds: Credentials = box.credentials(C, 'kms-only');
    const { iam: limited } = clients(box, creds);
    await expectAwsError(
      limited.send(
        new CreateRoleCommand({
          RoleName: 'x',
          AssumeRolePolicyDocument: json(trustPolicy(`arn:aws:iam::${C}:root`)),
        }),
      ),
      {
        name: 'AccessDenied',
        status: 403,
        message: `User: arn:aws:iam::${C}:user/kms-only is not authorized to perform: iam:CreateRole on resource: arn:aws:iam::${C}:role/x because no identity-based policy allows the iam:CreateRole action`,
      },
    );
    await expectAwsError(
      limited.send(
        new CreatePolicyCommand({ PolicyName: 'y', PolicyDocument: json(identityPolicy('kms:*')) }),
      ),
      {
        name: 'AccessDenied',
        status: 403,
        message: `User: arn:aws:iam::${C}:user/kms-only is not authorized to perform: iam:CreatePolicy on resource: arn:aws:iam::${C}:policy/y because no identity-based policy allows the iam:CreatePolicy action`,
      },
    );
    // Nothing was created.
    expect(box.store.role(C, 'x')).toBeUndefined();
  });

  describe('policy changes and existing sessions', () => {
    const sessionOf = async (roleArn: string, sessionName: string) => {
      const creds = (
        await admin.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }))
      ).Credentials!;
      return clients(box, {
        accessKeyId: creds.AccessKeyId!,
        secretAccessKey: creds.SecretAccessKey!,
        sessionToken: creds.SessionToken!,
      });
    };

    it('editing a role’s inline policy takes effect immediately for its existing sessions', async () => {
      const roleArn = (
        await iam.send(
          new CreateRoleCommand({ RoleName: 'live-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
        )
      ).Role!.Arn!;
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'live-role',
          PolicyName: 'kms',
          PolicyDocument: json(identityPolicy(['kms:DescribeKey', 'kms:Encrypt'])),
        }),
      );
      const { kms } = await sessionOf(roleArn, 'live');
      const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
        .KeyMetadata!.Arn!;
      expect((await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }))).KeyId).toBe(
        keyArn,
      );

      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'live-role',
          PolicyName: 'kms',
          PolicyDocument: json(identityPolicy('kms:DescribeKey')),
        }),
      );
      await expectAwsError(kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })), {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:sts::${P}:assumed-role/live-role/live is not authorized to perform: kms:Encrypt on resource: ${keyArn} because no identity-based policy allows the kms:Encrypt action`,
      });
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyArn }))).KeyMetadata!.Arn).toBe(keyArn);

      // An explicit Deny added to the role applies at once as well.
      await iam.send(
        new PutRolePolicyCommand({
          RoleName: 'live-role',
          PolicyName: 'deny',
          PolicyDocument: json({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Deny', Action: 'kms:DescribeKey', Resource: '*' }],
          }),
        }),
      );
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyArn })), {
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:sts::${P}:assumed-role/live-role/live is not authorized to perform: kms:DescribeKey on resource: ${keyArn} with an explicit deny in an identity-based policy`,
      });
    });

    it('deleting a role strips its sessions of every permission, even if a role of that name is created again', async () => {
      const roleArn = (
        await iam.send(
          new CreateRoleCommand({ RoleName: 'doomed-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
        )
      ).Role!.Arn!;
      const policy = json(identityPolicy(['kms:DescribeKey', 'kms:Encrypt']));
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'doomed-role', PolicyName: 'kms', PolicyDocument: policy }),
      );
      const { kms } = await sessionOf(roleArn, 'doomed');
      const keyArn = (await kms.send(new DescribeKeyCommand({ KeyId: 'alias/keyward-platform' })))
        .KeyMetadata!.Arn!;

      await iam.send(new DeleteRolePolicyCommand({ RoleName: 'doomed-role', PolicyName: 'kms' }));
      await iam.send(new DeleteRoleCommand({ RoleName: 'doomed-role' }));
      const denied = (action: string) => ({
        name: 'AccessDeniedException',
        status: 400,
        message: `User: arn:aws:sts::${P}:assumed-role/doomed-role/doomed is not authorized to perform: ${action} on resource: ${keyArn} because no identity-based policy allows the ${action} action`,
      });
      await expectAwsError(kms.send(new DescribeKeyCommand({ KeyId: keyArn })), denied('kms:DescribeKey'));

      // A new role with the same name and policy is a different role (new RoleId): the old session stays powerless.
      const recreated = (
        await iam.send(
          new CreateRoleCommand({ RoleName: 'doomed-role', AssumeRolePolicyDocument: json(trustPolicy()) }),
        )
      ).Role!;
      expect(recreated.Arn).toBe(roleArn);
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'doomed-role', PolicyName: 'kms', PolicyDocument: policy }),
      );
      await expectAwsError(
        kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') })),
        denied('kms:Encrypt'),
      );
      const fresh = await sessionOf(roleArn, 'fresh');
      expect(
        (await fresh.kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('x') }))).KeyId,
      ).toBe(keyArn);
    });
  });
});

describe('IAM names that are also JavaScript property names', () => {
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(() => box.close());

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'a role and an inline policy named %s are stored and found like any other',
    async (name) => {
      const { iam } = clients(box, customerAdmin(box));
      const trust = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'sts:AssumeRole' }],
      });
      const policy = JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' }],
      });
      await expectAwsError(iam.send(new GetRoleCommand({ RoleName: name })), {
        name: 'NoSuchEntityException',
        status: 404,
      });
      await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      expect((await iam.send(new GetRoleCommand({ RoleName: name }))).Role?.RoleName).toBe(name);
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: name, PolicyDocument: policy }));
      expect((await iam.send(new ListRolePoliciesCommand({ RoleName: name }))).PolicyNames).toEqual([name]);
      expect(
        JSON.parse(
          decodeURIComponent(
            (await iam.send(new GetRolePolicyCommand({ RoleName: name, PolicyName: name }))).PolicyDocument!,
          ),
        ),
      ).toEqual(JSON.parse(policy));
      expect(Object.getPrototypeOf(box.store.data.accounts['444455556666']!.roles)).toBeNull();
    },
  );
});
