import { parseOperator } from './condition-operators.js';
import type { ConditionBlock, Policy, PolicyKind, PrincipalSpec, Statement } from './types.js';

/**
 * Parses and validates a policy document the way IAM and KMS do before storing it.
 * The `reason` is stable; each service turns it into its own error code and wording.
 */
export type PolicyProblem =
  | 'syntax'
  | 'version'
  | 'statement'
  | 'effect'
  | 'action-missing'
  | 'action-vendor'
  | 'resource-missing'
  | 'resource-format'
  | 'principal-forbidden'
  | 'principal-missing'
  | 'principal-format'
  | 'resource-forbidden'
  | 'condition-operator'
  | 'unknown-field'
  | 'duplicate-sid';

export class PolicyDocumentError extends Error {
  constructor(
    readonly problem: PolicyProblem,
    message: string,
  ) {
    super(message);
    this.name = 'PolicyDocumentError';
  }
}

const STATEMENT_FIELDS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION_PATTERN = /^(\*|[a-zA-Z0-9-]+:[a-zA-Z0-9*?]+)$/;

const fail = (problem: PolicyProblem, message: string): never => {
  throw new PolicyDocumentError(problem, message);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export interface ParseOptions {
  /** Managed policies (CreatePolicy) must say Version 2012-10-17. */
  managed?: boolean;
}

/** Each service words an unparseable document differently. */
const INVALID_JSON: Record<PolicyKind, string> = {
  identity: 'Syntax errors in policy.',
  session: 'Syntax errors in policy.',
  trust: 'This policy contains invalid Json',
  key: 'The policy document is not valid JSON.',
};

export function parsePolicy(text: string, kind: PolicyKind, options: ParseOptions = {}): Policy {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail('syntax', INVALID_JSON[kind]);
  }
  if (!isRecord(raw)) return fail('syntax', 'Syntax errors in policy.');
  for (const field of Object.keys(raw)) {
    if (!['Version', 'Id', 'Statement'].includes(field)) fail('unknown-field', 'Syntax errors in policy.');
  }
  const version = raw.Version;
  if (version !== undefined && version !== '2012-10-17' && version !== '2008-10-17')
    fail('version', 'Syntax errors in policy.');
  if (options.managed && version !== '2012-10-17')
    fail('version', 'Policy document must be version 2012-10-17 or greater.');
  const statementsRaw = Array.isArray(raw.Statement)
    ? raw.Statement
    : raw.Statement === undefined
      ? undefined
      : [raw.Statement];
  if (!statementsRaw || statementsRaw.length === 0) return fail('statement', 'Syntax errors in policy.');
  const statements = statementsRaw.map((statement) => parseStatement(statement, kind));
  const sids = statements.map((statement) => statement.sid).filter((sid): sid is string => sid !== undefined);
  if (kind !== 'key' && new Set(sids).size !== sids.length)
    fail('duplicate-sid', 'Statement IDs (SID) in a single policy must be unique.');
  return {
    version: typeof version === 'string' ? version : undefined,
    id: typeof raw.Id === 'string' ? raw.Id : undefined,
    statements,
  };
}

function parseStatement(raw: unknown, kind: PolicyKind): Statement {
  if (!isRecord(raw)) return fail('syntax', 'Syntax errors in policy.');
  for (const field of Object.keys(raw))
    if (!STATEMENT_FIELDS.has(field)) fail('unknown-field', 'Syntax errors in policy.');
  if (raw.Sid !== undefined && typeof raw.Sid !== 'string') fail('syntax', 'Syntax errors in policy.');
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny') fail('effect', 'Syntax errors in policy.');
  const statement: Statement = {
    sid: raw.Sid as string | undefined,
    effect: raw.Effect as Statement['effect'],
    condition: parseCondition(raw.Condition),
  };
  parseActions(raw, statement, kind);
  parseResources(raw, statement, kind);
  parsePrincipals(raw, statement, kind);
  return statement;
}

function stringList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || !list.every((item) => typeof item === 'string'))
    fail('syntax', 'Syntax errors in policy.');
  return list as string[];
}

