/** ARNs as AWS writes them: arn:<partition>:<service>:<region>:<account>:<resource>. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

const ARN_PATTERN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export function parseArn(text: string): Arn | undefined {
  const match = ARN_PATTERN.exec(text);
  if (!match) return undefined;
  const [, partition, service, region, account, resource] = match;
  return {
    partition: partition!,
    service: service!,
    region: region!,
    account: account!,
    resource: resource!,
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export const accountRootArn = (partition: string, account: string): string =>
  `arn:${partition}:iam::${account}:root`;

/** IAM resource ARNs carry the path: arn:aws:iam::A:role/path/name. */
export function iamArn(
  partition: string,
  account: string,
  kind: 'role' | 'user' | 'policy',
  path: string,
  name: string,
): string {
  return `arn:${partition}:iam::${account}:${kind}${path}${name}`;
}

export const assumedRoleArn = (partition: string, account: string, role: string, session: string): string =>
  `arn:${partition}:sts::${account}:assumed-role/${role}/${session}`;

export const kmsKeyArn = (partition: string, region: string, account: string, keyId: string): string =>
  `arn:${partition}:kms:${region}:${account}:key/${keyId}`;

export const kmsAliasArn = (partition: string, region: string, account: string, aliasName: string): string =>
  `arn:${partition}:kms:${region}:${account}:${aliasName}`;

/** Splits an IAM role/user/policy ARN into path and name ("role/a/b/name" → path "/a/b/", name "name"). */
export function parseIamResource(arn: Arn): { kind: string; path: string; name: string } | undefined {
  if (arn.service !== 'iam') return undefined;
  const slash = arn.resource.indexOf('/');
  if (slash < 0) return undefined;
  const kind = arn.resource.slice(0, slash);
  const rest = arn.resource.slice(slash);
  const last = rest.lastIndexOf('/');
  const name = rest.slice(last + 1);
  if (!name) return undefined;
  return { kind, path: rest.slice(0, last + 1), name };
}
