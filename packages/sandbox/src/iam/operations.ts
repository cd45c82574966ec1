import type { IamOperationName } from '../operation-names.js';
import type { QueryHandler } from '../query-handler.js';
import { attachRolePolicy } from './ops/attach-role-policy.js';
import { createPolicy } from './ops/create-policy.js';
import { createRole } from './ops/create-role.js';
import { deleteRole } from './ops/delete-role.js';
import { deleteRolePolicy } from './ops/delete-role-policy.js';
import { detachRolePolicy } from './ops/detach-role-policy.js';
import { getPolicy } from './ops/get-policy.js';
import { getPolicyVersion } from './ops/get-policy-version.js';
import { getRole } from './ops/get-role.js';
import { getRolePolicy } from './ops/get-role-policy.js';
import { listAttachedRolePolicies } from './ops/list-attached-role-policies.js';
import { listRolePolicies } from './ops/list-role-policies.js';
import { putRolePolicy } from './ops/put-role-policy.js';
import { updateAssumeRolePolicy } from './ops/update-assume-role-policy.js';

/** IAM operations by their `Action` name, keyed by the names in `operation-names.ts` (checked both ways). */
export const IAM_OPERATIONS: Readonly<Record<IamOperationName, QueryHandler>> = {
  CreateRole: createRole,
  GetRole: getRole,
  DeleteRole: deleteRole,
  UpdateAssumeRolePolicy: updateAssumeRolePolicy,
  PutRolePolicy: putRolePolicy,
  GetRolePolicy: getRolePolicy,
  DeleteRolePolicy: deleteRolePolicy,
  ListRolePolicies: listRolePolicies,
  CreatePolicy: createPolicy,
  GetPolicy: getPolicy,
  GetPolicyVersion: getPolicyVersion,
  AttachRolePolicy: attachRolePolicy,
  DetachRolePolicy: detachRolePolicy,
  ListAttachedRolePolicies: listAttachedRolePolicies,
};
