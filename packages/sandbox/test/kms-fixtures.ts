import {
  CreateKeyCommand,
  type CreateKeyCommandInput,
  type KeyMetadata,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { CreateRoleCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import type { RunningSandbox } from '../src/index.js';
import { clients, type Credentials } from '@keyward/test-kit/sandbox-clients';

/** Shared fixtures for the kms-*.test.ts files: keys, key policies and narrowly-permitted role sessions. */

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MATERIAL_ID = /^[0-9a-f]{64}$/;
export const DAY_MS = 86_400_000;

export const keyArn = (account: string, keyId: string, region = 'us-east-1'): string =>
  `arn:aws:kms:${region}:${account}:key/${keyId}`;
export const aliasArn = (account: string, aliasName: string, region = 'us-east-1'): string =>
  `arn:aws:kms:${region}:${account}:${aliasName}`;
export const rootArn = (account: string): string => `arn:aws:iam::${account}:root`;

/** The statement AWS puts in a key created without a policy: the account's IAM policies decide. */
export const rootStatement = (account: string) => ({
  Sid: 'Enable IAM User Permissions',
  Effect: 'Allow',
  Principal: { AWS: rootArn(account) },
  Action: 'kms:*',
  Resource: '*',
});

export const policyDocument = (...statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });

/** CreateKey, returning the (always present) KeyMetadata. */
export async function createKey(
  kms: KMSClient,
  input: CreateKeyCommandInput = {},
): Promise<KeyMetadata & { KeyId: string; Arn: string }> {
  const { KeyMetadata: metadata } = await kms.send(new CreateKeyCommand(input));
  if (!metadata?.KeyId || !metadata.Arn) throw new Error('CreateKey returned no KeyMetadata');
  return metadata as KeyMetadata & { KeyId: string; Arn: string };
}

export const text = (bytes: Uint8Array | undefined): string =>
  Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
export const bytes = (value: string): Uint8Array => new Uint8Array(Buffer.from(value, 'utf8'));

export interface RoleSession {
  roleArn: string;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session>: the ARN AccessDenied messages name. */
  sessionArn: string;
  credentials: Credentials;
}

let roleCounter = 0;

/**
 * Creates a role in the admin's account that the account may assume, with the given inline
 * policy (or none), and assumes it through STS.
 */
export async function assumeNewRole(
  box: RunningSandbox,
  admin: Credentials,
  account: string,
  inlinePolicy?: object,
): Promise<RoleSession> {
  const { iam, sts } = clients(box, admin);
  const roleName = `kms-test-role-${++roleCounter}`;
  const trust = {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: rootArn(account) }, Action: 'sts:AssumeRole' }],
  };
  const created = await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }),
  );
  if (inlinePolicy) {
    await iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'narrow',
        PolicyDocument: JSON.stringify(inlinePolicy),
      }),
    );
  }
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: created.Role!.Arn, RoleSessionName: 'kms-test' }),
  );
  const credentials = assumed.Credentials!;
  return {
    roleArn: created.Role!.Arn!,
    sessionArn: assumed.AssumedRoleUser!.Arn!,
    credentials: {
      accessKeyId: credentials.AccessKeyId!,
      secretAccessKey: credentials.SecretAccessKey!,
      sessionToken: credentials.SessionToken!,
    },
  };
}

/** AWS's AccessDeniedException text for KMS. */
export const denied = (
  caller: string,
  action: string,
  resource: string,
  why: 'no-resource' | 'no-identity' | 'deny-resource',
): string => {
  const base = `User: ${caller} is not authorized to perform: ${action} on resource: ${resource}`;
  if (why === 'deny-resource') return `${base} with an explicit deny in a resource-based policy`;
  return `${base} because no ${why === 'no-resource' ? 'resource' : 'identity'}-based policy allows the ${action} action`;
};
