import { ACCOUNT_ID_PATTERN, parseArn } from '../arn.js';
import type { SandboxStore } from '../state/store.js';
import type { Policy, PrincipalSpec } from './types.js';

/**
 * IAM and KMS refuse policies that name principals which do not exist ("Invalid principal in
 * policy"). The sandbox can check this for the accounts it knows; principals in accounts it has
 * never heard of are accepted, as they would be for a real account elsewhere.
 * Returns the first invalid principal, or undefined.
 */
export function findInvalidPrincipal(store: SandboxStore, policy: Policy): string | undefined {
  for (const statement of policy.statements) {
    for (const spec of [statement.principal, statement.notPrincipal]) {
      if (!spec) continue;
      const invalid = invalidInSpec(store, spec);
      if (invalid) return invalid;
    }
  }
  return undefined;
}

function invalidInSpec(store: SandboxStore, spec: PrincipalSpec): string | undefined {
  for (const entry of spec.aws) if (!awsPrincipalExists(store, entry)) return `"AWS":"${entry}"`;
  for (const entry of spec.service)
    if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(entry)) return `"Service":"${entry}"`;
  return undefined;
}

function awsPrincipalExists(store: SandboxStore, entry: string): boolean {
  if (ACCOUNT_ID_PATTERN.test(entry)) return true;
  const arn = parseArn(entry);
  if (!arn || arn.region !== '' || !ACCOUNT_ID_PATTERN.test(arn.account)) return false;
  const known = store.account(arn.account) !== undefined;
  if (arn.service === 'iam') {
    if (arn.resource === 'root') return true;
    const [kind, ...rest] = arn.resource.split('/');
    const name = rest.at(-1);
    if (!name || (kind !== 'role' && kind !== 'user')) return false;
    if (!known) return true;
    const entity = kind === 'role' ? store.role(arn.account, name) : store.user(arn.account, name);
    return entity !== undefined && entity.arn === entry;
  }
  if (arn.service === 'sts') {
    const [kind, role, session] = arn.resource.split('/');
    if (kind !== 'assumed-role' || !role || !session) return false;
    return !known || store.role(arn.account, role) !== undefined;
  }
  return false;
}
