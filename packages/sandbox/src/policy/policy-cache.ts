import { parsePolicy } from './parse-policy.js';
import type { Policy, PolicyKind } from './types.js';

/**
 * Stored policies were validated when written; evaluation re-reads them on every request, so
 * parsed forms are memoised by text. Bounded so that a long-running sandbox cannot grow without limit.
 */
const cache = new Map<string, Policy>();
const LIMIT = 2000;

export function storedPolicy(text: string, kind: PolicyKind): Policy {
  const cacheKey = `${kind}\u0000${text}`;
  let policy = cache.get(cacheKey);
  if (!policy) {
    policy = parsePolicy(text, kind);
    if (cache.size >= LIMIT) cache.clear();
    cache.set(cacheKey, policy);
  }
  return policy;
}
