import { describe, expect, it } from 'vitest';
import { addContextConditionKeys } from '../kms/encryption-context.js';
import { conditionsMatch } from './conditions.js';
import { RequestContext } from './context.js';
import type { ConditionBlock } from './types.js';

type Entries = Record<string, string | string[]>;

/** A request context: strings are single-valued keys, arrays multi-valued ones. */
function context(entries: Entries): RequestContext {
  const result = new RequestContext();
  for (const [key, value] of Object.entries(entries)) {
    if (Array.isArray(value)) result.setMulti(key, value);
    else result.set(key, value);
  }
  return result;
}

/** One operator, one key. */
const when = (operator: string, key: string, values: string | string[]): ConditionBlock => ({
  [operator]: { [key]: Array.isArray(values) ? values : [values] },
});

const ROLE = 'arn:aws:iam::111122223333:role/keyward-service';
const USER = 'arn:aws:iam::111122223333:user/admin';
const NONE: Entries = {};

type Row = [label: string, block: ConditionBlock, entries: Entries, expected: boolean];

const stringRows: Row[] = [
  // StringEquals: exact and case-sensitive; several policy values are ORed
  [
    'StringEquals match',
    when('StringEquals', 'sts:ExternalId', 'tenant-42'),
    { 'sts:ExternalId': 'tenant-42' },
    true,
  ],
  [
    'StringEquals differs in case',
    when('StringEquals', 'sts:ExternalId', 'tenant-42'),
    { 'sts:ExternalId': 'Tenant-42' },
    false,
  ],
  [
    'StringEquals differs',
    when('StringEquals', 'sts:ExternalId', 'tenant-42'),
    { 'sts:ExternalId': 'tenant-4' },
    false,
  ],
  [
    'StringEquals any of several values',
    when('StringEquals', 'sts:ExternalId', ['a', 'tenant-42']),
    { 'sts:ExternalId': 'tenant-42' },
    true,
  ],
  [
    'StringEquals none of several values',
    when('StringEquals', 'sts:ExternalId', ['a', 'b']),
    { 'sts:ExternalId': 'tenant-42' },
    false,
  ],
  ['StringEquals absent key', when('StringEquals', 'sts:ExternalId', 'tenant-42'), NONE, false],
  [
    'StringEquals empty value present',
    when('StringEquals', 'aws:SourceIdentity', ''),
    { 'aws:SourceIdentity': '' },
    true,
  ],
  [
    'StringEquals kms:CallerAccount',
    when('StringEquals', 'kms:CallerAccount', '111122223333'),
    { 'kms:CallerAccount': '111122223333' },
    true,
  ],
  [
    'StringEquals aws:PrincipalAccount other account',
    when('StringEquals', 'aws:PrincipalAccount', '111122223333'),
    { 'aws:PrincipalAccount': '444455556666' },
    false,
  ],
  // StringNotEquals: negated, so an absent key matches
  [
    'StringNotEquals differs',
    when('StringNotEquals', 'sts:ExternalId', 'x'),
    { 'sts:ExternalId': 'tenant-42' },
    true,
  ],
  [
    'StringNotEquals equal',
    when('StringNotEquals', 'sts:ExternalId', 'tenant-42'),
    { 'sts:ExternalId': 'tenant-42' },
    false,
  ],
  [
    'StringNotEquals equal to one of several',
    when('StringNotEquals', 'kms:CallerAccount', ['111122223333', '444455556666']),
    { 'kms:CallerAccount': '444455556666' },
    false,
  ],
  [
    'StringNotEquals none of several',
    when('StringNotEquals', 'kms:CallerAccount', ['111122223333', '444455556666']),
    { 'kms:CallerAccount': '999999999999' },
    true,
  ],
  ['StringNotEquals absent key', when('StringNotEquals', 'sts:ExternalId', 'x'), NONE, true],
  [
    'StringNotEquals is case-sensitive',
    when('StringNotEquals', 'sts:ExternalId', 'TENANT'),
    { 'sts:ExternalId': 'tenant' },
    true,
  ],
  // StringEqualsIgnoreCase / StringNotEqualsIgnoreCase
  [
    'StringEqualsIgnoreCase match',
    when('StringEqualsIgnoreCase', 'aws:SourceIdentity', 'ALICE'),
    { 'aws:SourceIdentity': 'alice' },
    true,
  ],
  [
    'StringEqualsIgnoreCase differs',
    when('StringEqualsIgnoreCase', 'aws:SourceIdentity', 'alicia'),
    { 'aws:SourceIdentity': 'alice' },
    false,
  ],
  [
    'StringEqualsIgnoreCase absent',
    when('StringEqualsIgnoreCase', 'aws:SourceIdentity', 'alice'),
    NONE,
    false,
  ],
  [
    'StringNotEqualsIgnoreCase same but for case',
    when('StringNotEqualsIgnoreCase', 'aws:SourceIdentity', 'ALICE'),
    { 'aws:SourceIdentity': 'alice' },
    false,
  ],
  [
    'StringNotEqualsIgnoreCase differs',
    when('StringNotEqualsIgnoreCase', 'aws:SourceIdentity', 'bob'),
    { 'aws:SourceIdentity': 'alice' },
    true,
  ],
  [
    'StringNotEqualsIgnoreCase absent',
    when('StringNotEqualsIgnoreCase', 'aws:SourceIdentity', 'bob'),
    NONE,
    true,
  ],
  // StringLike / StringNotLike: globbing, case-sensitive
  [
    'StringLike role/*',
    when('StringLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/*'),
    { 'aws:PrincipalArn': ROLE },
    true,
  ],
  [
    'StringLike role/* against a user',
    when('StringLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/*'),
    { 'aws:PrincipalArn': USER },
    false,
  ],
  [
    'StringLike * spans colons',
    when('StringLike', 'aws:PrincipalArn', 'arn:aws:iam::*'),
    { 'aws:PrincipalArn': ROLE },
    true,
  ],
  ['StringLike ?', when('StringLike', 'sts:ExternalId', 'tenant-?'), { 'sts:ExternalId': 'tenant-7' }, true],
  [
    'StringLike ? is one character',
    when('StringLike', 'sts:ExternalId', 'tenant-?'),
    { 'sts:ExternalId': 'tenant-77' },
    false,
  ],
  [
    'StringLike is case-sensitive',
    when('StringLike', 'sts:ExternalId', 'Tenant-*'),
    { 'sts:ExternalId': 'tenant-7' },
    false,
  ],
  [
    'StringLike any of several',
    when('StringLike', 'aws:PrincipalArn', ['*:user/*', '*:role/keyward-*']),
    { 'aws:PrincipalArn': ROLE },
    true,
  ],
  ['StringLike absent', when('StringLike', 'aws:PrincipalArn', '*'), NONE, false],
  [
    'StringNotLike match',
    when('StringNotLike', 'aws:PrincipalArn', '*:role/*'),
    { 'aws:PrincipalArn': ROLE },
    false,
  ],
  [
    'StringNotLike no match',
    when('StringNotLike', 'aws:PrincipalArn', '*:role/*'),
    { 'aws:PrincipalArn': USER },
    true,
  ],
  ['StringNotLike absent', when('StringNotLike', 'aws:PrincipalArn', '*:role/*'), NONE, true],
  // BinaryEquals compares the base64 text
  ['BinaryEquals', when('BinaryEquals', 'aws:Blob', 'QUJD'), { 'aws:Blob': 'QUJD' }, true],
  ['BinaryEquals differs', when('BinaryEquals', 'aws:Blob', 'QUJD'), { 'aws:Blob': 'QUJE' }, false],
];

