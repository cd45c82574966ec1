import type { QueryHandler } from '../protocol/query-handler.js';
import { assumeRole } from './ops/assume-role.js';
import { getCallerIdentity } from './ops/get-caller-identity.js';

/** STS operations by their `Action` name. */
export const STS_OPERATIONS: Readonly<Record<string, QueryHandler>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
