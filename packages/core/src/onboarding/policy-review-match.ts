/**
 * The matching half of the static policy review (policy-review.ts): reading IAM and KMS policy
 * documents in the forms AWS returns them, and deciding which statements apply to a call. What
 * the review cannot evaluate exactly (NotAction, NotResource, NotPrincipal, most conditions) is
 * reported as 'maybe', never assumed harmless: the review fails closed.
 */
import { parseArn } from '../aws/arns.js';
import { TENANT_CONTEXT_KEY } from './policies.js';

export interface Condition {
  operator: string;
  key: string;
  values: string[];
}

export interface Statement {
  /** How messages name it: `statement "Sid"` or `statement #2`, with the policy name for role policies. */
  label: string;
  effect: 'Allow' | 'Deny';
  action: string[] | null;
  notAction: string[] | null;
  resource: string[] | null;
  notResource: string[] | null;
  /** The AWS principals (`*` for `Principal: "*"`); null when the statement has no Principal. */
  principals: string[] | null;
  notPrincipal: boolean;
  conditions: Condition[];
}

export type ParsedPolicy = { ok: true; statements: Statement[] } | { ok: false; reason: string };

class Unreadable extends Error {}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function strings(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) && value.every((item): item is string => typeof item === 'string')
    ? value
    : undefined;
}

/** IAM's GetRole returns the trust policy URL-encoded; other callers pass JSON text or parsed JSON. */
function decode(document: unknown): unknown {
  if (typeof document !== 'string') return document;
  const text = document.trim();
  return JSON.parse(/^%7B/i.test(text) ? decodeURIComponent(text) : text) as unknown;
}

/**
 * Reads a policy document strictly: any malformed statement makes the whole document unreadable,
 * because skipping it could skip a Deny and pass a policy that does not work.
 */
