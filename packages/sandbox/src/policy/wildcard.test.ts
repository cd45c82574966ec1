import { describe, expect, it } from 'vitest';
import { arnMatch, substituteVariables, wildcardMatch } from './wildcard.js';

describe('wildcardMatch', () => {
  it.each([
    // pattern, value, ignoreCase, expected
    ['*', '', false, true],
    ['*', 'anything:at/all', false, true],
    ['kms:Decrypt', 'kms:Decrypt', false, true],
    ['kms:Decrypt', 'kms:decrypt', false, false],
    ['kms:*', 'kms:GenerateDataKeyWithoutPlaintext', false, true],
    ['kms:*', 'sts:AssumeRole', false, false],
    ['kms:Generate*', 'kms:GenerateDataKey', false, true],
    ['kms:Generate*', 'kms:Generate', false, true],
    ['kms:ReEncrypt*', 'kms:ReEncryptFrom', false, true],
    ['kms:ReEncrypt*', 'kms:Encrypt', false, false],
    ['*Key', 'kms:DescribeKey', false, true],
    ['*Key', 'kms:DescribeKeys', false, false],
    ['a*b*c', 'aXXbYYc', false, true],
    ['a*b*c', 'aXXcYYb', false, false],
    // * crosses both ':' and '/'
    ['arn:aws:kms:*', 'arn:aws:kms:us-east-1:111122223333:key/abc', false, true],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::111122223333:role/path/name', false, true],
    // ? is exactly one character
    ['kms:?ecrypt', 'kms:Decrypt', false, true],
    ['kms:?ecrypt', 'kms:ecrypt', false, false],
    ['kms:?ecrypt', 'kms:DDecrypt', false, false],
    ['key/??', 'key/ab', false, true],
    ['key/??', 'key/a', false, false],
    ['key/??', 'key/abc', false, false],
    // regex metacharacters in the pattern are literal
    ['a.b', 'a.b', false, true],
    ['a.b*', 'aXb', false, false],
    ['a+b*', 'a+bc', false, true],
    ['a(b)*', 'a(b)c', false, true],
    ['[x]*', '[x]y', false, true],
    ['$^*', '$^z', false, true],
    ['a\\b*', 'a\\bc', false, true],
    ['{a}*', '{a}b', false, true],
    ['a|b*', 'a', false, false],
    // a newline is a character like any other
    ['a*b', 'a\nb', false, true],
    ['a?b', 'a\nb', false, true],
    // case-insensitive mode (used for actions)
    ['KMS:DECRYPT', 'kms:Decrypt', true, true],
    ['kms:decrypt', 'KMS:DECRYPT', true, true],
    ['kms:generate*', 'KMS:GenerateDataKey', true, true],
    ['KMS:?ECRYPT', 'kms:decrypt', true, true],
    ['kms:decrypt', 'kms:encrypt', true, false],
    // case-sensitive by default (resources, StringLike)
    ['arn:aws:kms:*:key/ABC', 'arn:aws:kms:r:1:key/abc', false, false],
    ['Tenant-*', 'tenant-1', false, false],
  ])('%j against %j (ignoreCase=%s) → %s', (pattern, value, ignoreCase, expected) => {
    expect(wildcardMatch(pattern, value, ignoreCase)).toBe(expected);
  });

  it('gives the same answer when a compiled pattern is reused (cache)', () => {
    for (let i = 0; i < 3; i++) {
      expect(wildcardMatch('tenant-*-key', 'tenant-42-key')).toBe(true);
      expect(wildcardMatch('tenant-*-key', 'tenant-42-KEY')).toBe(false);
      expect(wildcardMatch('tenant-*-key', 'tenant-42-KEY', true)).toBe(true);
    }
  });
});

