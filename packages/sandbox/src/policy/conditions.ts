import { isNegated, parseOperator, type ParsedOperator } from './condition-operators.js';
import { comparePositive } from './compare.js';
import type { RequestContext } from './context.js';
import type { ConditionBlock } from './types.js';
import { substituteVariables } from './wildcard.js';

/**
 * A Condition element matches when every operator matches; an operator matches when every
 * key under it matches; a key matches when any of its policy values matches (OR), following
 * IAM's documented rules for absent keys, negated operators, IfExists and the set qualifiers.
 */
export function conditionsMatch(block: ConditionBlock, context: RequestContext): boolean {
  for (const [operatorText, keys] of Object.entries(block)) {
    const operator = parseOperator(operatorText);
    /* Precondition: policies are validated when stored, so an unknown operator never matches. */
    if (!operator) return false;
    for (const [key, policyValues] of Object.entries(keys)) {
      if (!keyMatches(operator, key, policyValues, context)) return false;
    }
  }
  return true;
}

function keyMatches(
  operator: ParsedOperator,
  key: string,
  policyValues: string[],
  context: RequestContext,
): boolean {
  const requestValues = context.get(key);
  const present = requestValues !== undefined && requestValues.length > 0;
  if (operator.base === 'Null') {
    return policyValues.some((value) => (value.toLowerCase() === 'true' ? !present : present));
  }
  if (!present) return absentKeyResult(operator);

  const lookup = (name: string) => context.get(name);
  const expanded = policyValues
    .map((value) => substituteVariables(value, lookup))
    .filter((value): value is string => value !== undefined);
  const matchesAny = (requestValue: string) =>
    expanded.some((policyValue) => comparePositive(operator.base, policyValue, requestValue));
  const negated = isNegated(operator.base);

  if (operator.set === 'ForAllValues') {
    return requestValues.every((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  }
  if (operator.set === 'ForAnyValue') {
    return requestValues.some((value) => (negated ? !matchesAny(value) : matchesAny(value)));
  }
  const anyMatch = requestValues.some(matchesAny);
  return negated ? !anyMatch : anyMatch;
}

/**
 * A key missing from the request: IfExists and ForAllValues match (nothing to contradict them),
 * negated operators match (the value is not equal to anything), everything else does not.
 */
function absentKeyResult(operator: ParsedOperator): boolean {
  if (operator.ifExists) return true;
  if (operator.set === 'ForAllValues') return true;
  if (operator.set === 'ForAnyValue') return false;
  return isNegated(operator.base);
}
