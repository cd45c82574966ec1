import { KeywardError } from '@keyward/core';
import type { Principal } from '../services/api-tokens.js';
import type { Access } from './route-spec.js';

const WHO: Record<Exclude<Access, 'public' | 'authenticated'>, string> = {
  operator: 'the operator',
  'tenant-admin': "the operator or this tenant's tenant-admin token",
  'tenant-data': "the operator or this tenant's service token",
};

/**
 * Refuses (401/403) a request its token may not make. A tenant-scoped token reaches its own tenant
 * only; for any other tenant the answer is 403 whether or not that tenant exists.
 */
export function authorize(
  access: Access,
  principal: Principal | undefined,
  tenantId: string | undefined,
): void {
  if (access === 'public') return;
  if (principal === undefined) throw new KeywardError('KW_UNAUTHENTICATED');
  if (access === 'authenticated' || principal.kind === 'operator') return;
  const kind = access === 'tenant-admin' ? 'tenant-admin' : access === 'tenant-data' ? 'service' : undefined;
  if (
    kind !== undefined &&
    principal.kind === kind &&
    tenantId !== undefined &&
    principal.tenantId === tenantId
  )
    return;
  throw new KeywardError('KW_FORBIDDEN', { message: `Only ${WHO[access]} may do this.` });
}

export function actorOf(principal: Principal | undefined): string {
  if (principal === undefined) return 'anonymous';
  return principal.kind === 'operator' ? 'operator' : `${principal.kind}:${principal.tokenId}`;
}
