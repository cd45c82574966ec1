import { parseKmsKeyArn, roleIdentity, type CheckReport } from '@keyward/core';
import type { Updateable } from 'kysely';
import type { ByokEvent, ByokState } from './byok-states.js';
import type { ByokConfigsTable } from './schema.js';

// The types of the BYOK configuration repository (byok-configs.ts) and the mapping between its
// rows and them: no query here.

/** The customer's side of BYOK: the role Keyward assumes, the CMK, and the tenant's External ID. */
export interface CustomerKeyConfig {
  roleArn: string;
  cmkArn: string;
  externalId: string;
}

/** A tenant's BYOK configuration (one `byok_configs` row), typed. */
export interface ByokConfig {
  tenantId: string;
  state: ByokState;
  externalId: string | null;
  roleArn: string | null;
  cmkArn: string | null;
  region: string | null;
  stateSince: Date;
  stateReason: string | null;
  /** In rotating_cmk or reverting: the state it was held from, where an abort or a failure returns. */
  heldFrom: ByokState | null;
  lastTest: CheckReport | null;
  lastTestedAt: Date | null;
}

/** What a transition writes beside the state, state_since, held_from and updated_at (the repository derives those). */
export interface ByokChange {
  externalId?: string;
  /** The customer's role and CMK; the role identity (one role, one tenant) and region follow from them. */
  customerKey?: { roleArn: string; cmkArn: string };
  stateReason?: string | null;
  /** The last test's report and when it ran; null clears both (a new configuration needs a new test). */
  lastTest?: { report: CheckReport; at: Date } | null;
}

export interface ByokTransition {
  /**
   * The compare-and-set: the state (or one of the states) the caller acted on and, where it matters,
   * the configuration; anything else means someone else changed the tenant meanwhile.
   */
  expect: { state: ByokState | readonly ByokState[]; config?: CustomerKeyConfig };
  /** Passed to `transition()`, which decides the new state (and refuses what the state does not allow). */
  event: ByokEvent;
  set?: ByokChange;
  at: Date;
  /** Stamps state_since even when the state stays (a new External ID or configuration starts over). */
  restamp?: boolean;
}

export interface ByokMove {
  from: ByokState;
  to: ByokState;
}

/** A tenant as the API and the console list it. */
export interface TenantView {
  id: string;
  name: string;
  createdAt: Date;
  byok: {
    state: ByokState;
    externalId: string | null;
    roleArn: string | null;
    cmkArn: string | null;
    region: string | null;
    stateSince: Date;
    stateReason: string | null;
  };
}

/** What the root key resolver needs from the BYOK configuration. */
export interface ByokRoot {
  state: ByokState;
  heldFrom: ByokState | null;
  stateReason: string | null;
  roleArn: string | null;
  cmkArn: string | null;
  externalId: string | null;
}

export function sameConfig(
  row: { role_arn: string | null; cmk_arn: string | null; external_id: string | null },
  config: CustomerKeyConfig,
): boolean {
  return (
    row.role_arn === config.roleArn && row.cmk_arn === config.cmkArn && row.external_id === config.externalId
  );
}

/** The columns a change writes; the role identity and region always follow the ARNs. */
export function columnsOf(change: ByokChange): Updateable<ByokConfigsTable> {
  const key = change.customerKey;
  return {
    ...(change.externalId === undefined ? {} : { external_id: change.externalId }),
    ...(key === undefined
      ? {}
      : {
          role_arn: key.roleArn,
          role_identity: roleIdentity(key.roleArn),
          cmk_arn: key.cmkArn,
          region: parseKmsKeyArn(key.cmkArn).region,
        }),
    ...(change.stateReason === undefined ? {} : { state_reason: change.stateReason }),
    ...(change.lastTest === undefined
      ? {}
      : change.lastTest === null
        ? { last_test_report: null, last_tested_at: null }
        : { last_test_report: JSON.stringify(change.lastTest.report), last_tested_at: change.lastTest.at }),
  };
}

export function configOf(row: {
  tenant_id: string;
  state: string;
  external_id: string | null;
  role_arn: string | null;
  cmk_arn: string | null;
  region: string | null;
  state_since: Date;
  state_reason: string | null;
  held_from: string | null;
  last_test_report: unknown;
  last_tested_at: Date | null;
}): ByokConfig {
  return {
    tenantId: row.tenant_id,
    state: row.state as ByokState,
    externalId: row.external_id,
    roleArn: row.role_arn,
    cmkArn: row.cmk_arn,
    region: row.region,
    stateSince: new Date(row.state_since),
    stateReason: row.state_reason,
    heldFrom: row.held_from as ByokState | null,
    lastTest: (row.last_test_report ?? null) as CheckReport | null,
    lastTestedAt: row.last_tested_at === null ? null : new Date(row.last_tested_at),
  };
}
