import { parseArn, parseIamResource } from '../arn.js';
import { AwsError } from '../protocol/aws-error.js';
import type { QueryInput } from '../protocol/query-input.js';
import type { Tag } from '../state/types.js';

/** AssumeRole's parameters, checked against the constraints in the STS API model. */
export interface AssumeRoleRequest {
  roleArn: string;
  roleAccount: string;
  roleName: string;
  sessionName: string;
  externalId?: string;
  durationSeconds?: number;
  policy?: string;
  policyArns: string[];
  tags: Tag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
}

const SESSION_NAME = {
  required: true,
  min: 2,
  max: 64,
  pattern: { regex: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' },
};
const EXTERNAL_ID = { min: 2, max: 1224, pattern: { regex: /^[\w+=,.@:/-]*$/, text: '[\\w+=,.@:\\/-]*' } };
const SOURCE_IDENTITY = { min: 2, max: 64, pattern: { regex: /^[\w+=,.@-]*$/, text: '[\\w+=,.@-]*' } };
// AWS's own pattern for policy text admits tab, LF and CR, hence control characters in the class.
const POLICY = {
  min: 1,
  // eslint-disable-next-line no-control-regex
  pattern: { regex: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, text: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+' },
};

export function readAssumeRoleRequest(input: QueryInput): AssumeRoleRequest {
  const roleArn = input.string('RoleArn', { required: true, min: 20, max: 2048 });
  const sessionName = input.string('RoleSessionName', SESSION_NAME);
  const externalId = input.string('ExternalId', EXTERNAL_ID);
  const durationSeconds = input.integer('DurationSeconds', { min: 900, max: 43200 });
  const policy = input.string('Policy', POLICY);
  const sourceIdentity = input.string('SourceIdentity', SOURCE_IDENTITY);
  const policyArns = input.stringList('PolicyArns', 'arn');
  const tags = input
    .structList('Tags', ['Key', 'Value'])
    .map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
  const transitiveTagKeys = input.stringList('TransitiveTagKeys');
  input.done();

  const arn = parseArn(roleArn!);
  const resource = arn && parseIamResource(arn);
  if (!arn || !resource || resource.kind !== 'role')
    throw new AwsError('ValidationError', `${roleArn!} is invalid`);
  checkTags(tags, transitiveTagKeys);
  if (policyArns.length > 10)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
  return {
    roleArn: roleArn!,
    roleAccount: arn.account,
    roleName: resource.name,
    sessionName: sessionName!,
    externalId,
    durationSeconds,
    policy,
    policyArns,
    tags,
    transitiveTagKeys,
    sourceIdentity,
  };
}

function checkTags(tags: Tag[], transitive: string[]): void {
  if (tags.length > 50)
    throw new AwsError(
      'ValidationError',
      "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
    );
  const keys = new Set<string>();
  for (const tag of tags) {
    if (tag.key.length < 1 || tag.key.length > 128 || tag.value.length > 256) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${tag.key}' at 'tags' failed to satisfy constraint: Member must have a key of 1-128 characters and a value of 0-256 characters`,
      );
    }
    const lower = tag.key.toLowerCase();
    if (keys.has(lower))
      throw new AwsError(
        'InvalidParameterValue',
        'Duplicate tag keys found. Please note that Tag keys are case insensitive.',
      );
    keys.add(lower);
  }
  if (transitive.some((key) => !keys.has(key.toLowerCase()))) {
    throw new AwsError(
      'InvalidParameterValue',
      'The specified transitive tag key must be included in the requested tags.',
    );
  }
}
