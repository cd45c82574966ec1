import type { ManagedPolicyState, RoleState, Tag } from '../state/types.js';
import type { SandboxStore } from '../state/store.js';
import type { XmlValue } from '../protocol/xml.js';
import { encodePolicyDocument } from './policy-documents.js';

const tagsXml = (tags: Tag[]): XmlValue =>
  tags.length > 0 ? tags.map((tag) => ({ Key: tag.key, Value: tag.value })) : undefined;

/** The Role structure, with its trust policy URL-encoded as IAM returns it. */
export function roleXml(role: RoleState): XmlValue {
  return {
    Path: role.path,
    RoleName: role.name,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: new Date(role.createDate),
    AssumeRolePolicyDocument: encodePolicyDocument(role.trustPolicy),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    Tags: tagsXml(role.tags),
  };
}

export function managedPolicyXml(store: SandboxStore, policy: ManagedPolicyState): XmlValue {
  return {
    PolicyName: policy.name,
    PolicyId: policy.policyId,
    Arn: policy.arn,
    Path: policy.path,
    DefaultVersionId: 'v1',
    AttachmentCount: store.attachmentCount(policy.arn),
    PermissionsBoundaryUsageCount: 0,
    IsAttachable: true,
    Description: policy.description,
    CreateDate: new Date(policy.createDate),
    UpdateDate: new Date(policy.updateDate),
  };
}
