import type { Caller, PrincipalMatch } from './caller.js';
import { conditionsMatch } from './conditions.js';
import type { RequestContext } from './context.js';
import type { Policy, PrincipalSpec, Statement } from './types.js';
import { substituteVariables, wildcardMatch } from './wildcard.js';
import { accountRootArn } from '../arn.js';

export interface EvaluationRequest {
  caller: Caller;
  /** e.g. "kms:Decrypt" */
  action: string;
  /** The resource ARN, or "*" for actions on no particular resource. */
  resource: string;
  context: RequestContext;
}

export interface PolicyResult {
  /** An explicit Deny statement applied. */
  denied: boolean;
  /** The strongest way an Allow statement applied, if any (identity policies: "direct"). */
  allowed?: PrincipalMatch;
}

/** Evaluates one policy; `resourcePolicy` decides whether Principal elements are checked. */
export function evaluatePolicy(
  policy: Policy,
  request: EvaluationRequest,
  resourcePolicy: boolean,
): PolicyResult {
  const result: PolicyResult = { denied: false };
  for (const statement of policy.statements) {
    const match = resourcePolicy ? statementPrincipalMatch(statement, request.caller) : 'direct';
    if (!match || !actionMatches(statement, request.action) || !resourceMatches(statement, request)) continue;
    if (!conditionsMatch(statement.condition, request.context)) continue;
    if (statement.effect === 'Deny') result.denied = true;
    else result.allowed = strongest(result.allowed, match);
  }
  return result;
}

const RANK: Record<PrincipalMatch, number> = { account: 1, direct: 2, session: 3 };

function strongest(current: PrincipalMatch | undefined, next: PrincipalMatch): PrincipalMatch {
  return current === undefined || RANK[next] > RANK[current] ? next : current;
}

function actionMatches(statement: Statement, action: string): boolean {
  if (statement.action) return statement.action.some((pattern) => wildcardMatch(pattern, action, true));
  return !statement.notAction!.some((pattern) => wildcardMatch(pattern, action, true));
}

function resourceMatches(statement: Statement, request: EvaluationRequest): boolean {
  const lookup = (key: string) => request.context.get(key);
  const matches = (pattern: string) => {
    const expanded = substituteVariables(pattern, lookup);
    return expanded !== undefined && wildcardMatch(expanded, request.resource);
  };
  if (statement.resource) return statement.resource.some(matches);
  if (statement.notResource) return !statement.notResource.some(matches);
  /* A trust policy has no Resource: the role it is attached to is the resource. */
  return true;
}

function statementPrincipalMatch(statement: Statement, caller: Caller): PrincipalMatch | undefined {
  if (statement.principal) return principalMatch(statement.principal, caller);
  if (statement.notPrincipal)
    return notPrincipalExempts(statement.notPrincipal, caller) ? undefined : 'direct';
  return undefined;
}

/**
 * NotPrincipal spares a caller only when every principal AWS evaluates for it is listed: its
 * account and itself, and for a role session also the role (IAM guide, NotPrincipal examples).
 * Listing the account root alone does not spare the account's other users and roles.
 */
function notPrincipalExempts(spec: PrincipalSpec, caller: Caller): boolean {
  if (spec.any) return true;
  const listed = (entry: string) => spec.aws.includes(entry);
  if (!listed(caller.account) && !listed(accountRootArn(caller.partition, caller.account))) return false;
  return listed(caller.principalArn) && (caller.kind === 'user' || listed(caller.arn));
}

/**
 * How a Principal element names the caller: its own session ARN, its user or role ARN, or
 * (weakest) its account, which only delegates the decision to that account's IAM policies.
 */
export function principalMatch(spec: PrincipalSpec, caller: Caller): PrincipalMatch | undefined {
  let best: PrincipalMatch | undefined;
  if (spec.any) best = 'direct';
  for (const entry of spec.aws) {
    if (entry === caller.account || entry === accountRootArn(caller.partition, caller.account))
      best = strongest(best, 'account');
    else if (entry === caller.principalArn) best = strongest(best, 'direct');
    else if (caller.kind === 'assumed-role' && entry === caller.arn) best = strongest(best, 'session');
  }
  return best;
}
