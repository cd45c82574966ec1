import {
  isKeywardError,
  KeywardError,
  type FloorsUpdate,
  type Keyward,
  type KeyringInfo,
  type KeyVersionPolicy,
  type KeyVersionInfo,
} from '@keyward/core';
import type { Transaction } from 'kysely';
import type { ByokConfigs } from '../store/byok-configs.js';
import type { Database } from '../store/schema.js';
import type { AuditLog } from './audit-log.js';
import { HOLDING_STATES } from '../store/byok-states.js';
import { notMovingGuard } from './key-transition.js';

/** Tenant key versions: list, rotate, floors; each change audited. */
export class KeyManagement {
  constructor(
    private readonly byokConfigs: ByokConfigs,
    private readonly keyward: Keyward<Transaction<Database>>,
    private readonly audit: AuditLog,
  ) {}

  async list(tenantId: string): Promise<KeyringInfo> {
    await this.byokConfigs.require(tenantId);
    return this.keyward.listKeyVersions(tenantId);
  }

  async rotate(tenantId: string, actor: string): Promise<KeyVersionInfo> {
    await this.#notBusy(tenantId, 'rotate the tenant key');
    return this.#audited(tenantId, actor, 'keys.rotate', async () => {
      // Checked again in the rotation's own transaction: a switch or revert may start meanwhile.
      const info = await this.keyward.rotateTenantKey(tenantId, {
        guard: notMovingGuard(this.byokConfigs, tenantId),
      });
      return { result: info, details: { version: info.version, rootKeyId: info.rootKeyId } };
    });
  }

  async setFloors(tenantId: string, floors: FloorsUpdate, actor: string): Promise<KeyVersionPolicy> {
    await this.#notBusy(tenantId, 'set the key version floors');
    return this.#audited(tenantId, actor, 'keys.floors', async () => {
      const policy = await this.keyward.setFloors(tenantId, floors);
      return { result: policy, details: { ...policy } };
    });
  }

  async #notBusy(tenantId: string, what: string): Promise<void> {
    const { state } = await this.byokConfigs.require(tenantId);
    // While a CMK switch or a revert moves the keys, a new version would land under the wrong root.
    if (HOLDING_STATES.includes(state))
      throw new KeywardError('KW_STATE_CONFLICT', {
        message: `Cannot ${what} while BYOK is ${state.replaceAll('_', ' ')}; try again when it is done.`,
        details: { state },
      });
  }

  /**
   * Runs `work` and audits its outcome. The change itself commits in core's store call, before its
   * event: should the event fail to write, the caller gets the error, and the change is visible in
   * the key listing (a rotation is not repeated blindly: retrying rotates again, knowingly).
   */
  async #audited<T>(
    tenantId: string,
    actor: string,
    operation: string,
    work: () => Promise<{ result: T; details: Record<string, unknown> }>,
  ): Promise<T> {
    let done: { result: T; details: Record<string, unknown> };
    try {
      done = await work();
    } catch (error) {
      await this.audit.append({
        tenantId,
        actor,
        operation,
        outcome: 'failure',
        details: { code: isKeywardError(error) ? error.code : 'KW_INTERNAL' },
      });
      throw error;
    }
    await this.audit.append({ tenantId, actor, operation, outcome: 'success', details: done.details });
    return done.result;
  }
}
