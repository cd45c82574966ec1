/** The condition operators the sandbox evaluates; anything else in a policy is malformed. */
export const BASE_OPERATORS = [
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'NumericEquals',
  'NumericNotEquals',
  'NumericLessThan',
  'NumericLessThanEquals',
  'NumericGreaterThan',
  'NumericGreaterThanEquals',
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'Bool',
  'BinaryEquals',
  'IpAddress',
  'NotIpAddress',
  'ArnEquals',
  'ArnNotEquals',
  'ArnLike',
  'ArnNotLike',
  'Null',
] as const;

export type BaseOperator = (typeof BASE_OPERATORS)[number];

export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: BaseOperator;
  ifExists: boolean;
}

const BASE_BY_LOWER = new Map<string, BaseOperator>(BASE_OPERATORS.map((name) => [name.toLowerCase(), name]));

/** Parses "ForAllValues:StringLikeIfExists" into its parts; undefined when it is not an operator. */
export function parseOperator(text: string): ParsedOperator | undefined {
  let rest = text;
  let set: ParsedOperator['set'];
  const colon = rest.indexOf(':');
  if (colon >= 0) {
    const qualifier = rest.slice(0, colon).toLowerCase();
    if (qualifier === 'foranyvalue') set = 'ForAnyValue';
    else if (qualifier === 'forallvalues') set = 'ForAllValues';
    else return undefined;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists') && rest.toLowerCase() !== 'null') {
    ifExists = true;
    rest = rest.slice(0, -'IfExists'.length);
  }
  const base = BASE_BY_LOWER.get(rest.toLowerCase());
  /* Precondition: Null takes no IfExists suffix (it is itself an existence test). */
  if (!base || (base === 'Null' && ifExists)) return undefined;
  return { set, base, ifExists };
}

/** Negated operators match when no value matches, including when the key is absent. */
export function isNegated(base: BaseOperator): boolean {
  return /Not(Equals|Like|EqualsIgnoreCase|IpAddress)$/.test(base) || base === 'NotIpAddress';
}
