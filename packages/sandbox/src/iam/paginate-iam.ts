import { paginate } from '../paginate.js';
import { AwsError } from '../protocol/aws-error.js';
import type { QueryInput } from '../protocol/query-input.js';
import { MARKER, MAX_ITEMS } from './iam-rules.js';

/** IAM list pagination: MaxItems (default 100) and Marker in; IsTruncated and Marker out. */
export function readPaging(input: QueryInput): { maxItems: number; marker?: string } {
  const maxItems = input.integer('MaxItems', MAX_ITEMS) ?? 100;
  const marker = input.string('Marker', MARKER);
  return { maxItems, marker };
}

export function paginateIam<T>(
  items: T[],
  paging: { maxItems: number; marker?: string },
): { page: T[]; IsTruncated: boolean; Marker?: string } {
  const result = paginate(
    items,
    paging.maxItems,
    paging.marker,
    () => new AwsError('InvalidInput', 'Invalid Marker.'),
  );
  return {
    page: result.page,
    IsTruncated: result.truncated,
    ...(result.nextMarker ? { Marker: result.nextMarker } : {}),
  };
}
