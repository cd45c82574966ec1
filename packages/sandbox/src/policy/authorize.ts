import type { Caller } from './caller.js';
import type { RequestContext } from './context.js';
import { evaluatePolicy, type EvaluationRequest } from './evaluate.js';
import type { Policy } from './types.js';

export type DenialReason =
  | 'explicit-deny-identity'
  | 'explicit-deny-resource'
  | 'explicit-deny-session'
  | 'no-identity'
  | 'no-resource'
  | 'no-session';

export type Decision = { allowed: true } | { allowed: false; reason: DenialReason };

export interface AuthorizationRequest {
  caller: Caller;
  action: string;
  resource: string;
  context: RequestContext;
  /** The caller's identity policies (user or role: inline and attached). */
  identityPolicies: Policy[];
  /**
   * The resource's own policy (a KMS key policy or a role trust policy) and the account that
   * owns the resource. When present, the resource policy must allow: as in KMS and STS, there is
   * no access without it.
   */
  resourcePolicy?: { policy: Policy; account: string };
}

/**
 * AWS's evaluation logic, for the policy types the sandbox has:
 * 1. an explicit Deny in any policy denies;
 * 2. a resource-policy Allow naming the caller's principal ARN suffices within one account;
 *    one naming the caller's account delegates to the account's identity policies;
 * 3. across accounts, the resource policy and an identity policy must both allow;
 * 4. a session policy (AssumeRole's Policy) further limits what the identity policies grant.
 */
export function authorize(request: AuthorizationRequest): Decision {
  const evaluation: EvaluationRequest = {
    caller: request.caller,
    action: request.action,
    resource: request.resource,
    context: request.context,
  };
  const identity = request.identityPolicies.map((policy) => evaluatePolicy(policy, evaluation, false));
  const identityAllowed = identity.some((result) => result.allowed !== undefined);
  const session = evaluateSessionPolicies(request.caller.sessionPolicies, evaluation);
  const resource = request.resourcePolicy
    ? evaluatePolicy(request.resourcePolicy.policy, evaluation, true)
    : undefined;

  if (identity.some((result) => result.denied)) return deny('explicit-deny-identity');
  if (resource?.denied) return deny('explicit-deny-resource');
  if (session?.denied) return deny('explicit-deny-session');

  if (!request.resourcePolicy || !resource) {
    if (!identityAllowed) return deny('no-identity');
    return session && session.allowed === undefined ? deny('no-session') : { allowed: true };
  }

  const sameAccount = request.resourcePolicy.account === request.caller.account;
  if (resource.allowed === undefined) return deny('no-resource');
  /* A resource policy that names the session itself is not limited by the session policy. */
  if (resource.allowed === 'session' && sameAccount) return { allowed: true };
  if (sameAccount && resource.allowed === 'direct') {
    return session && session.allowed === undefined ? deny('no-session') : { allowed: true };
  }
  if (!identityAllowed) return deny('no-identity');
  return session && session.allowed === undefined ? deny('no-session') : { allowed: true };
}

/** Session policies act as one boundary: any of them may allow; an explicit Deny in any denies. */
function evaluateSessionPolicies(
  policies: Policy[] | undefined,
  evaluation: EvaluationRequest,
): { denied: boolean; allowed?: string } | undefined {
  if (!policies || policies.length === 0) return undefined;
  const results = policies.map((policy) => evaluatePolicy(policy, evaluation, false));
  return {
    denied: results.some((result) => result.denied),
    allowed: results.find((result) => result.allowed)?.allowed,
  };
}

const deny = (reason: DenialReason): Decision => ({ allowed: false, reason });

/** AWS's wording: "User: <arn> is not authorized to perform: <action> on resource: <arn> because …". */
export function denialMessage(
  callerArn: string,
  action: string,
  resource: string,
  reason: DenialReason,
  withReason = true,
): string {
  const base = `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (!withReason) return base;
  return `${base} ${REASON_TEXT[reason](action)}`;
}

const REASON_TEXT: Record<DenialReason, (action: string) => string> = {
  'explicit-deny-identity': () => 'with an explicit deny in an identity-based policy',
  'explicit-deny-resource': () => 'with an explicit deny in a resource-based policy',
  'explicit-deny-session': () => 'with an explicit deny in a session policy',
  'no-identity': (action) => `because no identity-based policy allows the ${action} action`,
  'no-resource': (action) => `because no resource-based policy allows the ${action} action`,
  'no-session': (action) => `because no session policy allows the ${action} action`,
};
