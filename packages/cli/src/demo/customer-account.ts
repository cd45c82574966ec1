import {
  CreateKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import type { SetupKit } from '@keyward/core';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The customer, in their own AWS account, doing what the setup guide says with the AWS SDK: the
 * documents come from the kit as they are, nothing is written by hand.
 */
export class CustomerAccount {
  private readonly kms: KMSClient;
  private readonly iam: IAMClient;

  constructor(endpoint: string, credentials: Credentials, region = 'us-east-1') {
    const config = { endpoint, region, credentials, maxAttempts: 2 };
    this.kms = new KMSClient(config);
    this.iam = new IAMClient(config);
  }

  /** Step 2: a symmetric encryption key with AWS's default key policy (the account root administers it). */
  async createKey(): Promise<string> {
    const created = await this.kms.send(new CreateKeyCommand({ Description: 'Our data at Keyward (BYOK)' }));
    return created.KeyMetadata!.Arn!;
  }

  /** Step 3: the role with the kit's trust policy and permissions policy, verbatim. */
  async createRole(kit: SetupKit): Promise<{ roleArn: string; policyName: string }> {
    const role = await this.iam.send(
      new CreateRoleCommand({
        RoleName: kit.values.roleName,
        Path: kit.values.rolePath,
        AssumeRolePolicyDocument: JSON.stringify(kit.trustPolicy),
        Description: `Lets the platform use our CMK for tenant ${kit.values.tenantId}`,
      }),
    );
    const policyName = 'KeywardByokKeyAccess';
    await this.iam.send(
      new PutRolePolicyCommand({
        RoleName: kit.values.roleName,
        PolicyName: policyName,
        PolicyDocument: JSON.stringify(kit.permissionsPolicy),
      }),
    );
    return { roleArn: role.Role!.Arn!, policyName };
  }

  /** Step 3: the kit's statement added to the key policy, keeping the statements already there (as the kit warns). */
  async addKeyPolicyStatement(kit: SetupKit): Promise<{ statements: number }> {
    const current = await this.kms.send(
      new GetKeyPolicyCommand({ KeyId: kit.values.keyArn, PolicyName: 'default' }),
    );
    const policy = JSON.parse(current.Policy!) as { Statement: unknown[] };
    policy.Statement = [...policy.Statement, kit.keyPolicyStatement];
    await this.kms.send(
      new PutKeyPolicyCommand({
        KeyId: kit.values.keyArn,
        PolicyName: 'default',
        Policy: JSON.stringify(policy),
      }),
    );
    return { statements: policy.Statement.length };
  }

  async disableKey(keyArn: string): Promise<void> {
    await this.kms.send(new DisableKeyCommand({ KeyId: keyArn }));
  }

  async enableKey(keyArn: string): Promise<void> {
    await this.kms.send(new EnableKeyCommand({ KeyId: keyArn }));
  }

  close(): void {
    this.kms.destroy();
    this.iam.destroy();
  }
}
