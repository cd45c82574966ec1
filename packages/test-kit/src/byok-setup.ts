import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import {
  CUSTOMER_ACCOUNT_ID,
  PLATFORM_ACCOUNT_ID,
  SERVICE_ROLE_NAME,
  type RunningSandbox,
} from '@keyward/sandbox';
import { clients, type Credentials } from './sandbox-clients.js';

/**
 * The customer's side of the BYOK setup guide, done the way a customer would do it in their
 * own account, with every piece overridable so that tests can get exactly one thing wrong.
 */
export const SERVICE_ROLE_ARN = `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:role/${SERVICE_ROLE_NAME}`;
export const BYOK_ROLE_NAME = 'keyward-byok';
export const BYOK_ROLE_ARN = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${BYOK_ROLE_NAME}`;
export const EXTERNAL_ID = 'kw-7f3a9c1e5b2d4a6f8e0c1b3d5f7a9c2e';
export const TENANT_CONTEXT = { 'keyward:tenant': 'acme', 'keyward:key-version': '1' };
export const KEY_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

export interface SetupChoices {
  trustPrincipal?: string;
  /** undefined: the correct condition; null: no condition at all. */
  externalIdCondition?: string | null;
  permissionsPolicy?: boolean;
  keyPolicyStatement?: boolean;
  /** Keep AWS's default "Enable IAM User Permissions" statement in the key policy. */
  keepRootStatement?: boolean;
  /** Restrict the role to this tenant's encryption context, in both the key policy and the permissions policy. */
  tenantCondition?: boolean;
}

export const trustPolicy = (principal: string, externalId: string | null) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: principal },
      Action: 'sts:AssumeRole',
      ...(externalId === null ? {} : { Condition: { StringEquals: { 'sts:ExternalId': externalId } } }),
    },
  ],
});

const tenantCondition = { StringEquals: { 'kms:EncryptionContext:keyward:tenant': 'acme' } };

export const permissionsPolicy = (keyArn: string, withTenantCondition: boolean) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: KEY_ACTIONS,
      Resource: keyArn,
      ...(withTenantCondition ? { Condition: tenantCondition } : {}),
    },
  ],
});

export const keyPolicy = (choices: SetupChoices) => ({
  Version: '2012-10-17',
  Statement: [
    ...(choices.keepRootStatement === false
      ? [
          {
            Sid: 'KeyAdministrators',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` },
            Action: 'kms:*',
            Resource: '*',
          },
        ]
      : [
          {
            Sid: 'Enable IAM User Permissions',
            Effect: 'Allow',
            Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
            Action: 'kms:*',
            Resource: '*',
          },
        ]),
    ...(choices.keyPolicyStatement === false
      ? []
      : [
          {
            Sid: 'AllowKeywardByokRole',
            Effect: 'Allow',
            Principal: { AWS: BYOK_ROLE_ARN },
            Action: KEY_ACTIONS,
            Resource: '*',
            ...(choices.tenantCondition ? { Condition: tenantCondition } : {}),
          },
        ]),
  ],
});

/** Steps 2–3 of the guide in the customer account: the CMK, the role, its policy, the key policy statement. */
export async function customerSetup(
  box: RunningSandbox,
  choices: SetupChoices = {},
  region = 'us-east-1',
): Promise<{ keyArn: string }> {
  const customer = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID), region);
  const key = await customer.kms.send(new CreateKeyCommand({ Description: 'Customer CMK for Keyward' }));
  const keyArn = key.KeyMetadata!.Arn!;
  const externalId = choices.externalIdCondition === undefined ? EXTERNAL_ID : choices.externalIdCondition;
  await customer.iam.send(
    new CreateRoleCommand({
      RoleName: BYOK_ROLE_NAME,
      AssumeRolePolicyDocument: JSON.stringify(
        trustPolicy(choices.trustPrincipal ?? SERVICE_ROLE_ARN, externalId),
      ),
    }),
  );
  if (choices.permissionsPolicy !== false) {
    await customer.iam.send(
      new PutRolePolicyCommand({
        RoleName: BYOK_ROLE_NAME,
        PolicyName: 'keyward-cmk-access',
        PolicyDocument: JSON.stringify(permissionsPolicy(keyArn, choices.tenantCondition ?? false)),
      }),
    );
  }
  await customer.kms.send(
    new PutKeyPolicyCommand({ KeyId: keyArn, Policy: JSON.stringify(keyPolicy(choices)) }),
  );
  return { keyArn };
}

/** The platform side: its administrator's credentials become a keyward-service session. */
export async function serviceRoleSession(box: RunningSandbox): Promise<Credentials> {
  const platform = clients(box, box.credentials(PLATFORM_ACCOUNT_ID));
  const session = await platform.sts.send(
    new AssumeRoleCommand({ RoleArn: SERVICE_ROLE_ARN, RoleSessionName: 'keyward-platform' }),
  );
  return sessionCredentials(session.Credentials!);
}

export function sessionCredentials(credentials: {
  AccessKeyId?: string;
  SecretAccessKey?: string;
  SessionToken?: string;
}): Credentials {
  return {
    accessKeyId: credentials.AccessKeyId!,
    secretAccessKey: credentials.SecretAccessKey!,
    sessionToken: credentials.SessionToken!,
  };
}
