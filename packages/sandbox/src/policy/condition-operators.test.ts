import { describe, expect, it } from 'vitest';
import { BASE_OPERATORS, isNegated, parseOperator } from './condition-operators.js';

describe('parseOperator', () => {
  it.each([
    ['StringEquals', { set: undefined, base: 'StringEquals', ifExists: false }],
    ['StringEqualsIfExists', { set: undefined, base: 'StringEquals', ifExists: true }],
    ['ForAnyValue:StringLike', { set: 'ForAnyValue', base: 'StringLike', ifExists: false }],
    ['ForAllValues:StringLikeIfExists', { set: 'ForAllValues', base: 'StringLike', ifExists: true }],
    ['forallvalues:stringnotequals', { set: 'ForAllValues', base: 'StringNotEquals', ifExists: false }],
    ['NumericLessThanEqualsIfExists', { set: undefined, base: 'NumericLessThanEquals', ifExists: true }],
    ['NotIpAddress', { set: undefined, base: 'NotIpAddress', ifExists: false }],
    ['Null', { set: undefined, base: 'Null', ifExists: false }],
    ['ArnNotLikeIfExists', { set: undefined, base: 'ArnNotLike', ifExists: true }],
  ])('%s', (text, expected) => {
    expect(parseOperator(text)).toEqual(expected);
  });

  it.each([
    'StringMatches',
    'NullIfExists',
    'ForSomeValues:StringEquals',
    'ForAnyValue:',
    'IfExists',
    'ForAnyValue:ForAllValues:StringEquals',
    'StringEqualsIfExistsIfExists',
    '',
  ])('%j is not an operator', (text) => {
    expect(parseOperator(text)).toBeUndefined();
  });

  it('knows every base operator, with and without IfExists (except Null)', () => {
    for (const base of BASE_OPERATORS) {
      expect(parseOperator(base)?.base).toBe(base);
      expect(parseOperator(`${base}IfExists`)?.ifExists ?? 'refused').toBe(
        base === 'Null' ? 'refused' : true,
      );
    }
  });
});

describe('isNegated', () => {
  const negated = [
    'StringNotEquals',
    'StringNotEqualsIgnoreCase',
    'StringNotLike',
    'NumericNotEquals',
    'DateNotEquals',
    'NotIpAddress',
    'ArnNotEquals',
    'ArnNotLike',
  ];

  it.each(BASE_OPERATORS.map((base) => [base, negated.includes(base)] as const))(
    '%s → %s',
    (base, expected) => {
      expect(isNegated(base)).toBe(expected);
    },
  );
});