export function parsePolicy(document: unknown, policyName?: string): ParsedPolicy {
  try {
    const parsed = decode(document);
    if (!isRecord(parsed)) throw new Unreadable('it is not a JSON object');
    const raw = parsed.Statement;
    const list = Array.isArray(raw) ? raw : isRecord(raw) ? [raw] : undefined;
    if (list === undefined) throw new Unreadable('it has no Statement');
    return { ok: true, statements: list.map((item, index) => parseStatement(item, index, policyName)) };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

function parseStatement(raw: unknown, index: number, policyName: string | undefined): Statement {
  const where = policyName === undefined ? '' : ` of policy "${policyName}"`;
  if (!isRecord(raw)) throw new Unreadable(`statement #${index + 1}${where} is not an object`);
  const label = `${typeof raw.Sid === 'string' && raw.Sid !== '' ? `statement "${raw.Sid}"` : `statement #${index + 1}`}${where}`;
  if (raw.Effect !== 'Allow' && raw.Effect !== 'Deny')
    throw new Unreadable(`${label} has no Effect "Allow" or "Deny"`);
  const list = (field: string): string[] | null => {
    if (raw[field] === undefined) return null;
    const values = strings(raw[field]);
    if (values === undefined) throw new Unreadable(`${label} has an invalid ${field}`);
    return values;
  };
  const action = list('Action');
  const notAction = list('NotAction');
  if ((action === null) === (notAction === null))
    throw new Unreadable(`${label} needs exactly one of Action and NotAction`);
  const notPrincipal = raw.NotPrincipal !== undefined;
  if (notPrincipal) principalsOf(raw.NotPrincipal, label);
  return {
    label,
    effect: raw.Effect,
    action,
    notAction,
    resource: list('Resource'),
    notResource: list('NotResource'),
    principals: principalsOf(raw.Principal, label),
    notPrincipal,
    conditions: conditionsOf(raw.Condition, label),
  };
}

/** Only AWS principals can be the Service Role or the customer's role; Service and Federated ones never are. */
function principalsOf(value: unknown, label: string): string[] | null {
  if (value === undefined) return null;
  if (value === '*') return ['*'];
  if (!isRecord(value)) throw new Unreadable(`${label} has an invalid Principal`);
  for (const entry of Object.values(value))
    if (strings(entry) === undefined) throw new Unreadable(`${label} has an invalid Principal`);
  return value.AWS === undefined ? [] : strings(value.AWS)!;
}

/** Condition values may be JSON booleans or numbers ("Bool": {"aws:SecureTransport": true}); IAM compares them as strings. */
function conditionsOf(value: unknown, label: string): Condition[] {
  if (value === undefined) return [];
  if (!isRecord(value)) throw new Unreadable(`${label} has an invalid Condition`);
  const scalar = (item: unknown) =>
    typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean';
  return Object.entries(value).flatMap(([operator, block]) => {
    if (!isRecord(block)) throw new Unreadable(`${label} has an invalid Condition`);
    return Object.entries(block).map(([key, raw]) => {
      const items = Array.isArray(raw) ? raw : [raw];
      if (!items.every(scalar)) throw new Unreadable(`${label} has an invalid Condition`);
      return { operator, key, values: items.map(String) };
    });
  });
}

/** IAM wildcards: `*` any run of characters, `?` one character; everything else literal. */
export function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

export type Applies = 'yes' | 'no' | 'maybe';

const covered = (
  list: string[] | null,
  notList: string[] | null,
  match: (pattern: string) => boolean,
): Applies => (list !== null ? (list.some(match) ? 'yes' : 'no') : notList!.some(match) ? 'no' : 'maybe');

/**
 * Whether a statement covers an action (case-insensitive) and, when given, a resource
 * (case-sensitive). NotAction/NotResource that do not exclude the call give 'maybe'. A statement
 * without Resource is invalid in identity and key policies: no grant, but a possible Deny.
 */
export function covers(statement: Statement, action: string, resource?: string): Applies {
  const parts = [
    covered(statement.action, statement.notAction, (pattern) => wildcardMatch(pattern, action, true)),
  ];
  if (resource !== undefined) {
    parts.push(
      statement.resource === null && statement.notResource === null
        ? statement.effect === 'Deny'
          ? 'maybe'
          : 'no'
        : covered(statement.resource, statement.notResource, (pattern) =>
            wildcardMatch(pattern, resource, false),
          ),
    );
  }
  return parts.includes('no') ? 'no' : parts.includes('maybe') ? 'maybe' : 'yes';
}

/** Whether the statement names the account root of `arn`'s account (as the root ARN or the bare account id). */
export function namesAccountOf(statement: Statement, arn: string): boolean {
  const parsed = parseArn(arn);
  if (parsed === undefined || parsed.accountId === '') return false;
  const root = `arn:${parsed.partition}:iam::${parsed.accountId}:root`;
  return (statement.principals ?? []).some((value) => value === root || value === parsed.accountId);
}

/** How a statement's principal relates to one principal: by name, through its account root, anyone, or unknown (NotPrincipal). */
export type Who = 'named' | 'account' | 'anyone' | 'maybe' | 'no';

export function principalMatch(statement: Statement, principalArn: string): Who {
  if (statement.notPrincipal) return 'maybe';
  const values = statement.principals ?? [];
  if (values.includes('*')) return 'anyone';
  if (values.includes(principalArn)) return 'named';
  return namesAccountOf(statement, principalArn) ? 'account' : 'no';
}

export type Restriction = 'none' | 'tenant' | 'wrong-tenant' | 'other';

/**
 * The statement's condition as the data plane meets it. The data plane's calls carry exactly
 * keyward:tenant = tenantId, so the kit's StringEquals on that key is evaluated; a StringEquals on
 * it for other values can never match; anything else is not evaluated ('other').
 */
function tenantRestriction(statement: Statement, tenantId: string): { kind: Restriction; values: string[] } {
  const onTenant = statement.conditions.filter(
    (c) => c.operator === 'StringEquals' && c.key.toLowerCase() === TENANT_CONTEXT_KEY.toLowerCase(),
  );
  const wrong = onTenant.find((c) => !c.values.includes(tenantId));
  if (wrong !== undefined) return { kind: 'wrong-tenant', values: wrong.values };
  if (statement.conditions.length === 0) return { kind: 'none', values: [] };
  const only =
    statement.conditions.length === 1 &&
    onTenant.length === 1 &&
    onTenant[0]!.values.every((v) => v === tenantId);
  return { kind: only ? 'tenant' : 'other', values: onTenant.flatMap((c) => c.values) };
}

/** DescribeKey carries no encryption context, so a condition that requires one is never met for it. */
function requiresEncryptionContext(statement: Statement): boolean {
  return statement.conditions.some(
    (c) =>
      c.key.toLowerCase().startsWith('kms:encryptioncontext') &&
      !c.operator.endsWith('IfExists') &&
      !c.operator.startsWith('ForAllValues:'),
  );
}

export type ExternalIdCheck =
  | { kind: 'exact'; via?: string }
  | { kind: 'any-case'; operators: string[] }
  | { kind: 'broad'; others: string[] }
  | { kind: 'wrong'; values: string[] }
  | { kind: 'missing'; operators: string[] };

const FOR_ANY_VALUE = 'ForAnyValue:';
/** The operators that require sts:ExternalId to be present, without their ForAnyValue: prefix. */
const REQUIRING_OPERATORS = new Set(['StringEquals', 'StringLike', 'StringEqualsIgnoreCase']);

/**
 * The operator as it acts on sts:ExternalId. The key is single-valued, so ForAnyValue:X tests its
 * one value with X, and is false when the request has none (a set operator on an absent key: any
 * value of an empty set is false). It thus requires the External ID exactly as X does, and is
 * reported the same: a pass for the exact value, not a warning, because the finding asks whether
 * the External ID is required, and it is (AWS advises plain operators for single-valued keys, but
 * that changes nothing here). ForAllValues: is the opposite (true for an absent key), so it is
 * left as it is and never requires the key, like the ...IfExists operators.
 */
const baseOperator = (operator: string): string =>
  operator.startsWith(FOR_ANY_VALUE) ? operator.slice(FOR_ANY_VALUE.length) : operator;

/**
 * Whether a trust statement requires this External ID. Only StringEquals, StringLike and
 * StringEqualsIgnoreCase (alone or under ForAnyValue:) require the key to be present (IfExists and
 * ForAllValues: pass a request without it); a StringLike pattern of only `*` accepts any External
 * ID, so it protects nothing. Conditions are ANDed, so one condition that accepts only this ID
 * settles it: exactly ('exact'), or in any casing (StringEqualsIgnoreCase: 'any-case').
 */
export function externalIdCheck(statement: Statement, externalId: string): ExternalIdCheck {
  const onKey = statement.conditions.filter((c) => c.key.toLowerCase() === 'sts:externalid');
  const requiring = onKey.filter(
    (c) =>
      REQUIRING_OPERATORS.has(baseOperator(c.operator)) &&
      !(baseOperator(c.operator) === 'StringLike' && c.values.some((v) => /^\*+$/.test(v))),
  );
  if (requiring.length === 0) return { kind: 'missing', operators: onKey.map((c) => c.operator) };
  const ignoresCase = (c: Condition) => baseOperator(c.operator) === 'StringEqualsIgnoreCase';
  const sameId = (c: Condition, v: string) =>
    ignoresCase(c) ? v.toLowerCase() === externalId.toLowerCase() : v === externalId;
  const accepts = (c: Condition) =>
    c.values.some((v) =>
      baseOperator(c.operator) === 'StringLike' ? wildcardMatch(v, externalId, false) : sameId(c, v),
    );
  const rejecting = requiring.filter((c) => !accepts(c));
  if (rejecting.length > 0) return { kind: 'wrong', values: rejecting.flatMap((c) => c.values) };
  const exact = requiring.filter((c) => !ignoresCase(c) && c.values.every((v) => v === externalId));
  if (exact.length > 0) {
    const plain = exact.find((c) => !c.operator.startsWith(FOR_ANY_VALUE));
    return plain !== undefined ? { kind: 'exact' } : { kind: 'exact', via: exact[0]!.operator };
  }
  const anyCase = requiring.filter((c) => ignoresCase(c) && c.values.every((v) => sameId(c, v)));
  if (anyCase.length > 0)
    return { kind: 'any-case', operators: [...new Set(anyCase.map((c) => c.operator))] };
  return {
    kind: 'broad',
    others: [...new Set(requiring.flatMap((c) => c.values.filter((v) => !sameId(c, v))))],
  };
}

/** A Deny decides only when it surely applies: no condition, and no NotAction/NotResource/NotPrincipal left open. */
export const definite = (statement: Statement, applies: 'yes' | 'maybe', who: Who): boolean =>
  applies === 'yes' && who !== 'maybe' && statement.conditions.length === 0;

export interface Grant {
  label: string;
  who: Who;
}
export interface Access {
  granted: Grant[];
  conditional: Grant[];
  blocked: { label: string; why: 'wrong-tenant' | 'describe-context'; values: string[] }[];
  denies: { label: string; statement: Statement; sure: boolean }[];
}

/**
 * How the statements treat one action on the key for the role: who allows it outright (or under the
 * kit's tenant condition), under a condition not evaluated, not at all because of a condition that
 * can never hold for it, and which Deny statements may refuse it. `who` classifies the principal
 * (identity policies have none: always 'named'). Allows with Not* elements go to `ignored`.
 */
function accessFor(
  statements: Statement[],
  action: string,
  keyArn: string,
  tenantId: string,
  who: (s: Statement) => Who,
  ignored: Set<string>,
): Access {
  const access: Access = { granted: [], conditional: [], blocked: [], denies: [] };
  for (const statement of statements) {
    const applies = covers(statement, action, keyArn);
    const principal = who(statement);
    if (applies === 'no' || principal === 'no') continue;
    if (statement.effect === 'Deny') {
      access.denies.push({
        label: statement.label,
        statement,
        sure: definite(statement, applies, principal),
      });
    } else if (applies === 'maybe' || principal === 'maybe') {
      ignored.add(statement.label);
    } else {
      const restriction = tenantRestriction(statement, tenantId);
      const grant = { label: statement.label, who: principal };
      if (restriction.kind === 'wrong-tenant')
        access.blocked.push({ label: statement.label, why: 'wrong-tenant', values: restriction.values });
      else if (action === 'kms:DescribeKey' && requiresEncryptionContext(statement))
        access.blocked.push({ label: statement.label, why: 'describe-context', values: [] });
      else (restriction.kind === 'other' ? access.conditional : access.granted).push(grant);
    }
  }
  return access;
}

/** The data plane's calls (required) and a CMK switch's re-wrap (optional: the platform can do without). */
export const REQUIRED_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'];
export const OPTIONAL_ACTIONS = ['kms:ReEncryptFrom', 'kms:ReEncryptTo'];

/** accessFor for every required and optional action, with the Allows not counted because of Not* elements. */
export function keyAccess(
  statements: Statement[],
  keyArn: string,
  tenantId: string,
  who: (s: Statement) => Who,
): { accesses: Map<string, Access>; ignored: Set<string> } {
  const ignored = new Set<string>();
  const accesses = new Map(
    [...REQUIRED_ACTIONS, ...OPTIONAL_ACTIONS].map((action) => [
      action,
      accessFor(statements, action, keyArn, tenantId, who, ignored),
    ]),
  );
  return { accesses, ignored };
}

export const allowed = (access: Access): boolean => access.granted.length + access.conditional.length > 0;

export const grantLabels = (accesses: Map<string, Access>, kind: Who): string[] =>
  [...accesses.values()]
    .flatMap((a) => [...a.granted, ...a.conditional])
    .filter((g) => g.who === kind)
    .map((g) => g.label);

/** Groups what `pick` lists for each of `actions` by statement, so a message names each statement once with all its actions. */
export function perStatement<T extends { label: string }>(
  accesses: Map<string, Access>,
  actions: string[],
  pick: (a: Access) => T[],
): { items: T[]; actions: string[] }[] {
  const groups = new Map<string, { items: T[]; actions: string[] }>();
  for (const action of actions) {
    for (const item of pick(accesses.get(action)!)) {
      const group = groups.get(item.label) ?? { items: [], actions: [] };
      group.items.push(item);
      group.actions.push(action);
      groups.set(item.label, group);
    }
  }
  return [...groups.values()];
}
