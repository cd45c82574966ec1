import { serviceRolePolicies, type CheckReport, type PlatformIdentity } from '@keyward/core';
import type { ByokConfigs, TenantView } from '../store/byok-configs.js';
import type { SqlTenantKeyStore } from '../store/tenant-key-store.js';
import { allowedEvents, CMK_STATES, type ByokEvent, type ByokState } from '../store/byok-states.js';
import type { PlatformRoots, RootKeyView } from './platform-roots.js';
import type { Tenants } from './tenants.js';

/** A tenant's BYOK status: what the API's `GET …/byok` and the console's pages show. */
export interface ByokStatus {
  tenantId: string;
  state: ByokState;
  /** Whose key wraps the tenant's keys: the customer's CMK in the CMK states, else the platform's. */
  keyMode: 'platform' | 'customer';
  externalId: string | null;
  roleArn: string | null;
  cmkArn: string | null;
  region: string | null;
  stateSince: Date;
  stateReason: string | null;
  lastTestedAt: Date | null;
  lastTest: CheckReport | null;
  /** The operations a caller may request now. */
  allowed: ByokEvent[];
}

/** Setup step 5: the customer roles the platform's Service Role must be allowed to assume, and the policies that do it. */
export interface ServiceRolePolicyView {
  serviceRoleArn: string;
  registeredRoles: Array<{ tenantId: string; roleArn: string }>;
  policies: unknown[];
}

export interface ReadModelDeps {
  byokConfigs: ByokConfigs;
  tenants: Tenants;
  platformRoots: PlatformRoots;
  keyStore: SqlTenantKeyStore;
  platform: PlatformIdentity;
}

/**
 * What the API routes and the console both show, typed and read in one place: neither runs a
 * query of its own (ARCHITECTURE §5).
 */
export class ReadModels {
  constructor(private readonly deps: ReadModelDeps) {}

  async byokStatus(tenantId: string): Promise<ByokStatus> {
    // The tenant's own checks first (a malformed or unknown ID answers as everywhere else).
    await this.deps.tenants.get(tenantId);
    const config = await this.deps.byokConfigs.require(tenantId);
    return {
      tenantId,
      state: config.state,
      keyMode: CMK_STATES.includes(config.state) ? 'customer' : 'platform',
      externalId: config.externalId,
      roleArn: config.roleArn,
      cmkArn: config.cmkArn,
      region: config.region,
      stateSince: config.stateSince,
      stateReason: config.stateReason,
      lastTestedAt: config.lastTestedAt,
      lastTest: config.lastTest,
      allowed: allowedEvents(config.state),
    };
  }

  /** Every tenant with its BYOK state, by ID; only those in `state` when given. */
  async tenants(state?: string): Promise<TenantView[]> {
    const tenants = await this.deps.byokConfigs.tenantViews();
    return state === undefined ? tenants : tenants.filter((tenant) => tenant.byok.state === state);
  }

  async serviceRolePolicy(): Promise<ServiceRolePolicyView> {
    const registeredRoles = await this.deps.byokConfigs.registeredRoles();
    return {
      serviceRoleArn: this.deps.platform.serviceRoleArn,
      registeredRoles,
      policies: serviceRolePolicies(registeredRoles.map((role) => role.roleArn)),
    };
  }

  /** The platform root keys, newest first, with how many tenants each still wraps keys of. */
  async rootKeys(): Promise<RootKeyView[]> {
    const [keys, counts] = await Promise.all([
      this.deps.platformRoots.list(),
      this.deps.keyStore.tenantCountsByRoot(),
    ]);
    return keys.map((key) => ({ ...key, tenants: counts.get(key.id) ?? 0 }));
  }
}
