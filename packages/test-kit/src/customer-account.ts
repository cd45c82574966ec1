import { CreateKeyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { SetupKit } from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID, type RunningSandbox } from '@keyward/sandbox';
import { clients } from './sandbox-clients.js';

/**
 * The customer's side of the guide in the sandbox's customer account, done from the kit verbatim:
 * the CMK (created first, so its ARN can go into the kit), the role with the kit's trust policy
 * and permissions policy, and the kit's key-policy statement next to the key administrators'.
 */
export async function createCustomerKey(
  box: RunningSandbox,
  description = 'Customer CMK for Keyward',
): Promise<string> {
  const customer = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID));
  const key = await customer.kms.send(new CreateKeyCommand({ Description: description }));
  return key.KeyMetadata!.Arn!;
}

export async function applyKit(
  box: RunningSandbox,
  kit: SetupKit,
  options: { createRole?: boolean; keyPolicyStatement?: boolean } = {},
): Promise<void> {
  const customer = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID));
  const roleName = kit.values.roleName;
  if (options.createRole !== false) {
    await customer.iam.send(
      new CreateRoleCommand({
        RoleName: roleName,
        Path: kit.values.rolePath,
        AssumeRolePolicyDocument: JSON.stringify(kit.trustPolicy),
      }),
    );
  }
  await customer.iam.send(
    new PutRolePolicyCommand({
      RoleName: roleName,
      PolicyName: `keyward-byok-${kit.values.keyArn.split('/').pop()}`,
      PolicyDocument: JSON.stringify(kit.permissionsPolicy),
    }),
  );
  const admin = {
    Sid: 'KeyAdministrators',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
    Action: 'kms:*',
    Resource: '*',
  };
  const statements = options.keyPolicyStatement === false ? [admin] : [admin, kit.keyPolicyStatement];
  await customer.kms.send(
    new PutKeyPolicyCommand({
      KeyId: kit.values.keyArn,
      Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    }),
  );
}
