import type { SeedInput } from './seed-schema.js';

/**
 * The documented defaults (README "Sandbox defaults"): a platform account and a customer
 * account, each with an administrator whose access key is AKIA<account id>ADMN and secret
 * sandbox-secret-<account id>; in the platform account, the platform's Service Role
 * `keyward-service`, which the platform administrator may assume and which may assume roles
 * in other accounts (the customers' BYOK roles), plus a platform KMS key for tenants that do
 * not bring their own.
 */
export const PLATFORM_ACCOUNT_ID = '111122223333';
export const CUSTOMER_ACCOUNT_ID = '444455556666';
export const SERVICE_ROLE_NAME = 'keyward-service';
export const PLATFORM_KEY_ALIAS = 'alias/keyward-platform';

export const adminAccessKeyId = (account: string): string => `AKIA${account}ADMN`;
export const adminSecretAccessKey = (account: string): string => `sandbox-secret-${account}`;

function administrator(account: string) {
  return {
    name: 'admin',
    accessKeys: [{ id: adminAccessKeyId(account), secret: adminSecretAccessKey(account) }],
    managedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'],
  };
}

export function defaultSeed(region = 'us-east-1'): SeedInput {
  return {
    accounts: [
      {
        id: PLATFORM_ACCOUNT_ID,
        alias: 'platform',
        users: [administrator(PLATFORM_ACCOUNT_ID)],
        roles: [
          {
            name: SERVICE_ROLE_NAME,
            description: 'Keyward platform Service Role: assumes customers\u2019 BYOK roles',
            maxSessionDuration: 43200,
            trustPolicy: {
              Version: '2012-10-17',
              Statement: [
                {
                  Sid: 'PlatformAccountMayAssume',
                  Effect: 'Allow',
                  Principal: { AWS: `arn:aws:iam::${PLATFORM_ACCOUNT_ID}:root` },
                  Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
                },
              ],
            },
            inlinePolicies: {
              'assume-customer-byok-roles': {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'AssumeCustomerRoles',
                    Effect: 'Allow',
                    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity', 'sts:TagSession'],
                    Resource: 'arn:aws:iam::*:role/*',
                  },
                ],
              },
              'use-platform-key': {
                Version: '2012-10-17',
                Statement: [
                  {
                    Sid: 'UsePlatformKeys',
                    Effect: 'Allow',
                    Action: [
                      'kms:Encrypt',
                      'kms:Decrypt',
                      'kms:ReEncrypt*',
                      'kms:GenerateDataKey*',
                      'kms:DescribeKey',
                    ],
                    Resource: `arn:aws:kms:*:${PLATFORM_ACCOUNT_ID}:key/*`,
                  },
                ],
              },
            },
          },
        ],
        keys: [
          {
            region,
            description: 'Keyward platform key (tenants without BYOK)',
            aliases: [PLATFORM_KEY_ALIAS],
          },
        ],
      },
      { id: CUSTOMER_ACCOUNT_ID, alias: 'customer', users: [administrator(CUSTOMER_ACCOUNT_ID)] },
    ],
  };
}
