import { describe, expect, it } from 'vitest';
import { INLINE_POLICY_MAX_CHARS, serviceRolePolicies, serviceRolePolicy } from './policies.js';

const role = (i: number) =>
  `arn:aws:iam::${String(444455550000 + i)}:role/KeywardByokAccess-tenant-${String(i).padStart(4, '0')}`;

describe("the platform's Service Role policy at scale", () => {
  it("splits many registered roles into documents that each fit IAM's inline-policy limit, covering every role once", () => {
    const roles = Array.from({ length: 600 }, (_, i) => role(i));
    const documents = serviceRolePolicies([...roles, ...roles.slice(0, 10)]);
    expect(documents.length).toBeGreaterThan(1);
    for (const document of documents)
      expect(JSON.stringify(document).length).toBeLessThanOrEqual(INLINE_POLICY_MAX_CHARS);
    const covered = documents.flatMap((document) => document.Statement[0]!.Resource as string[]);
    expect(covered).toEqual([...roles].sort());
  });

  it('one document while it fits; serviceRolePolicy is the single-document form', () => {
    expect(serviceRolePolicies([role(1), role(2)])).toEqual([serviceRolePolicy([role(2), role(1)])]);
    expect(serviceRolePolicies([])).toEqual([]);
  });
});
