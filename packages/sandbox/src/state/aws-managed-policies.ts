import type { ManagedPolicyState } from './types.js';

/** The AWS managed policies the sandbox knows, shared by every account as in AWS. */
const ADMINISTRATOR_ACCESS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
});

const READ_ONLY_KMS = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['kms:Describe*', 'kms:Get*', 'kms:List*'], Resource: '*' }],
});

function awsManaged(name: string, document: string, policyId: string): ManagedPolicyState {
  return {
    name,
    path: '/',
    policyId,
    arn: `arn:aws:iam::aws:policy/${name}`,
    document,
    createDate: 0,
    updateDate: 0,
  };
}

export const AWS_MANAGED_POLICIES: Record<string, ManagedPolicyState> = Object.fromEntries(
  [
    awsManaged('AdministratorAccess', ADMINISTRATOR_ACCESS, 'ANPAIWMBCKSKIEE64ZLYK'),
    awsManaged('AWSKeyManagementServiceReadOnly', READ_ONLY_KMS, 'ANPAKEYWARDSANDBOXRO1'),
  ].map((policy) => [policy.arn, policy]),
);

/** An AWS managed policy ARN names the partition but no account: arn:<partition>:iam::aws:policy/<name>. */
export function awsManagedPolicy(arn: string): ManagedPolicyState | undefined {
  const normalised = arn.replace(/^arn:(aws-cn|aws-us-gov):/, 'arn:aws:');
  return AWS_MANAGED_POLICIES[normalised];
}
