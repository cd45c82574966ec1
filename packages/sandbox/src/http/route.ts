import { isOperationOf } from '../operation-names.js';
import { parseAuthorization } from '../sigv4/parse-authorization.js';
import type { ServiceName } from '../operation-names.js';

const TARGET_PREFIX = 'TrentService.';

/**
 * One port serves KMS, STS and IAM. The SigV4 credential scope names the service; without a
 * usable scope, KMS is recognised by its X-Amz-Target header and STS by its Action names.
 */
export function detectService(headers: Record<string, string>, action: string | undefined): ServiceName {
  /* A KMS request is a KMS request whatever its scope says; SigV4 then refuses the wrong scope as AWS does. */
  if (headers['x-amz-target']?.startsWith(TARGET_PREFIX)) return 'kms';
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    const parsed = parseAuthorization(authorization);
    const scoped = parsed.ok ? parsed.value.scope.service : undefined;
    if (scoped === 'kms' || scoped === 'sts' || scoped === 'iam') return scoped;
  }
  if (headers['x-amz-target'] !== undefined) return 'kms';
  return action !== undefined && isOperationOf('sts', action) ? 'sts' : 'iam';
}

/** The KMS operation named by `X-Amz-Target: TrentService.<Operation>`. */
export function kmsOperationName(target: string | undefined): string | undefined {
  return target?.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : undefined;
}
