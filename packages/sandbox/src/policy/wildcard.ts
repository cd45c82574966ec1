/**
 * IAM's wildcard matching: `*` is any run of characters (including `:` and `/`), `?` is one
 * character. Actions match case-insensitively; resources and StringLike case-sensitively.
 */
const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 5000;

function compile(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let regex = cache.get(cacheKey);
  if (!regex) {
    const body = pattern
      .split('')
      .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(cacheKey, regex);
  }
  return regex;
}

export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return compile(pattern, ignoreCase).test(value);
}

/**
 * ArnLike/ArnEquals: the six colon-separated parts are matched one by one, so a wildcard
 * never spans a `:` boundary of the first five parts.
 */
export function arnMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const patternParts = splitArn(pattern);
  const valueParts = splitArn(value);
  if (!patternParts || !valueParts) return false;
  return patternParts.every((part, index) => wildcardMatch(part, valueParts[index]!));
}

function splitArn(text: string): string[] | undefined {
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/**
 * Replaces policy variables (`${aws:username}`) from the request context. Returns undefined
 * when a variable has no single value, so the element cannot match (as in IAM).
 */
export function substituteVariables(
  text: string,
  lookup: (key: string) => string[] | undefined,
): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
    /* The escapes ${*} ${?} ${$} stand for the character itself (the sandbox then treats * and ? as wildcards). */
    if (name === '*' || name === '?' || name === '$') return name;
    const values = lookup(name);
    if (!values || values.length !== 1) {
      missing = true;
      return '';
    }
    return values[0]!;
  });
  return missing ? undefined : result;
}
