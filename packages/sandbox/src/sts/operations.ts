import type { StsOperationName } from '../operation-names.js';
import type { QueryHandler } from '../query-handler.js';
import { assumeRole } from './ops/assume-role.js';
import { getCallerIdentity } from './ops/get-caller-identity.js';

/** STS operations by their `Action` name, keyed by the names in `operation-names.ts` (checked both ways). */
export const STS_OPERATIONS: Readonly<Record<StsOperationName, QueryHandler>> = {
  AssumeRole: assumeRole,
  GetCallerIdentity: getCallerIdentity,
};
