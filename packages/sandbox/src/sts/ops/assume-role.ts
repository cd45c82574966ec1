import { assumedRoleArn } from '../../arn.js';
import { newSecretAccessKey, newSessionAccessKeyId, newSessionToken } from '../../ids.js';
import type { OperationContext } from '../../operation-context.js';
import { denialMessage } from '../../policy/authorize.js';
import { parsePolicy, PolicyDocumentError } from '../../policy/parse-policy.js';
import { storedPolicy } from '../../policy/policy-cache.js';
import { AwsError } from '../../protocol/aws-error.js';
import type { QueryHandler } from '../../query-handler.js';
import type { RoleState, SessionState } from '../../state/types.js';
import { readAssumeRoleRequest, type AssumeRoleRequest } from '../assume-role-input.js';

/** Role chaining (a role session assuming a role) is capped at one hour, whatever the role allows. */
const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_SECONDS = 3600;

export const assumeRole: QueryHandler = async (context, input) => {
  const request = readAssumeRoleRequest(input);
  await context.touch({ account: request.roleAccount, resource: request.roleArn });
  const sessionPolicies = readSessionPolicies(context, request);
  const role = context.store.role(request.roleAccount, request.roleName);
  authorizeAssumeRole(context, request, role);
  const duration = checkDuration(context, request, role!);

  const now = context.now();
  const session: SessionState = {
    accessKeyId: newSessionAccessKeyId(),
    secret: newSecretAccessKey(),
    token: newSessionToken(),
    account: request.roleAccount,
    roleName: role!.name,
    roleArn: role!.arn,
    roleId: role!.roleId,
    sessionName: request.sessionName,
    issuedAt: now,
    expiresAt: now + duration * 1000,
    sourceIdentity: context.caller.sourceIdentity ?? request.sourceIdentity,
    tags: request.tags,
    sessionPolicies,
    chained: context.caller.kind === 'assumed-role',
  };
  context.store.data.sessions[session.accessKeyId] = session;
  context.store.commit();
  return {
    AssumedRoleUser: {
      Arn: assumedRoleArn('aws', session.account, session.roleName, session.sessionName),
      AssumedRoleId: `${session.roleId}:${session.sessionName}`,
    },
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secret,
      SessionToken: session.token,
      Expiration: new Date(session.expiresAt),
    },
    ...(sessionPolicies || request.tags.length > 0 ? { PackedPolicySize: packedPolicySize(request) } : {}),
    ...(session.sourceIdentity ? { SourceIdentity: session.sourceIdentity } : {}),
  };
};

/**
 * The trust policy (and, across accounts, the caller's identity policies) must allow
 * sts:AssumeRole, plus sts:SetSourceIdentity and sts:TagSession when those are used. A role that
 * does not exist is indistinguishable from one that does not trust the caller, as in AWS.
 */
function authorizeAssumeRole(
  context: OperationContext,
  request: AssumeRoleRequest,
  role: RoleState | undefined,
): void {
  const conditions = context
    .conditionContext()
    .set('sts:ExternalId', request.externalId)
    .set('sts:RoleSessionName', request.sessionName)
    .set('sts:SourceIdentity', request.sourceIdentity);
  for (const tag of request.tags) conditions.set(`aws:RequestTag/${tag.key}`, tag.value);
  if (request.tags.length > 0)
    conditions.setMulti(
      'aws:TagKeys',
      request.tags.map((tag) => tag.key),
    );
  if (request.transitiveTagKeys.length > 0)
    conditions.setMulti('sts:TransitiveTagKeys', request.transitiveTagKeys);

  if (!role || role.arn !== request.roleArn) {
    throw new AwsError(
      'AccessDenied',
      denialMessage(context.caller.arn, 'sts:AssumeRole', request.roleArn, 'no-resource', false),
      { status: 403 },
    );
  }
  const resourcePolicy = { policy: storedPolicy(role.trustPolicy, 'trust'), account: request.roleAccount };
  const actions = ['sts:AssumeRole'];
  if (request.sourceIdentity !== undefined) actions.push('sts:SetSourceIdentity');
  if (request.tags.length > 0) actions.push('sts:TagSession');
  for (const action of actions)
    context.require({ action, resource: role.arn, context: conditions, resourcePolicy });
  if (
    context.caller.sourceIdentity &&
    request.sourceIdentity !== undefined &&
    request.sourceIdentity !== context.caller.sourceIdentity
  ) {
    throw new AwsError(
      'AccessDenied',
      denialMessage(context.caller.arn, 'sts:SetSourceIdentity', role.arn, 'no-resource', false),
      { status: 403 },
    );
  }
}

function checkDuration(context: OperationContext, request: AssumeRoleRequest, role: RoleState): number {
  const duration = request.durationSeconds ?? DEFAULT_SECONDS;
  if (context.caller.kind === 'assumed-role' && duration > CHAINED_MAX_SECONDS) {
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
    );
  }
  if (duration > role.maxSessionDuration)
    throw new AwsError(
      'ValidationError',
      'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
    );
  return duration;
}

/** The inline session policy and the documents of PolicyArns, which together bound the session. */
function readSessionPolicies(context: OperationContext, request: AssumeRoleRequest): string[] | undefined {
  const texts: string[] = [];
  if (request.policy !== undefined) {
    try {
      parsePolicy(request.policy, 'session');
    } catch (error) {
      if (error instanceof PolicyDocumentError) throw new AwsError('MalformedPolicyDocument', error.message);
      throw error;
    }
    texts.push(request.policy);
  }
  for (const arn of request.policyArns) {
    const managed = context.store.managedPolicy(arn);
    if (!managed)
      throw new AwsError('InvalidParameterValue', `Policy ${arn} does not exist or is not attachable.`);
    texts.push(managed.document);
  }
  return texts.length > 0 ? texts : undefined;
}

/** AWS reports how full the packed session policy and tags are, as a percentage of the limit. */
function packedPolicySize(request: AssumeRoleRequest): number {
  const size =
    (request.policy?.length ?? 0) +
    request.policyArns.join('').length +
    request.tags.reduce((sum, tag) => sum + tag.key.length + tag.value.length, 0);
  return Math.max(1, Math.ceil((size / 2048) * 100));
}
