import { describe, expect, it } from 'vitest';
import type { BaseOperator } from './condition-operators.js';
import { comparePositive } from './compare.js';

/**
 * The positive comparison behind each operator: negated operators compare like their positive
 * twin (the caller negates), with the policy value first and the request value second.
 */
describe('comparePositive', () => {
  it.each<[BaseOperator, string, string, boolean]>([
    ['StringEquals', 'abc', 'abc', true],
    ['StringNotEquals', 'abc', 'abc', true],
    ['StringNotEquals', 'abc', 'abd', false],
    ['StringEqualsIgnoreCase', 'ABC', 'abc', true],
    ['StringNotEqualsIgnoreCase', 'ABC', 'abc', true],
    ['StringLike', 'a*', 'abc', true],
    ['StringNotLike', 'a*', 'abc', true],
    ['StringNotLike', 'b*', 'abc', false],
    ['ArnNotEquals', 'arn:aws:iam::1:role/x', 'arn:aws:iam::1:role/x', true],
    ['NumericNotEquals', '5', '5', true],
    ['NumericNotEquals', '5', '6', false],
    ['DateNotEquals', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z', true],
    // ordered comparisons read "request <op> policy"
    ['NumericLessThan', '10', '9', true],
    ['NumericLessThan', '9', '10', false],
    ['NumericGreaterThan', '9', '10', true],
    ['NumericLessThanEquals', '-1.5', '-1.5', true],
    ['NumericGreaterThanEquals', '0', '-0', true],
    ['DateLessThan', '2024-01-02', '2024-01-01', true],
    ['DateGreaterThan', '2024-01-02', '2024-01-01', false],
    ['DateEquals', '0', '1970-01-01T00:00:00Z', true],
    ['DateEquals', '1700000000', '2023-11-14T22:13:20Z', true],
    ['NotIpAddress', '10.0.0.0/8', '10.1.2.3', true],
    ['IpAddress', '10.0.0.0/8', '11.0.0.0', false],
    ['IpAddress', '10.0.0.0/abc', '10.0.0.1', false],
    ['IpAddress', '10.0.0/8', '10.0.0.1', false],
    ['Bool', 'FALSE', 'false', true],
    ['Null', 'true', 'true', false],
  ])('%s(policy %j, request %j) → %s', (base, policyValue, requestValue, expected) => {
    expect(comparePositive(base, policyValue, requestValue)).toBe(expected);
  });
});
