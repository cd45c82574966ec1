import { KeywardError } from '../errors.js';

/** The fields of an ARN that Keyward relies on. */
export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

const ARN =
  /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|):(.+)$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/;
const ROLE_PATH_AND_NAME = /^(\/(?:[\u0021-\u007e]{1,510}\/)?)?([\w+=,.@-]{1,64})$/;

function invalid(value: string, expected: string): KeywardError {
  return new KeywardError('KW_INVALID_ARN', {
    message: `"${value.slice(0, 200)}" is not ${expected}.`,
    details: { arn: value.slice(0, 2048) },
  });
}

export function parseArn(value: string): Arn | undefined {
  const match = ARN.exec(value);
  if (match === null) return undefined;
  return {
    partition: match[1]!,
    service: match[2]!,
    region: match[3]!,
    accountId: match[4]!,
    resource: match[5]!,
  };
}

/** A KMS key ARN (`arn:aws:kms:<region>:<account>:key/<key-id>`): customers give the key, not an alias. */
export function parseKmsKeyArn(value: string): Arn & { keyId: string } {
  const arn = parseArn(value);
  const expected =
    'a KMS key ARN such as arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  if (
    arn?.service !== 'kms' ||
    !REGION.test(arn.region) ||
    arn.accountId === '' ||
    !arn.resource.startsWith('key/')
  )
    throw invalid(value, expected);
  const keyId = arn.resource.slice('key/'.length);
  if (!KEY_ID.test(keyId)) throw invalid(value, expected);
  return { ...arn, keyId };
}

/** A KMS key or alias ARN, which is what the platform's own root key may be configured as. */
export function parseKmsKeyOrAliasArn(value: string): Arn {
  const arn = parseArn(value);
  if (
    arn?.service === 'kms' &&
    REGION.test(arn.region) &&
    arn.accountId !== '' &&
    /^alias\/[\w/-]{1,250}$/.test(arn.resource)
  )
    return arn;
  return parseKmsKeyArn(value);
}

/** An IAM role ARN (`arn:aws:iam::<account>:role/<path/><name>`). */
export function parseRoleArn(value: string): Arn & { roleName: string } {
  const arn = parseArn(value);
  const expected = 'an IAM role ARN such as arn:aws:iam::444455556666:role/KeywardAccess';
  if (
    arn?.service !== 'iam' ||
    arn.region !== '' ||
    arn.accountId === '' ||
    !arn.resource.startsWith('role/')
  )
    throw invalid(value, expected);
  const match = ROLE_PATH_AND_NAME.exec(arn.resource.slice('role'.length));
  if (match === null) throw invalid(value, expected);
  return { ...arn, roleName: match[2]! };
}
