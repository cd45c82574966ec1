import { accountRootArn } from '../arn.js';

/** The key policy AWS gives a key created without one: the account's IAM decides. */
export function defaultKeyPolicy(partition: string, account: string): string {
  return JSON.stringify(
    {
      Version: '2012-10-17',
      Id: 'key-default-1',
      Statement: [
        {
          Sid: 'Enable IAM User Permissions',
          Effect: 'Allow',
          Principal: { AWS: accountRootArn(partition, account) },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    },
    null,
    2,
  );
}
