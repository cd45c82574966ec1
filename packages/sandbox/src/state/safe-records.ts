import type { SandboxData } from './types.js';

/**
 * Names in the sandbox's maps come from callers (role names, policy names, access key IDs), and
 * IAM allows names such as `__proto__` and `constructor`. Maps without a prototype store and find
 * those like any other name, instead of touching Object.prototype.
 */
export function nullRecord<T>(entries: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, entries);
}

function copyRecord<T>(
  source: Record<string, T>,
  convert: (value: T) => T = (value) => value,
): Record<string, T> {
  const target = nullRecord<T>();
  for (const key of Object.keys(source)) target[key] = convert(source[key]!);
  return target;
}

export function withSafeRecords(data: SandboxData): SandboxData {
  return {
    ...data,
    accounts: copyRecord(data.accounts, (account) => ({
      ...account,
      users: copyRecord(account.users, (user) => ({
        ...user,
        inlinePolicies: copyRecord(user.inlinePolicies),
      })),
      roles: copyRecord(account.roles, (role) => ({
        ...role,
        inlinePolicies: copyRecord(role.inlinePolicies),
      })),
      policies: copyRecord(account.policies),
    })),
    keys: copyRecord(data.keys),
    aliases: copyRecord(data.aliases),
    sessions: copyRecord(data.sessions),
  };
}