describe('arnMatch (ArnEquals / ArnLike)', () => {
  it.each([
    ['*', 'arn:aws:iam::111122223333:role/x', true],
    ['arn:aws:iam::111122223333:role/x', 'arn:aws:iam::111122223333:role/x', true],
    ['arn:aws:iam::111122223333:role/x', 'arn:aws:iam::111122223333:role/X', false],
    ['arn:aws:iam::*:role/x', 'arn:aws:iam::444455556666:role/x', true],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::444455556666:role/a/b/c', true],
    ['arn:aws:iam::??????????33:role/x', 'arn:aws:iam::111122223333:role/x', true],
    ['arn:aws:kms:us-*:111122223333:key/*', 'arn:aws:kms:us-east-1:111122223333:key/k', true],
    ['arn:aws:kms:eu-*:111122223333:key/*', 'arn:aws:kms:us-east-1:111122223333:key/k', false],
    ['arn:*:kms:*:*:key/*', 'arn:aws-cn:kms:cn-north-1:111122223333:key/k', true],
    // the resource (sixth) part may itself contain ':' and a wildcard there spans it
    ['arn:aws:logs:us-east-1:1:log-group:*', 'arn:aws:logs:us-east-1:1:log-group:g:log-stream:s', true],
    ['arn:aws:logs:us-east-1:1:log-group:g:*', 'arn:aws:logs:us-east-1:1:log-group:g:log-stream:s', true],
  ])('%j matches %j → %s', (pattern, value, expected) => {
    expect(arnMatch(pattern, value)).toBe(expected);
  });

  it.each([
    // pattern, value, whether a plain glob (Resource-style) would match
    // A plain glob lets '*' swallow ':' in the first three; ARN-wise matching does not.
    ['arn:aws:kms:*:key/k', 'arn:aws:kms:us-east-1:111122223333:key/k', true],
    ['arn:aws:kms:us-east-1:*:key/k', 'arn:aws:kms:us-east-1:111122223333:extra:key/k', true],
    ['arn:aws:*:111122223333:key/k', 'arn:aws:kms:us-east-1:111122223333:key/k', true],
    ['arn:aws:iam::*', 'arn:aws:iam::111122223333:role/x', true],
    ['arn:aws:iam::111122223333:role/x', 'not-an-arn', false],
    ['arn:aws:iam::111122223333:role/x', 'arn:aws:iam::111122223333', false],
  ])('wildcards never cross the first five colons: %j vs %j', (pattern, value, globMatches) => {
    expect(wildcardMatch(pattern, value)).toBe(globMatches);
    expect(arnMatch(pattern, value)).toBe(false);
  });
});

describe('substituteVariables', () => {
  const values: Record<string, string[]> = {
    'aws:username': ['alice'],
    'aws:principaltag/team': ['blue'],
    'kms:encryptioncontextkeys': ['a', 'b'],
    'aws:empty': [],
  };
  const lookup = (key: string) => values[key.toLowerCase()];

  it.each([
    ['no variables here', 'no variables here'],
    ['arn:aws:iam::111122223333:user/${aws:username}', 'arn:aws:iam::111122223333:user/alice'],
    ['${aws:username}-${aws:PrincipalTag/team}', 'alice-blue'],
    ['${AWS:UserName}', 'alice'],
    ['prefix-${*}-${?}-${$}', 'prefix-*-?-$'],
  ])('%j → %j', (text, expected) => {
    expect(substituteVariables(text, lookup)).toBe(expected);
  });

  it.each([
    ['${aws:unknown}'],
    ['user/${aws:username}/${aws:missing}'],
    // a multi-valued key has no single value to substitute
    ['${kms:EncryptionContextKeys}'],
    ['${aws:empty}'],
  ])('%j cannot be substituted → undefined', (text) => {
    expect(substituteVariables(text, lookup)).toBeUndefined();
  });

  it('is usable as a resource pattern once substituted', () => {
    const pattern = substituteVariables('arn:aws:iam::*:user/${aws:username}', lookup)!;
    expect(wildcardMatch(pattern, 'arn:aws:iam::111122223333:user/alice')).toBe(true);
    expect(wildcardMatch(pattern, 'arn:aws:iam::111122223333:user/bob')).toBe(false);
  });
});
