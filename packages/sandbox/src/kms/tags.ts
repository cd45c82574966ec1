import { AwsError } from '../protocol/aws-error.js';
import type { Tag } from '../state/types.js';

/** KMS tag rules (TagException texts as recorded against AWS). */
const MAX_TAGS = 50;

export function validateTags(tags: Tag[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (tag.key.length < 1 || tag.key.length > 128 || tag.value.length > 256) {
      throw new AwsError(
        'TagException',
        `Tag key must be 1-128 characters and tag value 0-256 characters: ${tag.key}`,
      );
    }
    if (tag.key.toLowerCase().startsWith('aws:'))
      throw new AwsError('TagException', 'Tags beginning with aws: are reserved');
    if (seen.has(tag.key)) throw new AwsError('TagException', 'Duplicate tag keys');
    seen.add(tag.key);
  }
  if (tags.length > MAX_TAGS) throw new AwsError('TagException', 'Too many tags');
}

/** Adds or overwrites tags by key, keeping the existing order. */
export function mergeTags(existing: Tag[], updates: Tag[]): Tag[] {
  const merged = new Map(existing.map((tag) => [tag.key, tag.value]));
  for (const tag of updates) merged.set(tag.key, tag.value);
  if (merged.size > MAX_TAGS) throw new AwsError('TagException', 'Too many tags');
  return [...merged.entries()].map(([key, value]) => ({ key, value }));
}

export const wireTags = (tags: Tag[]): { TagKey: string; TagValue: string }[] =>
  tags.map((tag) => ({ TagKey: tag.key, TagValue: tag.value }));
