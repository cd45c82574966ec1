import type { BaseOperator } from './condition-operators.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

/**
 * The positive comparison behind each operator (StringNotEquals compares like StringEquals and
 * is negated by the caller). `policyValue` has already had its policy variables substituted.
 */
export function comparePositive(base: BaseOperator, policyValue: string, requestValue: string): boolean {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return policyValue === requestValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return wildcardMatch(policyValue, requestValue);
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      return arnMatch(policyValue, requestValue);
    case 'Bool':
      return policyValue.toLowerCase() === requestValue.toLowerCase();
    case 'BinaryEquals':
      return policyValue === requestValue;
    case 'IpAddress':
    case 'NotIpAddress':
      return ipInCidr(requestValue, policyValue);
    case 'Null':
      return false;
    default:
      return compareOrdered(base, policyValue, requestValue);
  }
}

function compareOrdered(base: BaseOperator, policyValue: string, requestValue: string): boolean {
  const isDate = base.startsWith('Date');
  const left = isDate ? parseDate(requestValue) : Number(requestValue);
  const right = isDate ? parseDate(policyValue) : Number(policyValue);
  if (Number.isNaN(left) || Number.isNaN(right)) return false;
  if (base.endsWith('NotEquals')) return left === right;
  if (base.endsWith('Equals') && !base.includes('Than')) return left === right;
  if (base.endsWith('LessThan')) return left < right;
  if (base.endsWith('LessThanEquals')) return left <= right;
  if (base.endsWith('GreaterThan')) return left > right;
  if (base.endsWith('GreaterThanEquals')) return left >= right;
  return false;
}

/** Dates in conditions are ISO 8601 or epoch seconds. */
function parseDate(text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  return Date.parse(text);
}

function ipInCidr(ip: string, cidr: string): boolean {
  const [network, bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : /^\d{1,2}$/.test(bitsText) ? Number(bitsText) : NaN;
  const address = ipv4ToNumber(ip);
  const base = ipv4ToNumber(network ?? '');
  if (address === undefined || base === undefined || !(bits >= 0 && bits <= 32)) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (address & mask) >>> 0 === (base & mask) >>> 0;
}

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    const octet = Number(part);
    if (!/^\d{1,3}$/.test(part) || octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return value;
}