function parseActions(raw: Record<string, unknown>, statement: Statement, kind: PolicyKind): void {
  if (raw.Action !== undefined && raw.NotAction !== undefined) fail('syntax', 'Syntax errors in policy.');
  if (raw.Action === undefined && raw.NotAction === undefined)
    fail('action-missing', 'Policy statement must contain actions.');
  const actions = stringList(raw.Action ?? raw.NotAction);
  for (const action of actions) {
    if (action.split(':').length > 2) fail('action-vendor', 'Actions/Condition can contain only one colon.');
    if (!ACTION_PATTERN.test(action))
      fail('action-vendor', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }
  if (kind === 'trust' && !actions.every((action) => action.toLowerCase().startsWith('sts:'))) {
    fail('action-vendor', 'AssumeRole policy may only specify STS AssumeRole actions.');
  }
  if (raw.Action !== undefined) statement.action = actions;
  else statement.notAction = actions;
}

function parseResources(raw: Record<string, unknown>, statement: Statement, kind: PolicyKind): void {
  const given = raw.Resource ?? raw.NotResource;
  if (raw.Resource !== undefined && raw.NotResource !== undefined) fail('syntax', 'Syntax errors in policy.');
  if (kind === 'trust') {
    if (given !== undefined) fail('resource-forbidden', 'Has prohibited field Resource');
    return;
  }
  if (given === undefined) {
    if (kind === 'identity' || kind === 'session')
      fail('resource-missing', 'Policy statement must contain resources.');
    return;
  }
  const resources = stringList(given);
  for (const resource of resources) {
    if (resource !== '*' && !resource.startsWith('arn:'))
      fail('resource-format', `Resource ${resource} must be in ARN format or "*".`);
  }
  if (raw.Resource !== undefined) statement.resource = resources;
  else statement.notResource = resources;
}

function parsePrincipals(raw: Record<string, unknown>, statement: Statement, kind: PolicyKind): void {
  const given = raw.Principal ?? raw.NotPrincipal;
  if (kind === 'identity' || kind === 'session') {
    if (given !== undefined) fail('principal-forbidden', 'Policy document should not specify a principal.');
    return;
  }
  if (raw.Principal !== undefined && raw.NotPrincipal !== undefined)
    fail('syntax', 'Syntax errors in policy.');
  if (given === undefined) return fail('principal-missing', MISSING_PRINCIPAL[kind]);
  if (kind === 'trust' && given === '*')
    fail('principal-format', 'AssumeRolepolicy contained an invalid principal: "STAR":"*".');
  const spec = parsePrincipalSpec(given);
  if (raw.Principal !== undefined) statement.principal = spec;
  else statement.notPrincipal = spec;
}

const MISSING_PRINCIPAL: Record<PolicyKind, string> = {
  identity: '',
  session: '',
  trust:
    'Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!',
  key: 'Policy contains a statement with one or more invalid principals.',
};

export function parsePrincipalSpec(value: unknown): PrincipalSpec {
  const spec: PrincipalSpec = { any: false, aws: [], service: [], federated: [] };
  if (value === '*') return { ...spec, any: true };
  if (!isRecord(value) || Object.keys(value).length === 0)
    return fail('principal-format', 'Syntax errors in policy.');
  for (const [type, entries] of Object.entries(value)) {
    const list = stringList(entries);
    if (type === 'AWS') {
      for (const entry of list) {
        if (entry === '*') spec.any = true;
        else spec.aws.push(entry);
      }
    } else if (type === 'Service') spec.service.push(...list);
    else if (type === 'Federated') spec.federated.push(...list);
    else if (type !== 'CanonicalUser') fail('principal-format', 'Syntax errors in policy.');
  }
  return spec;
}

function parseCondition(value: unknown): ConditionBlock {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail('syntax', 'Syntax errors in policy.');
  const block: ConditionBlock = {};
  for (const [operator, entries] of Object.entries(value)) {
    if (!parseOperator(operator)) fail('condition-operator', 'Syntax errors in policy.');
    if (!isRecord(entries)) fail('syntax', 'Syntax errors in policy.');
    const keys: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      if (!key.includes(':'))
        fail('action-vendor', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      const list = Array.isArray(values) ? values : [values];
      if (!list.every((item) => ['string', 'number', 'boolean'].includes(typeof item)))
        fail('syntax', 'Syntax errors in policy.');
      keys[key] = list.map((item) => String(item));
    }
    block[operator] = keys;
  }
  return block;
}
