import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

describe('one owner of tenant keys (ARCHITECTURE §2, "One owner")', () => {
  it('tenant_key_versions and tenant_key_policies are read and written only by the key store adapter', () => {
    const owners = ['store/tenant-key-store.ts', 'store/schema.ts'];
    const touching = readdirSync(SRC, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts'))
      .map((entry) => join(entry.parentPath, entry.name))
      .filter((file) => !relative(SRC, file).startsWith('store/migrations/'))
      .filter((file) => /tenant_key_(versions|policies)/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(touching.filter((path) => !owners.includes(path))).toEqual([]);
    expect(touching).toContain('store/tenant-key-store.ts');
  });
});
