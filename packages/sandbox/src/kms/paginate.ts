import { paginate } from '../paginate.js';
import { AwsError } from '../protocol/aws-error.js';

/** KMS list pagination: Limit and Marker in; Truncated and NextMarker out. */
export function paginateKms<T>(
  items: T[],
  limit: number | undefined,
  marker: string | undefined,
  defaultLimit: number,
): { page: T[]; Truncated: boolean; NextMarker?: string } {
  const result = paginate(
    items,
    limit ?? defaultLimit,
    marker,
    () => new AwsError('InvalidMarkerException', 'Invalid marker'),
  );
  return {
    page: result.page,
    Truncated: result.truncated,
    ...(result.nextMarker ? { NextMarker: result.nextMarker } : {}),
  };
}
