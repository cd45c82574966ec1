import type { AwsError } from './protocol/aws-error.js';

/**
 * List pagination with an opaque marker, shared by KMS (Truncated/NextMarker) and IAM
 * (IsTruncated/Marker). A marker the sandbox did not issue is the caller's error.
 */
export interface Page<T> {
  page: T[];
  truncated: boolean;
  nextMarker?: string;
}

export function paginate<T>(
  items: T[],
  limit: number,
  marker: string | undefined,
  invalidMarker: () => AwsError,
): Page<T> {
  const start = marker === undefined ? 0 : decodeMarker(marker, invalidMarker);
  const page = items.slice(start, start + limit);
  const next = start + limit;
  if (next < items.length)
    return { page, truncated: true, nextMarker: Buffer.from(`kw-marker:${next}`).toString('base64url') };
  return { page, truncated: false };
}

function decodeMarker(marker: string, invalidMarker: () => AwsError): number {
  const match = /^kw-marker:(\d+)$/.exec(Buffer.from(marker, 'base64url').toString('utf8'));
  if (!match) throw invalidMarker();
  return Number(match[1]);
}
