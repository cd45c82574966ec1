import type { ColumnType, Generated } from 'kysely';

/**
 * The database of one Keyward deployment, the same on PGlite and PostgreSQL. Nothing in it can
 * decrypt anything alone: tenant keys are stored only wrapped by a root key (a KMS key, or a local
 * master key in development), and API tokens only as hashes.
 */
export interface TenantsTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface ByokConfigsTable {
  tenant_id: string;
  /** not_configured → pending → validated → active → degraded | revoked; rotating_cmk; reverting → platform_managed. */
  state: string;
  external_id: string | null;
  role_arn: string | null;
  /** Account and lower-cased role name: one role, one tenant (unique). */
  role_identity: string | null;
  cmk_arn: string | null;
  region: string | null;
  last_test_report: ColumnType<unknown, string | null, string | null> | null;
  last_tested_at: Date | null;
  state_reason: string | null;
  /** In rotating_cmk or reverting: the state an abort returns to. */
  held_from: string | null;
  state_since: ColumnType<Date, Date | string | undefined, Date | string>;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface TenantKeyPoliciesTable {
  tenant_id: string;
  latest_version: number;
  min_encryption_version: number;
  min_decryption_version: number;
}

export interface TenantKeyVersionsTable {
  tenant_id: string;
  version: number;
  wrapped_key: Uint8Array;
  root_key_id: string;
  created_at: Date;
}

export interface AuditEventsTable {
  id: Generated<string>;
  tenant_id: string | null;
  at: Date;
  actor: string;
  operation: string;
  outcome: string;
  details: ColumnType<unknown, string, never>;
  /** SHA-256 of the previous event's hash and this event's canonical content. */
  hash: string;
  previous_hash: string;
}

export interface ApiTokensTable {
  id: string;
  /** SHA-256 of the token: the token itself is shown once and never stored. */
  token_hash: string;
  kind: string;
  tenant_id: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

/**
 * A background job (ARCHITECTURE §6): what the API shows and what workers claim. A root-key
 * rotation is a parent job whose children re-wrap one tenant each.
 */
export interface JobsTable {
  id: string;
  parent_id: string | null;
  tenant_id: string | null;
  kind: string;
  /** queued → running → succeeded | failed | cancelled (running again if its worker died). */
  state: string;
  /** Items (key versions, or tenants for a parent) done, out of total. */
  done: number;
  total: number;
  payload: ColumnType<unknown, string, string>;
  result: ColumnType<unknown, string | null, string | null> | null;
  /** `{ code, message }` of the last failure, JSON. */
  error: string | null;
  actor: ColumnType<string, string | undefined, string>;
  attempts: ColumnType<number, number | undefined, number>;
  run_after: ColumnType<Date, Date | string | undefined, Date | string>;
  /** The instance holding the job, and until when: past that, any instance may take it over. */
  locked_by: string | null;
  locked_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: ColumnType<Date, Date | string, never>;
  updated_at: ColumnType<Date, Date | string, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** Platform root keys by their RootKey id: one current; retiring ones still wrap some tenant keys. */
export interface PlatformRootKeysTable {
  id: string;
  state: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  retired_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export interface WebhooksTable {
  /** A tenant ID, or `:operator`. */
  scope: string;
  url: string;
  /** The HMAC signing secret, wrapped by the platform root key (never stored in the clear). */
  wrapped_secret: Uint8Array;
  root_key_id: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}

/** An admin console sign-in: the session ID's hash (the ID is only in the browser's cookie). */
export interface ConsoleSessionsTable {
  id_hash: string;
  kind: string;
  /** The API token it was opened with (`operator:<fingerprint>` for the operator's). */
  token_id: string;
  tenant_id: string | null;
  csrf_token: string;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  expires_at: Date;
}

export interface Database {
  tenants: TenantsTable;
  byok_configs: ByokConfigsTable;
  tenant_key_policies: TenantKeyPoliciesTable;
  tenant_key_versions: TenantKeyVersionsTable;
  audit_events: AuditEventsTable;
  api_tokens: ApiTokensTable;
  jobs: JobsTable;
  webhooks: WebhooksTable;
  platform_root_keys: PlatformRootKeysTable;
  console_sessions: ConsoleSessionsTable;
}
