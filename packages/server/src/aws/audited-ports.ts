import {
  isKeywardError,
  type AssumeRoleRequest,
  type KmsPort,
  type KmsTarget,
  type StsPort,
} from '@keyward/core';
import type { AuditEntry } from '../audit-entry.js';
import { currentActor } from './request-actor.js';

/** Where audited calls go, as audit entries: the audit log, and the metrics' call counter. */
export interface AwsCallRecorder {
  record(entry: AuditEntry, call: { service: 'kms' | 'sts'; operation: string }): Promise<void>;
}

const TENANT_KEY = 'keyward:tenant';

/**
 * Records a KMS or STS call: after it returns or fails, one audit event with the key or role, the
 * encryption context, the outcome and AWS's request id. The recording is awaited, so a call whose
 * record cannot be written is reported as failed (fail closed: no unaudited use of a customer key).
 */
async function audited<T extends { requestId?: string }>(
  recorder: AwsCallRecorder,
  call: {
    service: 'kms' | 'sts';
    operation: string;
    tenantId: string | null;
    details: Record<string, unknown>;
  },
  run: () => Promise<T>,
): Promise<T> {
  const base = {
    tenantId: call.tenantId,
    actor: currentActor(),
    operation: `${call.service}.${call.operation}`,
  };
  let result: T;
  try {
    result = await run();
  } catch (error) {
    const failure = isKeywardError(error)
      ? {
          code: error.code,
          ...(error.aws === undefined
            ? {}
            : { awsError: error.aws.errorName, requestId: error.aws.requestId ?? null }),
        }
      : { code: 'KW_INTERNAL' };
    const outcome = isKeywardError(error) && error.category === 'revoked' ? 'denied' : 'failure';
    await recorder.record({ ...base, outcome, details: { ...call.details, ...failure } }, call);
    throw error;
  }
  await recorder.record(
    { ...base, outcome: 'success', details: { ...call.details, requestId: result.requestId ?? null } },
    call,
  );
  return result;
}

/**
 * A KmsPort that audits every call. The tenant is the one this port serves, or else the one named
 * in the call's encryption context (the platform key serves every platform-managed tenant).
 */
export class AuditedKmsPort implements KmsPort {
  constructor(
    private readonly inner: KmsPort,
    private readonly recorder: AwsCallRecorder,
    private readonly tenantId?: string,
  ) {}

  #tenant(context?: Record<string, string>): string | null {
    return this.tenantId ?? context?.[TENANT_KEY] ?? null;
  }

  generateDataKey(target: KmsTarget, request: Parameters<KmsPort['generateDataKey']>[1]) {
    const details = {
      keyArn: request.keyId,
      region: target.region,
      encryptionContext: request.encryptionContext,
    };
    return audited(
      this.recorder,
      {
        service: 'kms',
        operation: 'GenerateDataKey',
        tenantId: this.#tenant(request.encryptionContext),
        details,
      },
      () => this.inner.generateDataKey(target, request),
    );
  }

  encrypt(target: KmsTarget, request: Parameters<KmsPort['encrypt']>[1]) {
    const details = {
      keyArn: request.keyId,
      region: target.region,
      encryptionContext: request.encryptionContext,
    };
    return audited(
      this.recorder,
      { service: 'kms', operation: 'Encrypt', tenantId: this.#tenant(request.encryptionContext), details },
      () => this.inner.encrypt(target, request),
    );
  }

  decrypt(target: KmsTarget, request: Parameters<KmsPort['decrypt']>[1]) {
    const details = {
      keyArn: request.keyId,
      region: target.region,
      encryptionContext: request.encryptionContext,
    };
    return audited(
      this.recorder,
      { service: 'kms', operation: 'Decrypt', tenantId: this.#tenant(request.encryptionContext), details },
      () => this.inner.decrypt(target, request),
    );
  }

  describeKey(target: KmsTarget, request: Parameters<KmsPort['describeKey']>[1]) {
    const details = { keyArn: request.keyId, region: target.region };
    return audited(
      this.recorder,
      { service: 'kms', operation: 'DescribeKey', tenantId: this.#tenant(), details },
      () => this.inner.describeKey(target, request),
    );
  }

  reEncrypt(target: KmsTarget, request: Parameters<KmsPort['reEncrypt']>[1]) {
    const details = {
      keyArn: request.destinationKeyId,
      sourceKeyArn: request.sourceKeyId,
      region: target.region,
      encryptionContext: request.destinationEncryptionContext,
    };
    return audited(
      this.recorder,
      {
        service: 'kms',
        operation: 'ReEncrypt',
        tenantId: this.#tenant(request.sourceEncryptionContext),
        details,
      },
      () => this.inner.reEncrypt(target, request),
    );
  }
}

/** An StsPort that audits every AssumeRole made for a tenant (never the External ID itself in clear: it is a shared secret of sorts, so only whether one was sent). */
export class AuditedStsPort implements StsPort {
  constructor(
    private readonly inner: StsPort,
    private readonly recorder: AwsCallRecorder,
    private readonly tenantId: string | null,
  ) {}

  assumeRole(request: AssumeRoleRequest) {
    const details = {
      roleArn: request.roleArn,
      roleSessionName: request.roleSessionName,
      externalIdSent: request.externalId !== undefined,
    };
    return audited(
      this.recorder,
      { service: 'sts', operation: 'AssumeRole', tenantId: this.tenantId, details },
      () => this.inner.assumeRole(request),
    );
  }
}
