/**
 * The sandbox's whole world as plain JSON-able data, so that it can be persisted to a
 * data directory and restored verbatim. Times are epoch milliseconds. Policy documents are
 * kept as the text the caller sent (AWS returns them as sent, not re-serialised).
 */
export interface Tag {
  key: string;
  value: string;
}

export interface AccessKeyState {
  id: string;
  secret: string;
  status: 'Active' | 'Inactive';
  createDate: number;
}

export interface UserState {
  name: string;
  path: string;
  userId: string;
  arn: string;
  createDate: number;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  accessKeys: AccessKeyState[];
  tags: Tag[];
}

export interface RoleState {
  name: string;
  path: string;
  roleId: string;
  arn: string;
  createDate: number;
  description?: string;
  maxSessionDuration: number;
  trustPolicy: string;
  inlinePolicies: Record<string, string>;
  attachedPolicies: string[];
  tags: Tag[];
}

export interface ManagedPolicyState {
  name: string;
  path: string;
  policyId: string;
  arn: string;
  description?: string;
  document: string;
  createDate: number;
  updateDate: number;
}

export interface AccountState {
  id: string;
  alias?: string;
  /** Keyed by lower-cased name: IAM names are unique case-insensitively. */
  users: Record<string, UserState>;
  roles: Record<string, RoleState>;
  /** Customer managed policies, keyed by ARN. */
  policies: Record<string, ManagedPolicyState>;
}

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

export interface KeyMaterialState {
  id: string;
  /** 256-bit AES key, base64. Sandbox key material: never real customer data. */
  key: string;
  createdAt: number;
}

export interface RotationState {
  enabled: boolean;
  periodDays: number;
  nextRotationDate?: number;
  onDemandStartDate?: number;
  onDemandCount: number;
  history: { materialId: string; rotationDate: number; rotationType: 'AUTOMATIC' | 'ON_DEMAND' }[];
}

export interface KmsKeyState {
  keyId: string;
  arn: string;
  account: string;
  region: string;
  description: string;
  keyUsage: string;
  keySpec: string;
  origin: string;
  keyManager: 'CUSTOMER' | 'AWS';
  multiRegion: boolean;
  creationDate: number;
  state: KeyState;
  deletionDate?: number;
  pendingWindowDays?: number;
  policy: string;
  tags: Tag[];
  materials: KeyMaterialState[];
  currentMaterialId: string;
  rotation: RotationState;
}

export interface AliasState {
  aliasName: string;
  aliasArn: string;
  account: string;
  region: string;
  targetKeyId: string;
  creationDate: number;
  lastUpdatedDate: number;
}

export interface SessionState {
  accessKeyId: string;
  secret: string;
  token: string;
  account: string;
  roleName: string;
  roleArn: string;
  roleId: string;
  sessionName: string;
  issuedAt: number;
  expiresAt: number;
  sourceIdentity?: string;
  tags: Tag[];
  /** Session policies passed to AssumeRole (inline Policy and the documents of PolicyArns), if any. */
  sessionPolicies?: string[];
  /** Assumed by another role session (role chaining). */
  chained: boolean;
}

export interface SandboxData {
  version: 1;
  /** The sandbox's own key (base64) authenticating ciphertext blob headers; sandbox-wide, like KMS's service keys. */
  blobKey: string;
  accounts: Record<string, AccountState>;
  /** Keyed by key ARN. */
  keys: Record<string, KmsKeyState>;
  /** Keyed by alias ARN. */
  aliases: Record<string, AliasState>;
  /** Keyed by access key ID. */
  sessions: Record<string, SessionState>;
}
