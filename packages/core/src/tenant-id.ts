import { KeywardError } from './errors.js';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * Tenant IDs go into KMS encryption contexts, role session names and cache keys, so they are kept
 * to a safe alphabet: 1–128 characters of letters, digits, ".", "_" and "-".
 */
/** The last tenant ID that passed; starts as a value no caller can pass. */
let lastValid: unknown = Symbol('no tenant checked yet');

export function checkTenantId(tenantId: unknown): asserts tenantId is string {
  // Calls come in runs for one tenant; a string already checked needs no second regex.
  if (tenantId === lastValid) return;
  if (typeof tenantId !== 'string' || !TENANT_ID.test(tenantId)) {
    throw new KeywardError('KW_INVALID_TENANT_ID', {
      details: { tenantId: typeof tenantId === 'string' ? tenantId.slice(0, 200) : typeof tenantId },
    });
  }
  lastValid = tenantId;
}
