import { awsManagedPolicy } from './aws-managed-policies.js';
import { withSafeRecords } from './safe-records.js';
import type {
  AccessKeyState,
  AccountState,
  AliasState,
  KmsKeyState,
  ManagedPolicyState,
  RoleState,
  SandboxData,
  SessionState,
  UserState,
} from './types.js';

export type CredentialOwner =
  | { kind: 'user'; account: AccountState; user: UserState; key: AccessKeyState }
  | { kind: 'session'; session: SessionState };

/** Expired sessions are kept this long so that callers get ExpiredToken rather than "unknown key". */
const EXPIRED_SESSION_RETENTION_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 1000;

/**
 * Lookups and bookkeeping over the sandbox's data. Operations mutate the data objects
 * directly and then call `commit()`, which persists when a data directory is configured.
 */
export class SandboxStore {
  private accessKeyIndex = new Map<string, { account: string; user: string }>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  data: SandboxData;

  constructor(
    data: SandboxData,
    private readonly persist: (data: SandboxData) => void = () => undefined,
  ) {
    this.data = withSafeRecords(data);
    this.reindex();
  }

  replace(data: SandboxData): void {
    this.data = withSafeRecords(data);
    this.reindex();
    this.commit();
  }

  commit(): void {
    this.persist(this.data);
  }

  private reindex(): void {
    this.accessKeyIndex.clear();
    for (const account of Object.values(this.data.accounts)) {
      for (const user of Object.values(account.users)) {
        for (const key of user.accessKeys)
          this.accessKeyIndex.set(key.id, { account: account.id, user: user.name.toLowerCase() });
      }
    }
  }

  blobKey(): Buffer {
    return Buffer.from(this.data.blobKey, 'base64');
  }

  account(id: string): AccountState | undefined {
    return this.data.accounts[id];
  }

  credentialOwner(accessKeyId: string): CredentialOwner | undefined {
    /* The maps have no prototype (safe-records.ts), so an ID such as `constructor` finds nothing. */
    const session = this.data.sessions[accessKeyId];
    if (session) return { kind: 'session', session };
    const entry = this.accessKeyIndex.get(accessKeyId);
    if (!entry) return undefined;
    const account = this.data.accounts[entry.account];
    const user = account?.users[entry.user];
    const key = user?.accessKeys.find((candidate) => candidate.id === accessKeyId);
    return account && user && key ? { kind: 'user', account, user, key } : undefined;
  }

  user(accountId: string, name: string): UserState | undefined {
    return this.data.accounts[accountId]?.users[name.toLowerCase()];
  }

  role(accountId: string, name: string): RoleState | undefined {
    return this.data.accounts[accountId]?.roles[name.toLowerCase()];
  }

  /** A customer managed policy of any account, or an AWS managed one. */
  managedPolicy(arn: string): ManagedPolicyState | undefined {
    const aws = awsManagedPolicy(arn);
    if (aws) return aws;
    const account = /^arn:[^:]+:iam::(\d{12}):policy\//.exec(arn)?.[1];
    return account ? this.data.accounts[account]?.policies[arn] : undefined;
  }

  /** How many roles and users, in any account, have the managed policy attached. */
  attachmentCount(arn: string): number {
    let count = 0;
    for (const account of Object.values(this.data.accounts)) {
      for (const role of Object.values(account.roles)) if (role.attachedPolicies.includes(arn)) count++;
      for (const user of Object.values(account.users)) if (user.attachedPolicies.includes(arn)) count++;
    }
    return count;
  }

  key(arn: string): KmsKeyState | undefined {
    return this.data.keys[arn];
  }

  keysIn(accountId: string, region: string): KmsKeyState[] {
    return Object.values(this.data.keys).filter((key) => key.account === accountId && key.region === region);
  }

  alias(aliasArn: string): AliasState | undefined {
    return this.data.aliases[aliasArn];
  }

  aliasesIn(accountId: string, region: string): AliasState[] {
    return Object.values(this.data.aliases).filter(
      (alias) => alias.account === accountId && alias.region === region,
    );
  }

  /**
   * Removes keys whose deletion window has passed (with their aliases) and sessions long
   * expired. Called before each request, so "past the window the key is gone" (within a second).
   */
  sweep(now: number): void {
    /* At most once per second of resource time: a request must not pay for scanning every key and session. */
    if (now >= this.lastSweep && now - this.lastSweep < SWEEP_INTERVAL_MS) return;
    this.lastSweep = now;
    let changed = false;
    for (const [arn, key] of Object.entries(this.data.keys)) {
      if (key.state !== 'PendingDeletion' || key.deletionDate === undefined || key.deletionDate > now)
        continue;
      delete this.data.keys[arn];
      for (const [aliasArn, alias] of Object.entries(this.data.aliases)) {
        if (alias.account === key.account && alias.region === key.region && alias.targetKeyId === key.keyId)
          delete this.data.aliases[aliasArn];
      }
      changed = true;
    }
    for (const [id, session] of Object.entries(this.data.sessions)) {
      if (session.expiresAt + EXPIRED_SESSION_RETENTION_MS > now) continue;
      delete this.data.sessions[id];
      changed = true;
    }
    if (changed) this.commit();
  }
}
