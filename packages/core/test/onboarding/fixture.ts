import {
  CreateKeyCommand,
  DisableKeyCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
  type KeySpec,
  type KeyUsageType,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  buildSetupKit,
  platformIdentity,
  runOnboardingChecks,
  SdkKmsPort,
  SdkStsPort,
  type CheckReport,
  type CheckResult,
  type OnboardingSubject,
  type PolicyDocument,
  type PolicyStatement,
  type SetupKit,
} from '@keyward/core';
import { CUSTOMER_ACCOUNT_ID, startSandbox, type RunningSandbox } from '@keyward/sandbox';
import { clients } from '@keyward/test-kit/sandbox-clients';
import { SERVICE_ROLE_ARN, serviceRoleSession } from '@keyward/test-kit/byok-setup';

export const TENANT = 'acme';
export const EXTERNAL_ID = 'kw-onboardingfixture7f3a9c1e5b2d4a6f';
export const ROLE_NAME = 'KeywardByokAccess';
export const ROLE_ARN = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${ROLE_NAME}`;
export const PLATFORM = platformIdentity(SERVICE_ROLE_ARN);
/** The key administrators' statement a customer's key policy already has (AWS's default gives the account root). */
export const ADMIN_STATEMENT: PolicyStatement = {
  Sid: 'KeyAdministrators',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:user/admin` },
  Action: 'kms:*',
  Resource: '*',
};
export const ROOT_STATEMENT: PolicyStatement = {
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:root` },
  Action: 'kms:*',
  Resource: '*',
};

/** One deliberate mistake, applied to the setup the kit describes. Everything not named is the kit's, verbatim. */
export interface Mistake {
  trustPolicy?: (kit: SetupKit) => PolicyDocument;
  /** null: no permissions policy at all. */
  permissionsPolicy?: (kit: SetupKit) => PolicyDocument | null;
  /** The whole key policy's statements. Default: the existing admin statement plus the kit's statement. */
  keyPolicy?: (kit: SetupKit) => PolicyStatement[];
  createRole?: boolean;
  keySpec?: KeySpec;
  keyUsage?: KeyUsageType;
  keyState?: 'Disabled' | 'PendingDeletion';
  /** The ARNs the customer types into the platform (default: the real ones). */
  subject?: (real: { roleArn: string; keyArn: string }) => Partial<OnboardingSubject>;
  roleOwner?: string;
  /** What the platform's own registry says about step 5 (default: not asked). */
  platformAllows?: boolean;
}

export interface Onboarding {
  box: RunningSandbox;
  run(
    mistake?: Mistake,
    onResult?: (result: CheckResult) => void,
  ): Promise<{ report: CheckReport; kit: SetupKit }>;
  /** The ARN of the role the next run() creates. */
  nextRoleArn(): string;
  close(): Promise<void>;
}

/** A sandbox and the platform's adapters; each run sets the customer's side up afresh, from the kit. */
export async function onboarding(): Promise<Onboarding> {
  const box = await startSandbox({ port: 0, env: {} });
  const aws = {
    region: 'us-east-1',
    endpoint: box.endpoint,
    credentials: await serviceRoleSession(box),
    maxAttempts: 1,
  };
  const sts = new SdkStsPort(aws);
  const kms = new SdkKmsPort(aws);
  const customer = clients(box, box.credentials(CUSTOMER_ACCOUNT_ID));
  let round = 0;
  return {
    box,
    async run(mistake = {}, onResult) {
      round++;
      const roleName = `${ROLE_NAME}${round}`;
      const roleArn = `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${roleName}`;
      const key = await customer.kms.send(
        new CreateKeyCommand({
          Description: 'BYOK CMK',
          ...(mistake.keySpec === undefined ? {} : { KeySpec: mistake.keySpec }),
          ...(mistake.keyUsage === undefined ? {} : { KeyUsage: mistake.keyUsage }),
        }),
      );
      const keyArn = key.KeyMetadata!.Arn!;
      const kit = buildSetupKit({
        platform: PLATFORM,
        tenantId: TENANT,
        externalId: EXTERNAL_ID,
        roleArn,
        keyArn,
      });
      if (mistake.createRole !== false) {
        const trust = mistake.trustPolicy?.(kit) ?? kit.trustPolicy;
        await customer.iam.send(
          new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
        );
        const permissions =
          mistake.permissionsPolicy === undefined ? kit.permissionsPolicy : mistake.permissionsPolicy(kit);
        if (permissions !== null)
          await customer.iam.send(
            new PutRolePolicyCommand({
              RoleName: roleName,
              PolicyName: 'keyward-byok-key-access',
              PolicyDocument: JSON.stringify(permissions),
            }),
          );
      }
      const statements = mistake.keyPolicy?.(kit) ?? [ADMIN_STATEMENT, kit.keyPolicyStatement];
      await customer.kms.send(
        new PutKeyPolicyCommand({
          KeyId: keyArn,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
        }),
      );
      if (mistake.keyState === 'Disabled') await customer.kms.send(new DisableKeyCommand({ KeyId: keyArn }));
      if (mistake.keyState === 'PendingDeletion')
        await customer.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: 7 }));
      const subject: OnboardingSubject = {
        platform: PLATFORM,
        tenantId: TENANT,
        externalId: EXTERNAL_ID,
        roleArn,
        keyArn,
        ...mistake.subject?.({ roleArn, keyArn }),
      };
      const owner = mistake.roleOwner;
      const allows = mistake.platformAllows;
      const deps = {
        sts,
        kms,
        ...(owner === undefined ? {} : { roleOwner: () => Promise.resolve(owner) }),
        ...(allows === undefined ? {} : { platformAllows: () => allows }),
      };
      const report = await runOnboardingChecks(subject, deps, onResult);
      return { report, kit };
    },
    nextRoleArn: () => `arn:aws:iam::${CUSTOMER_ACCOUNT_ID}:role/${ROLE_NAME}${round + 1}`,
    async close() {
      sts.close();
      kms.close();
      await box.close();
    },
  };
}
