import {
  AssumedRoleCredentialCache,
  CustomerKmsRootKey,
  KeywardError,
  type Clock,
  type KmsPort,
  type RootKey,
  type StsPort,
} from '@keyward/core';
import { AuditedKmsPort, AuditedStsPort, type AwsCallRecorder } from '../aws/audited-ports.js';
import type { ByokConfigs, CustomerKeyConfig } from '../store/byok-configs.js';
import { CMK_STATES } from '../store/byok-states.js';
import type { PlatformRoots } from './platform-roots.js';

export type { CustomerKeyConfig } from '../store/byok-configs.js';

/** The platform's AWS ports (signing as the Service Role) and where their calls are recorded. */
export interface RootKeyDeps {
  byokConfigs: ByokConfigs;
  kms: KmsPort;
  sts: StsPort;
  recorder: AwsCallRecorder;
  platform: PlatformRoots;
  clock?: Clock;
}

/**
 * Which root key wraps each tenant's keys, from the tenant's BYOK state: the customer's CMK while
 * BYOK is on (active, degraded, switching or reverting), the platform key otherwise (the one that
 * wraps the tenant's versions: during a platform key rotation, old or new). A revoked
 * tenant gets no root key at all: the data plane fails closed without asking AWS.
 */
export class RootKeys {
  readonly #customer = new Map<string, CustomerKmsRootKey>();

  constructor(private readonly deps: RootKeyDeps) {}

  get platform(): PlatformRoots {
    return this.deps.platform;
  }

  /**
   * core's RootKeyResolver. `wrappedBy` is the root the keyring read for the version it unwraps (or
   * for the latest, when rotating): a platform-managed tenant's versions are under the platform key
   * they name, current or retiring (a platform root rotation moves them); none (a new tenant) is the current one.
   */
  readonly resolve = async (tenantId: string, wrappedBy?: string): Promise<RootKey> => {
    const row = await this.deps.byokConfigs.rootOf(tenantId);
    if (row === undefined) throw new KeywardError('KW_TENANT_NOT_FOUND', { details: { tenantId } });
    const { state } = row;
    // A revert of a revoked tenant is the operator's; the data plane stays refused meanwhile.
    if (state === 'revoked' || (state === 'reverting' && row.heldFrom === 'revoked'))
      throw new KeywardError('KW_BYOK_REVOKED', { details: { tenantId, reason: row.stateReason } });
    if (!CMK_STATES.includes(state))
      return wrappedBy !== undefined && (await this.deps.platform.isPlatformRoot(wrappedBy))
        ? this.deps.platform.byId(wrappedBy)
        : this.deps.platform.current();
    if (row.roleArn === null || row.cmkArn === null || row.externalId === null) {
      throw new KeywardError('KW_ROOT_KEY_CONFIG', {
        message: `Tenant ${tenantId} is in BYOK state ${state} without a complete configuration.`,
      });
    }
    return this.customer(tenantId, { roleArn: row.roleArn, cmkArn: row.cmkArn, externalId: row.externalId });
  };

  /**
   * The customer's CMK as a root key, one instance per configuration, so that its assumed-role
   * session is reused. Its KMS and STS calls are audited under the tenant.
   */
  customer(tenantId: string, config: CustomerKeyConfig): CustomerKmsRootKey {
    const id = [tenantId, config.roleArn, config.cmkArn, config.externalId].join('\u0000');
    let root = this.#customer.get(id);
    if (root === undefined) {
      const { sts, kms } = this.auditedPorts(tenantId);
      const credentials = new AssumedRoleCredentialCache(
        sts,
        this.deps.clock === undefined ? {} : { clock: this.deps.clock },
      );
      root = new CustomerKmsRootKey({
        kms,
        credentials,
        tenantId,
        roleArn: config.roleArn,
        keyArn: config.cmkArn,
        externalId: config.externalId,
      });
      this.#customer.set(id, root);
    }
    return root;
  }

  /** The platform's ports, with every call recorded under this tenant (the onboarding test uses them). */
  auditedPorts(tenantId: string): { kms: KmsPort; sts: StsPort } {
    return {
      kms: new AuditedKmsPort(this.deps.kms, this.deps.recorder, tenantId),
      sts: new AuditedStsPort(this.deps.sts, this.deps.recorder, tenantId),
    };
  }

  /** Forgets a tenant's customer root keys and their sessions (after a switch, a revert, a new External ID). */
  forget(tenantId: string): void {
    for (const [id, root] of this.#customer) {
      if (id.startsWith(`${tenantId}\u0000`)) {
        root.forgetSession();
        this.#customer.delete(id);
      }
    }
  }
}