const arnRows: Row[] = [
  ['ArnEquals exact', when('ArnEquals', 'aws:PrincipalArn', ROLE), { 'aws:PrincipalArn': ROLE }, true],
  [
    'ArnEquals another role',
    when('ArnEquals', 'aws:PrincipalArn', ROLE),
    { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/other' },
    false,
  ],
  [
    'ArnEquals wildcard account',
    when('ArnEquals', 'aws:PrincipalArn', 'arn:aws:iam::*:role/keyward-service'),
    { 'aws:PrincipalArn': ROLE },
    true,
  ],
  [
    'ArnLike role/*',
    when('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/*'),
    { 'aws:PrincipalArn': ROLE },
    true,
  ],
  [
    'ArnLike * does not cross a colon',
    when('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*'),
    { 'aws:PrincipalArn': ROLE },
    false,
  ],
  [
    'ArnLike is case-sensitive',
    when('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/Keyward-Service'),
    { 'aws:PrincipalArn': ROLE },
    false,
  ],
  [
    'ArnLike against a value that is no ARN',
    when('ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'),
    { 'aws:PrincipalArn': 'keyward-service' },
    false,
  ],
  ['ArnLike absent', when('ArnLike', 'aws:PrincipalArn', '*'), NONE, false],
  ['ArnNotEquals same', when('ArnNotEquals', 'aws:PrincipalArn', ROLE), { 'aws:PrincipalArn': ROLE }, false],
  ['ArnNotEquals other', when('ArnNotEquals', 'aws:PrincipalArn', ROLE), { 'aws:PrincipalArn': USER }, true],
  [
    'ArnNotLike match',
    when('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'),
    { 'aws:PrincipalArn': ROLE },
    false,
  ],
  ['ArnNotLike absent', when('ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'), NONE, true],
];

const boolAndNullRows: Row[] = [
  ['Bool true', when('Bool', 'aws:SecureTransport', 'true'), { 'aws:SecureTransport': 'true' }, true],
  [
    'Bool is case-insensitive',
    when('Bool', 'aws:SecureTransport', 'True'),
    { 'aws:SecureTransport': 'true' },
    true,
  ],
  [
    'Bool false vs true',
    when('Bool', 'aws:SecureTransport', 'false'),
    { 'aws:SecureTransport': 'true' },
    false,
  ],
  ['Bool absent', when('Bool', 'aws:SecureTransport', 'false'), NONE, false],
  ['Null true, key absent', when('Null', 'aws:SourceIdentity', 'true'), NONE, true],
  [
    'Null true, key present',
    when('Null', 'aws:SourceIdentity', 'true'),
    { 'aws:SourceIdentity': 'alice' },
    false,
  ],
  [
    'Null false, key present',
    when('Null', 'aws:SourceIdentity', 'false'),
    { 'aws:SourceIdentity': 'alice' },
    true,
  ],
  ['Null false, key absent', when('Null', 'aws:SourceIdentity', 'false'), NONE, false],
  [
    'Null true, multi-valued key with no values',
    when('Null', 'kms:EncryptionContextKeys', 'true'),
    { 'kms:EncryptionContextKeys': [] },
    true,
  ],
  ['Null TRUE (any case)', when('Null', 'sts:ExternalId', 'TRUE'), NONE, true],
];

const numericRows: Row[] = [
  [
    'NumericEquals',
    when('NumericEquals', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericEquals compares numbers, not text',
    when('NumericEquals', 'aws:MultiFactorAuthAge', '3600.0'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericEquals differs',
    when('NumericEquals', 'aws:MultiFactorAuthAge', '3601'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'NumericNotEquals differs',
    when('NumericNotEquals', 'aws:MultiFactorAuthAge', '3601'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericNotEquals equal',
    when('NumericNotEquals', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  ['NumericNotEquals absent', when('NumericNotEquals', 'aws:MultiFactorAuthAge', '3600'), NONE, true],
  [
    'NumericLessThan below',
    when('NumericLessThan', 'aws:MultiFactorAuthAge', '7200'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericLessThan equal',
    when('NumericLessThan', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'NumericLessThan above',
    when('NumericLessThan', 'aws:MultiFactorAuthAge', '1800'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'NumericLessThanEquals equal',
    when('NumericLessThanEquals', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericLessThanEquals above',
    when('NumericLessThanEquals', 'aws:MultiFactorAuthAge', '3599'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'NumericGreaterThan above',
    when('NumericGreaterThan', 'aws:MultiFactorAuthAge', '1800'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericGreaterThan equal',
    when('NumericGreaterThan', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'NumericGreaterThanEquals equal',
    when('NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '3600' },
    true,
  ],
  [
    'NumericGreaterThanEquals below',
    when('NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', '3601'),
    { 'aws:MultiFactorAuthAge': '3600' },
    false,
  ],
  [
    'Numeric compares as numbers (10 > 9)',
    when('NumericGreaterThan', 'aws:MultiFactorAuthAge', '9'),
    { 'aws:MultiFactorAuthAge': '10' },
    true,
  ],
  [
    'Numeric with a non-number request value',
    when('NumericLessThan', 'aws:MultiFactorAuthAge', '7200'),
    { 'aws:MultiFactorAuthAge': 'soon' },
    false,
  ],
  [
    'Numeric with a non-number policy value',
    when('NumericEquals', 'aws:MultiFactorAuthAge', 'ten'),
    { 'aws:MultiFactorAuthAge': '10' },
    false,
  ],
  ['NumericLessThan absent', when('NumericLessThan', 'aws:MultiFactorAuthAge', '7200'), NONE, false],
];

const NOW = '2024-06-01T12:00:00Z';
const NOW_EPOCH_SECONDS = String(Date.UTC(2024, 5, 1, 12) / 1000);
const dateRows: Row[] = [
  ['DateEquals ISO', when('DateEquals', 'aws:CurrentTime', NOW), { 'aws:CurrentTime': NOW }, true],
  [
    'DateEquals epoch seconds',
    when('DateEquals', 'aws:CurrentTime', NOW_EPOCH_SECONDS),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateEquals other offset, same instant',
    when('DateEquals', 'aws:CurrentTime', '2024-06-01T14:00:00+02:00'),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateNotEquals same instant',
    when('DateNotEquals', 'aws:CurrentTime', NOW),
    { 'aws:CurrentTime': NOW },
    false,
  ],
  [
    'DateNotEquals other instant',
    when('DateNotEquals', 'aws:CurrentTime', '2024-06-01T12:00:01Z'),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateLessThan before the policy date',
    when('DateLessThan', 'aws:CurrentTime', '2025-01-01T00:00:00Z'),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateLessThan after the policy date',
    when('DateLessThan', 'aws:CurrentTime', '2024-01-01'),
    { 'aws:CurrentTime': NOW },
    false,
  ],
  [
    'DateLessThanEquals same',
    when('DateLessThanEquals', 'aws:CurrentTime', NOW),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateGreaterThan after',
    when('DateGreaterThan', 'aws:CurrentTime', '2024-01-01'),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateGreaterThan same',
    when('DateGreaterThan', 'aws:CurrentTime', NOW),
    { 'aws:CurrentTime': NOW },
    false,
  ],
  [
    'DateGreaterThanEquals same',
    when('DateGreaterThanEquals', 'aws:CurrentTime', NOW),
    { 'aws:CurrentTime': NOW },
    true,
  ],
  [
    'DateGreaterThanEquals before',
    when('DateGreaterThanEquals', 'aws:CurrentTime', '2024-06-01T12:00:01Z'),
    { 'aws:CurrentTime': NOW },
    false,
  ],
  [
    'Date with an unparseable policy value',
    when('DateLessThan', 'aws:CurrentTime', 'tomorrow'),
    { 'aws:CurrentTime': NOW },
    false,
  ],
  ['DateLessThan absent', when('DateLessThan', 'aws:CurrentTime', '2030-01-01'), NONE, false],
];

const ipRows: Row[] = [
  [
    'IpAddress in /24',
    when('IpAddress', 'aws:SourceIp', '203.0.113.0/24'),
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress outside /24',
    when('IpAddress', 'aws:SourceIp', '203.0.112.0/24'),
    { 'aws:SourceIp': '203.0.113.7' },
    false,
  ],
  [
    'IpAddress in /23',
    when('IpAddress', 'aws:SourceIp', '203.0.112.0/23'),
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress single address',
    when('IpAddress', 'aws:SourceIp', '203.0.113.7'),
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress /32 other address',
    when('IpAddress', 'aws:SourceIp', '203.0.113.8/32'),
    { 'aws:SourceIp': '203.0.113.7' },
    false,
  ],
  [
    'IpAddress 0.0.0.0/0',
    when('IpAddress', 'aws:SourceIp', '0.0.0.0/0'),
    { 'aws:SourceIp': '198.51.100.1' },
    true,
  ],
  [
    'IpAddress high addresses (no sign trouble)',
    when('IpAddress', 'aws:SourceIp', '255.255.255.0/24'),
    { 'aws:SourceIp': '255.255.255.254' },
    true,
  ],
  [
    'IpAddress any of several CIDRs',
    when('IpAddress', 'aws:SourceIp', ['10.0.0.0/8', '203.0.113.0/24']),
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'IpAddress with an empty prefix length matches nothing',
    when('IpAddress', 'aws:SourceIp', '10.0.0.0/'),
    { 'aws:SourceIp': '203.0.113.7' },
    false,
  ],
  [
    'IpAddress with a bad prefix length',
    when('IpAddress', 'aws:SourceIp', '203.0.113.0/33'),
    { 'aws:SourceIp': '203.0.113.7' },
    false,
  ],
  [
    'IpAddress with a bad octet',
    when('IpAddress', 'aws:SourceIp', '203.0.113.0/24'),
    { 'aws:SourceIp': '203.0.113.256' },
    false,
  ],
  [
    'IpAddress with an IPv6 request address',
    when('IpAddress', 'aws:SourceIp', '203.0.113.0/24'),
    { 'aws:SourceIp': '::1' },
    false,
  ],
  ['IpAddress absent', when('IpAddress', 'aws:SourceIp', '0.0.0.0/0'), NONE, false],
  [
    'NotIpAddress outside',
    when('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'),
    { 'aws:SourceIp': '203.0.113.7' },
    true,
  ],
  [
    'NotIpAddress inside',
    when('NotIpAddress', 'aws:SourceIp', '203.0.113.0/24'),
    { 'aws:SourceIp': '203.0.113.7' },
    false,
  ],
  ['NotIpAddress absent', when('NotIpAddress', 'aws:SourceIp', '10.0.0.0/8'), NONE, true],
];

const KEYS = 'kms:EncryptionContextKeys';
const setRows: Row[] = [
  // ForAllValues: every request value must match some policy value; missing or empty set → true
  [
    'ForAllValues subset',
    when('ForAllValues:StringEquals', KEYS, ['tenant', 'purpose']),
    { [KEYS]: ['tenant'] },
    true,
  ],
  [
    'ForAllValues all of them',
    when('ForAllValues:StringEquals', KEYS, ['tenant', 'purpose']),
    { [KEYS]: ['purpose', 'tenant'] },
    true,
  ],
  [
    'ForAllValues one value outside',
    when('ForAllValues:StringEquals', KEYS, ['tenant', 'purpose']),
    { [KEYS]: ['tenant', 'other'] },
    false,
  ],
  ['ForAllValues missing key', when('ForAllValues:StringEquals', KEYS, ['tenant']), NONE, true],
  ['ForAllValues empty set', when('ForAllValues:StringEquals', KEYS, ['tenant']), { [KEYS]: [] }, true],
  [
    'ForAllValues:StringLike',
    when('ForAllValues:StringLike', KEYS, 'tenant*'),
    { [KEYS]: ['tenant-id', 'tenant-name'] },
    true,
  ],
  [
    'ForAllValues:StringLike one outside',
    when('ForAllValues:StringLike', KEYS, 'tenant*'),
    { [KEYS]: ['tenant-id', 'owner'] },
    false,
  ],
  [
    'ForAllValues:StringNotEquals none forbidden',
    when('ForAllValues:StringNotEquals', KEYS, 'secret'),
    { [KEYS]: ['a', 'b'] },
    true,
  ],
  [
    'ForAllValues:StringNotEquals one forbidden',
    when('ForAllValues:StringNotEquals', KEYS, 'secret'),
    { [KEYS]: ['a', 'secret'] },
    false,
  ],
  [
    'ForAllValues:StringNotEquals missing key',
    when('ForAllValues:StringNotEquals', KEYS, 'secret'),
    NONE,
    true,
  ],
  [
    'ForAllValues:StringEqualsIfExists missing key',
    when('ForAllValues:StringEqualsIfExists', KEYS, 'tenant'),
    NONE,
    true,
  ],
  // ForAnyValue: at least one request value must match; missing or empty set → false
  [
    'ForAnyValue one matches',
    when('ForAnyValue:StringEquals', KEYS, 'tenant'),
    { [KEYS]: ['tenant', 'other'] },
    true,
  ],
  [
    'ForAnyValue none matches',
    when('ForAnyValue:StringEquals', KEYS, 'tenant'),
    { [KEYS]: ['x', 'y'] },
    false,
  ],
  [
    'ForAnyValue several policy values',
    when('ForAnyValue:StringEquals', KEYS, ['a', 'y']),
    { [KEYS]: ['x', 'y'] },
    true,
  ],
  ['ForAnyValue missing key', when('ForAnyValue:StringEquals', KEYS, 'tenant'), NONE, false],
  ['ForAnyValue empty set', when('ForAnyValue:StringEquals', KEYS, 'tenant'), { [KEYS]: [] }, false],
  [
    'ForAnyValue:StringNotEquals all forbidden',
    when('ForAnyValue:StringNotEquals', KEYS, 'tenant'),
    { [KEYS]: ['tenant'] },
    false,
  ],
  [
    'ForAnyValue:StringNotEquals one other',
    when('ForAnyValue:StringNotEquals', KEYS, 'tenant'),
    { [KEYS]: ['tenant', 'x'] },
    true,
  ],
  [
    'ForAnyValue:StringNotEquals missing key',
    when('ForAnyValue:StringNotEquals', KEYS, 'tenant'),
    NONE,
    false,
  ],
  [
    'ForAnyValue:StringLikeIfExists missing key',
    when('ForAnyValue:StringLikeIfExists', KEYS, 'tenant*'),
    NONE,
    true,
  ],
  [
    'ForAnyValue:StringLike',
    when('ForAnyValue:StringLike', KEYS, 'ten*'),
    { [KEYS]: ['owner', 'tenant'] },
    true,
  ],
  [
    'ForAnyValue over a single-valued key',
    when('ForAnyValue:StringEquals', 'aws:PrincipalAccount', ['111122223333', '444455556666']),
    { 'aws:PrincipalAccount': '444455556666' },
    true,
  ],
];

const ifExistsRows: Row[] = [
  ['StringEqualsIfExists absent', when('StringEqualsIfExists', 'aws:SourceIdentity', 'alice'), NONE, true],
  [
    'StringEqualsIfExists present and equal',
    when('StringEqualsIfExists', 'aws:SourceIdentity', 'alice'),
    { 'aws:SourceIdentity': 'alice' },
    true,
  ],
  [
    'StringEqualsIfExists present and different',
    when('StringEqualsIfExists', 'aws:SourceIdentity', 'alice'),
    { 'aws:SourceIdentity': 'mallory' },
    false,
  ],
  [
    'StringNotEqualsIfExists absent',
    when('StringNotEqualsIfExists', 'aws:SourceIdentity', 'alice'),
    NONE,
    true,
  ],
  [
    'StringNotEqualsIfExists present and equal',
    when('StringNotEqualsIfExists', 'aws:SourceIdentity', 'alice'),
    { 'aws:SourceIdentity': 'alice' },
    false,
  ],
  [
    'ArnLikeIfExists absent',
    when('ArnLikeIfExists', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'),
    NONE,
    true,
  ],
  [
    'ArnLikeIfExists present, no match',
    when('ArnLikeIfExists', 'aws:PrincipalArn', 'arn:aws:iam::*:role/*'),
    { 'aws:PrincipalArn': USER },
    false,
  ],
  [
    'NumericLessThanIfExists absent',
    when('NumericLessThanIfExists', 'aws:MultiFactorAuthAge', '3600'),
    NONE,
    true,
  ],
  [
    'NumericLessThanIfExists present, too old',
    when('NumericLessThanIfExists', 'aws:MultiFactorAuthAge', '3600'),
    { 'aws:MultiFactorAuthAge': '7200' },
    false,
  ],
  ['BoolIfExists absent', when('BoolIfExists', 'aws:SecureTransport', 'true'), NONE, true],
  ['IpAddressIfExists absent', when('IpAddressIfExists', 'aws:SourceIp', '10.0.0.0/8'), NONE, true],
];

describe('conditionsMatch', () => {
  describe.each([
    ['string operators', stringRows],
    ['ARN operators', arnRows],
    ['Bool and Null', boolAndNullRows],
    ['numeric operators', numericRows],
    ['date operators', dateRows],
    ['IP address operators', ipRows],
    ['ForAllValues / ForAnyValue', setRows],
    ['IfExists', ifExistsRows],
  ])('%s', (_group, rows) => {
    it.each(rows)('%s → %s', (_label, block, entries, expected) => {
      expect(conditionsMatch(block, context(entries))).toBe(expected);
    });
  });

  describe('combining', () => {
    const both: ConditionBlock = {
      StringEquals: { 'sts:ExternalId': ['tenant-42'], 'aws:PrincipalAccount': ['111122223333'] },
    };

    it.each<[string, ConditionBlock, Entries, boolean]>([
      ['an empty Condition matches', {}, NONE, true],
      ['an operator with no keys matches', { StringEquals: {} }, NONE, true],
      [
        'two keys under one operator: both hold',
        both,
        { 'sts:ExternalId': 'tenant-42', 'aws:PrincipalAccount': '111122223333' },
        true,
      ],
      [
        'two keys under one operator: one fails',
        both,
        { 'sts:ExternalId': 'tenant-42', 'aws:PrincipalAccount': '444455556666' },
        false,
      ],
      ['two keys under one operator: one absent', both, { 'sts:ExternalId': 'tenant-42' }, false],
      [
        'two operators: both hold',
        {
          StringEquals: { 'sts:ExternalId': ['tenant-42'] },
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/*'] },
        },
        { 'sts:ExternalId': 'tenant-42', 'aws:PrincipalArn': ROLE },
        true,
      ],
      [
        'two operators: one fails',
        {
          StringEquals: { 'sts:ExternalId': ['tenant-42'] },
          ArnLike: { 'aws:PrincipalArn': ['arn:aws:iam::*:role/*'] },
        },
        { 'sts:ExternalId': 'tenant-42', 'aws:PrincipalArn': USER },
        false,
      ],
      [
        'an unknown operator never matches',
        { StringMatches: { 'sts:ExternalId': ['x'] } },
        { 'sts:ExternalId': 'x' },
        false,
      ],
    ])('%s', (_label, block, entries, expected) => {
      expect(conditionsMatch(block, context(entries))).toBe(expected);
    });
  });

  describe('names', () => {
    it.each([
      ['policy key upper-case', 'STS:EXTERNALID', 'sts:ExternalId'],
      ['context key upper-case', 'sts:ExternalId', 'STS:EXTERNALID'],
      ['mixed', 'Aws:SourceIdentity', 'aws:sourceidentity'],
    ])('condition key names are case-insensitive (%s)', (_label, policyKey, contextKey) => {
      expect(conditionsMatch(when('StringEquals', policyKey, 'v'), context({ [contextKey]: 'v' }))).toBe(
        true,
      );
      expect(conditionsMatch(when('StringEquals', policyKey, 'v'), context({ [contextKey]: 'V' }))).toBe(
        false,
      );
    });

    it.each(['stringequals', 'STRINGEQUALS', 'forallvalues:stringequalsifexists'])(
      'operator %s is recognised whatever its case',
      (operator) => {
        expect(
          conditionsMatch(when(operator, 'sts:ExternalId', 'v'), context({ 'sts:ExternalId': 'v' })),
        ).toBe(true);
        expect(
          conditionsMatch(when(operator, 'sts:ExternalId', 'v'), context({ 'sts:ExternalId': 'w' })),
        ).toBe(false);
      },
    );
  });

  describe('KMS encryption context keys', () => {
    const encryption = (pairs: Record<string, string>) =>
      addContextConditionKeys(new RequestContext(), pairs);

    it.each<[string, ConditionBlock, Record<string, string>, boolean]>([
      [
        'kms:EncryptionContext:<key> equal',
        when('StringEquals', 'kms:EncryptionContext:tenant', 'acme'),
        { tenant: 'acme' },
        true,
      ],
      [
        'the <key> part is case-insensitive',
        when('StringEquals', 'kms:EncryptionContext:TENANT', 'acme'),
        { Tenant: 'acme' },
        true,
      ],
      [
        'the value is case-sensitive under StringEquals',
        when('StringEquals', 'kms:EncryptionContext:tenant', 'acme'),
        { tenant: 'ACME' },
        false,
      ],
      [
        'StringEqualsIgnoreCase relaxes the value',
        when('StringEqualsIgnoreCase', 'kms:EncryptionContext:tenant', 'acme'),
        { tenant: 'ACME' },
        true,
      ],
      [
        'pair missing',
        when('StringEquals', 'kms:EncryptionContext:tenant', 'acme'),
        { other: 'acme' },
        false,
      ],
      [
        'pair missing, IfExists',
        when('StringEqualsIfExists', 'kms:EncryptionContext:tenant', 'acme'),
        {},
        true,
      ],
      [
        'StringLike on the value',
        when('StringLike', 'kms:EncryptionContext:tenant', 'ac*'),
        { tenant: 'acme' },
        true,
      ],
      [
        'EncryptionContextKeys keep their case',
        when('ForAnyValue:StringEquals', KEYS, 'Tenant'),
        { tenant: 'acme' },
        false,
      ],
      [
        'EncryptionContextKeys: all keys allowed',
        when('ForAllValues:StringEquals', KEYS, ['tenant', 'purpose']),
        { tenant: 'a', purpose: 'b' },
        true,
      ],
      [
        'EncryptionContextKeys: an extra key',
        when('ForAllValues:StringEquals', KEYS, ['tenant']),
        { tenant: 'a', purpose: 'b' },
        false,
      ],
      [
        'EncryptionContextKeys: no context at all, ForAllValues',
        when('ForAllValues:StringEquals', KEYS, ['tenant']),
        {},
        true,
      ],
      [
        'EncryptionContextKeys: no context at all, ForAnyValue',
        when('ForAnyValue:StringEquals', KEYS, ['tenant']),
        {},
        false,
      ],
      ['Null on the context keys, no context', when('Null', KEYS, 'true'), {}, true],
    ])('%s', (_label, block, pairs, expected) => {
      expect(conditionsMatch(block, encryption(pairs))).toBe(expected);
    });
  });

  describe('policy variables in values', () => {
    it.each<[string, ConditionBlock, Entries, boolean]>([
      [
        'substituted from the request',
        when('StringEquals', 'kms:EncryptionContext:tenant', '${aws:PrincipalTag/tenant}'),
        { 'kms:EncryptionContext:tenant': 'acme', 'aws:PrincipalTag/tenant': 'acme' },
        true,
      ],
      [
        'substituted, different value',
        when('StringEquals', 'kms:EncryptionContext:tenant', '${aws:PrincipalTag/tenant}'),
        { 'kms:EncryptionContext:tenant': 'acme', 'aws:PrincipalTag/tenant': 'globex' },
        false,
      ],
      [
        'variable missing: the value cannot match',
        when('StringEquals', 'kms:EncryptionContext:tenant', '${aws:PrincipalTag/tenant}'),
        { 'kms:EncryptionContext:tenant': '' },
        false,
      ],
      [
        'a variable-free value beside a missing variable still matches',
        when('StringEquals', 'sts:ExternalId', ['${aws:PrincipalTag/x}', 'tenant-42']),
        { 'sts:ExternalId': 'tenant-42' },
        true,
      ],
      [
        'StringLike with a variable and a wildcard',
        when('StringLike', 'aws:PrincipalArn', 'arn:aws:iam::${aws:PrincipalAccount}:role/*'),
        { 'aws:PrincipalArn': ROLE, 'aws:PrincipalAccount': '111122223333' },
        true,
      ],
      [
        'StringLike with a variable, other account',
        when('StringLike', 'aws:PrincipalArn', 'arn:aws:iam::${aws:PrincipalAccount}:role/*'),
        { 'aws:PrincipalArn': ROLE, 'aws:PrincipalAccount': '444455556666' },
        false,
      ],
    ])('%s', (_label, block, entries, expected) => {
      expect(conditionsMatch(block, context(entries))).toBe(expected);
    });
  });
});
