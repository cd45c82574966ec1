import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  paginateListAttachedRolePolicies,
  paginateListRolePolicies,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';

/**
 * One of the customer's documents as AWS holds it, read with the caller's own credentials: the
 * document (as AWS returns it; the review decodes IAM's URL-encoding), or why there is none.
 */
export type Read<T> = { ok: true; value: T } | { ok: false; missing: boolean; reason: string };

export interface CustomerDocuments {
  trustPolicy: Read<string>;
  rolePolicies: Read<{ name: string; document: string }[]>;
  keyPolicy: Read<string>;
}

export const READ_ACTIONS =
  'iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion and kms:GetKeyPolicy';

/** A refusal or an error while reading. Absence (NoSuchEntity, NotFound) is a finding, not an error. */
class Unreadable extends Error {
  constructor(
    readonly missing: boolean,
    message: string,
  ) {
    super(message);
  }
}

async function read<T>(what: string, call: () => Promise<T>, missing: string[] = []): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    if (missing.includes(name)) throw new Unreadable(true, `${what} does not exist (${name}).`);
    throw new Unreadable(false, `Could not read ${what}: ${name}: ${(error as Error).message}`);
  }
}

async function settle<T>(work: () => Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    if (error instanceof Unreadable) return { ok: false, missing: error.missing, reason: error.message };
    throw error;
  }
}

/** Inline and attached managed policies, every page of both lists (IAM may truncate a page early). */
async function rolePolicies(iam: IAMClient, roleName: string): Promise<{ name: string; document: string }[]> {
  const policies: { name: string; document: string }[] = [];
  for await (const page of paginateListRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const name of page.PolicyNames ?? []) {
      const policy = await read(`the inline policy ${name}`, () =>
        iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })),
      );
      policies.push({ name, document: policy.PolicyDocument ?? '' });
    }
  }
  for await (const page of paginateListAttachedRolePolicies({ client: iam }, { RoleName: roleName })) {
    for (const { PolicyArn, PolicyName } of page.AttachedPolicies ?? []) {
      const policy = await read(`the managed policy ${PolicyName}`, () =>
        iam.send(new GetPolicyCommand({ PolicyArn })),
      );
      const version = await read(`the managed policy ${PolicyName}`, () =>
        iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: policy.Policy?.DefaultVersionId })),
      );
      policies.push({
        name: PolicyName ?? PolicyArn ?? 'managed policy',
        document: version.PolicyVersion?.Document ?? '',
      });
    }
  }
  return policies;
}

/** The role's documents: only readable from the role's own account (IAM reads take a name, not an ARN). */
export async function readRoleDocuments(
  iam: IAMClient,
  roleName: string,
): Promise<Pick<CustomerDocuments, 'trustPolicy' | 'rolePolicies'>> {
  const role = await settle(() =>
    read(`The role ${roleName}`, () => iam.send(new GetRoleCommand({ RoleName: roleName })), [
      'NoSuchEntityException',
      'NoSuchEntity',
    ]).then((answer) => answer.Role?.AssumeRolePolicyDocument ?? ''),
  );
  if (!role.ok) return { trustPolicy: role, rolePolicies: role };
  return { trustPolicy: role, rolePolicies: await settle(() => rolePolicies(iam, roleName)) };
}

/** The key policy: GetKeyPolicy works only in the key's own account and region. */
export async function readKeyPolicy(kms: KMSClient, keyArn: string): Promise<CustomerDocuments['keyPolicy']> {
  return settle(() =>
    read(
      `The key ${keyArn}`,
      () => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })),
      ['NotFoundException'],
    ).then((answer) => answer.Policy ?? ''),
  );
}
