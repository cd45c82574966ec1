import { KeywardError, roleIdentity } from '@keyward/core';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CliError } from '../cli-errors.js';

/** Where `keyward verify` sends its calls: real AWS with the caller's default credential chain, or --endpoint-url. */
export interface AwsTarget {
  stsRegion: string;
  kmsRegion: string;
  endpoint?: string;
}

/** IAM is global; its signing region is the partition's home region. */
const IAM_REGION: Record<string, string> = {
  aws: 'us-east-1',
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

export function awsClients(target: AwsTarget, partition: string) {
  const base = { maxAttempts: 3, ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }) };
  return {
    sts: new STSClient({ ...base, region: target.stsRegion }),
    kms: new KMSClient({ ...base, region: target.kmsRegion }),
    iam: new IAMClient({ ...base, region: IAM_REGION[partition] ?? 'us-east-1' }),
  };
}

export interface Caller {
  arn: string;
  account: string;
  /** The role behind an assumed-role session (`arn:…:iam::<account>:role/<name>`), when the caller is one. */
  roleArn: string | null;
}

/** Who the default credential chain makes us: a missing or bad credential is the user's to fix (exit 2). */
export async function callerIdentity(sts: STSClient): Promise<Caller> {
  let answer;
  try {
    answer = await sts.send(new GetCallerIdentityCommand({}));
  } catch (error) {
    throw credentialsError(error);
  }
  const arn = answer.Arn!;
  const session = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return {
    arn,
    account: answer.Account!,
    roleArn: session === null ? null : `arn:${session[1]}:iam::${session[2]}:role/${session[3]}`,
  };
}

/** The credential chain found nothing, or AWS refused what it found (`KW_AWS_CREDENTIALS`: exit 2). */
export class CredentialsError extends CliError {
  override readonly name = 'CredentialsError';
  constructor(message: string) {
    super('KW_AWS_CREDENTIALS', message);
  }
}

function credentialsError(error: unknown): Error {
  const name = (error as { name?: string }).name ?? 'Error';
  const message = (error as Error).message ?? String(error);
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new CredentialsError(
      'No AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), for the account to check.',
    );
  }
  if (/InvalidClientTokenId|SignatureDoesNotMatch|ExpiredToken|UnrecognizedClient/i.test(name)) {
    return new CredentialsError(`AWS refused the credentials (${name}: ${message}).`);
  }
  if (
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN/.test(`${(error as { code?: string }).code ?? ''} ${message}`)
  ) {
    return new CliError('KW_UNREACHABLE', `Cannot reach AWS STS (${message}).`);
  }
  // An AWS error Keyward does not recognise: the API's code for it (docs/errors.md), with AWS's words.
  return new KeywardError('KW_AWS_ERROR', {
    message: `GetCallerIdentity failed: ${name}: ${message}`,
    aws: { service: 'sts', operation: 'GetCallerIdentity', errorName: name },
  });
}

/** Role ARNs name the same role when account and name agree (core's `roleIdentity`: IAM names are case-insensitive; the path is no part of identity). */
export function sameRole(a: string, b: string): boolean {
  return roleIdentity(a) === roleIdentity(b);
}
