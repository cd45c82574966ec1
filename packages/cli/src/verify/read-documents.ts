import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, type IAMClient } from '@aws-sdk/client-iam';
import { GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';

/** The customer's documents as AWS holds them, read with the caller's own credentials. */
export interface CustomerDocuments {
  /** null: the role does not exist. */
  trustPolicy: unknown;
  rolePolicies: { name: string; document: unknown }[];
  /** null: the key does not exist (or is in another region or account). */
  keyPolicy: unknown;
  roleMissing: boolean;
  keyMissing: boolean;
}

/** A read the caller is not allowed to make: the review cannot be done with these credentials. */
export class ReadDeniedError extends Error {
  override readonly name = 'ReadDeniedError';
  readonly code = 'KW_VERIFY_READ_DENIED';
}

const READ_ACTIONS = 'iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion and kms:GetKeyPolicy';

async function read<T>(what: string, call: () => Promise<T>, missing: string[]): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    const name = (error as { name?: string }).name ?? 'Error';
    if (missing.includes(name)) return null;
    if (/AccessDenied|UnauthorizedOperation/.test(name)) {
      throw new ReadDeniedError(`Your credentials may not read ${what} (${name}). The review needs ${READ_ACTIONS} in the customer account.`);
    }
    throw Object.assign(new Error(`Reading ${what} failed: ${name}: ${(error as Error).message}`), { code: 'KW_AWS_ERROR' });
  }
}

/** IAM returns policy documents URL-encoded (RFC 3986); a document that is not stays as it is. */
function decode(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export async function readCustomerDocuments(iam: IAMClient, kms: KMSClient, roleName: string, keyArn: string): Promise<CustomerDocuments> {
  const role = await read(`the role ${roleName}`, () => iam.send(new GetRoleCommand({ RoleName: roleName })), ['NoSuchEntityException', 'NoSuchEntity']);
  const rolePolicies: { name: string; document: unknown }[] = [];
  if (role !== null) {
    const inline = await read('the role\'s inline policies', () => iam.send(new ListRolePoliciesCommand({ RoleName: roleName })), []);
    for (const name of inline?.PolicyNames ?? []) {
      const policy = await read(`the inline policy ${name}`, () => iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: name })), []);
      rolePolicies.push({ name, document: decode(policy?.PolicyDocument) });
    }
    const attached = await read('the role\'s attached policies', () => iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName })), []);
    for (const { PolicyArn, PolicyName } of attached?.AttachedPolicies ?? []) {
      const policy = await read(`the managed policy ${PolicyName}`, () => iam.send(new GetPolicyCommand({ PolicyArn })), []);
      const version = await read(`the managed policy ${PolicyName}`, () => iam.send(new GetPolicyVersionCommand({ PolicyArn, VersionId: policy?.Policy?.DefaultVersionId })), []);
      rolePolicies.push({ name: PolicyName ?? PolicyArn ?? 'managed policy', document: decode(version?.PolicyVersion?.Document) });
    }
  }
  const key = await read(`the key policy of ${keyArn}`, () => kms.send(new GetKeyPolicyCommand({ KeyId: keyArn, PolicyName: 'default' })), ['NotFoundException']);
  return {
    trustPolicy: decode(role?.Role?.AssumeRolePolicyDocument), rolePolicies, keyPolicy: key?.Policy ?? null,
    roleMissing: role === null, keyMissing: key === null,
  };
}
