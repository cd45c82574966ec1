import { describe, expect, it } from 'vitest';
import { paginate } from './paginate.js';
import { AwsError } from './protocol/aws-error.js';

const invalid = new AwsError('InvalidMarkerException', 'Invalid marker');
const invalidMarker = () => invalid;
const marker = (text: string) => Buffer.from(text).toString('base64url');
const letters = ['a', 'b', 'c', 'd', 'e'];

/** Follows NextMarker to the end, returning the pages. */
function allPages<T>(items: T[], limit: number): T[][] {
  const pages: T[][] = [];
  let next: string | undefined;
  for (let i = 0; i < 100; i++) {
    const result = paginate(items, limit, next, invalidMarker);
    pages.push(result.page);
    if (!result.truncated) {
      expect(result.nextMarker).toBeUndefined();
      return pages;
    }
    expect(result.nextMarker).toBeDefined();
    next = result.nextMarker;
  }
  throw new Error('pagination did not end');
}

describe('paginate', () => {
  it('returns the first page with a marker for the next', () => {
    expect(paginate(letters, 2, undefined, invalidMarker)).toEqual({
      page: ['a', 'b'],
      truncated: true,
      nextMarker: marker('kw-marker:2'),
    });
  });

  it('continues from a marker it issued', () => {
    expect(paginate(letters, 2, marker('kw-marker:2'), invalidMarker)).toEqual({
      page: ['c', 'd'],
      truncated: true,
      nextMarker: marker('kw-marker:4'),
    });
    expect(paginate(letters, 2, marker('kw-marker:4'), invalidMarker)).toEqual({
      page: ['e'],
      truncated: false,
    });
  });

  it.each([
    [1, [['a'], ['b'], ['c'], ['d'], ['e']]],
    [2, [['a', 'b'], ['c', 'd'], ['e']]],
    [5, [['a', 'b', 'c', 'd', 'e']]],
    [100, [['a', 'b', 'c', 'd', 'e']]],
  ])('walks every item exactly once with limit %i', (limit, expected) => {
    expect(allPages(letters, limit)).toEqual(expected);
  });

  it('does not report truncation when the last page is exactly full', () => {
    expect(allPages(['a', 'b', 'c', 'd'], 2)).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('handles an empty list', () => {
    expect(paginate([], 10, undefined, invalidMarker)).toEqual({ page: [], truncated: false });
  });

  it('gives an empty last page for a marker past the end', () => {
    expect(paginate(letters, 2, marker('kw-marker:9'), invalidMarker)).toEqual({
      page: [],
      truncated: false,
    });
  });

  it('uses a URL-safe marker', () => {
    const items = Array.from({ length: 2000 }, (_, i) => i);
    const { nextMarker } = paginate(items, 999, undefined, invalidMarker);
    expect(nextMarker).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(paginate(items, 999, nextMarker, invalidMarker).page[0]).toBe(999);
  });

  it.each([
    ['garbage', 'not a marker'],
    ['empty', ''],
    ['another prefix', marker('other:2')],
    ['a negative offset', marker('kw-marker:-1')],
    ['a non-numeric offset', marker('kw-marker:two')],
    ['trailing text', marker('kw-marker:2x')],
    ['the raw text, not encoded', 'kw-marker:2'],
  ])('refuses a marker it did not issue (%s) with the caller\u2019s error', (_label, given) => {
    expect(() => paginate(letters, 2, given, invalidMarker)).toThrow(invalid);
    let thrown: unknown;
    try {
      paginate(letters, 2, given, invalidMarker);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(invalid);
  });
});
