import { isKeywardError } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../services/api-tokens.js';
import { actorOf, authorize } from './authorize.js';
import type { Access } from './route-spec.js';

const operator: Principal = { kind: 'operator', tenantId: null, tokenId: 'operator' };
const adminA: Principal = { kind: 'tenant-admin', tenantId: 'a', tokenId: 't1' };
const serviceA: Principal = { kind: 'service', tenantId: 'a', tokenId: 't2' };
const adminB: Principal = { kind: 'tenant-admin', tenantId: 'b', tokenId: 't3' };

function outcome(access: Access, principal: Principal | undefined, tenant?: string): string {
  try {
    authorize(access, principal, tenant);
    return 'ok';
  } catch (error) {
    return isKeywardError(error) ? `${error.status} ${error.code}` : 'other';
  }
}

describe('authorize', () => {
  it('follows the access table of docs/api.md', () => {
    const table: Array<[Access, Principal | undefined, string | undefined, string]> = [
      ['public', undefined, undefined, 'ok'],
      ['authenticated', undefined, undefined, '401 KW_UNAUTHENTICATED'],
      ['authenticated', serviceA, undefined, 'ok'],
      ['operator', operator, undefined, 'ok'],
      ['operator', adminA, undefined, '403 KW_FORBIDDEN'],
      ['operator', undefined, undefined, '401 KW_UNAUTHENTICATED'],
      ['tenant-admin', operator, 'a', 'ok'],
      ['tenant-admin', adminA, 'a', 'ok'],
      ['tenant-admin', serviceA, 'a', '403 KW_FORBIDDEN'],
      ['tenant-admin', adminB, 'a', '403 KW_FORBIDDEN'],
      ['tenant-admin', adminA, undefined, '403 KW_FORBIDDEN'],
      ['tenant-data', serviceA, 'a', 'ok'],
      ['tenant-data', adminA, 'a', '403 KW_FORBIDDEN'],
      ['tenant-data', serviceA, 'b', '403 KW_FORBIDDEN'],
      ['tenant-data', operator, 'b', 'ok'],
    ];
    for (const [access, principal, tenant, expected] of table)
      expect(outcome(access, principal, tenant), `${access} ${principal?.kind} ${tenant}`).toBe(expected);
  });

  it('names the caller for the audit log by token id, never by token', () => {
    expect(actorOf(operator)).toBe('operator');
    expect(actorOf(adminA)).toBe('tenant-admin:t1');
    expect(actorOf(undefined)).toBe('anonymous');
  });
});
