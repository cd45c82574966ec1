import { KeywardError, type KmsPort, type StsPort } from '@keyward/core';
import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../services/audit-log.js';
import { AuditedKmsPort, AuditedStsPort, type AwsCallRecorder } from './audited-ports.js';
import { withActor } from './request-actor.js';

const KEY = 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const CONTEXT = { 'keyward:tenant': 'acme', 'keyward:key-version': '1' };

function recorder(fail = false): AwsCallRecorder & { entries: AuditEntry[] } {
  const entries: AuditEntry[] = [];
  return {
    entries,
    async record(entry) {
      if (fail) throw new Error('the audit store is down');
      entries.push(entry);
    },
  };
}

const kms = (decrypt: KmsPort['decrypt']): KmsPort => ({ decrypt }) as unknown as KmsPort;

describe('AuditedKmsPort', () => {
  it('records a success with the key, context, tenant, actor and AWS request id', async () => {
    const log = recorder();
    const port = new AuditedKmsPort(
      kms(async () => ({ plaintext: new Uint8Array(32), keyArn: KEY, requestId: 'req-1' })),
      log,
    );
    await withActor('service:t1', () =>
      port.decrypt(
        { region: 'us-east-1' },
        { keyId: KEY, ciphertextBlob: new Uint8Array(1), encryptionContext: CONTEXT },
      ),
    );
    expect(log.entries).toEqual([
      {
        tenantId: 'acme',
        actor: 'service:t1',
        operation: 'kms.Decrypt',
        outcome: 'success',
        details: { keyArn: KEY, region: 'us-east-1', encryptionContext: CONTEXT, requestId: 'req-1' },
      },
    ]);
    expect(JSON.stringify(log.entries)).not.toContain('plaintext');
  });

  it('records an AWS refusal as denied, with the AWS error and request id, and rethrows it', async () => {
    const log = recorder();
    const refusal = new KeywardError('KW_KMS_ACCESS_DENIED', {
      aws: { service: 'kms', operation: 'Decrypt', errorName: 'AccessDeniedException', requestId: 'req-2' },
    });
    const port = new AuditedKmsPort(
      kms(async () => {
        throw refusal;
      }),
      log,
      'acme',
    );
    await expect(
      port.decrypt(
        { region: 'us-east-1' },
        { keyId: KEY, ciphertextBlob: new Uint8Array(1), encryptionContext: {} },
      ),
    ).rejects.toBe(refusal);
    expect(log.entries[0]).toMatchObject({
      tenantId: 'acme',
      actor: 'keyward',
      outcome: 'denied',
      details: { code: 'KW_KMS_ACCESS_DENIED', awsError: 'AccessDeniedException', requestId: 'req-2' },
    });
  });

  it('records an outage as a failure', async () => {
    const log = recorder();
    const port = new AuditedKmsPort(
      kms(async () => {
        throw new KeywardError('KW_AWS_UNAVAILABLE');
      }),
      log,
      'acme',
    );
    await expect(
      port.decrypt(
        { region: 'us-east-1' },
        { keyId: KEY, ciphertextBlob: new Uint8Array(1), encryptionContext: {} },
      ),
    ).rejects.toThrow();
    expect(log.entries[0]).toMatchObject({ outcome: 'failure', details: { code: 'KW_AWS_UNAVAILABLE' } });
  });

  it('fails closed: a call whose record cannot be written is reported as failed', async () => {
    const port = new AuditedKmsPort(
      kms(async () => ({ plaintext: new Uint8Array(32), keyArn: KEY })),
      recorder(true),
    );
    await expect(
      port.decrypt(
        { region: 'us-east-1' },
        { keyId: KEY, ciphertextBlob: new Uint8Array(1), encryptionContext: CONTEXT },
      ),
    ).rejects.toThrow('the audit store is down');
  });
});

describe('AuditedStsPort', () => {
  it('records AssumeRole with the role and session, and whether an External ID was sent, not its value', async () => {
    const log = recorder();
    const sts: StsPort = {
      assumeRole: async () => ({
        accessKeyId: 'A',
        secretAccessKey: 'S',
        sessionToken: 'T',
        expiration: new Date(0),
        assumedRoleArn: 'arn',
        requestId: 'req-3',
      }),
    };
    await new AuditedStsPort(sts, log, 'acme').assumeRole({
      roleArn: 'arn:aws:iam::444455556666:role/r',
      externalId: 'kw-secretish',
      roleSessionName: 'keyward-acme',
    });
    expect(log.entries[0]).toMatchObject({
      tenantId: 'acme',
      operation: 'sts.AssumeRole',
      outcome: 'success',
      details: {
        roleArn: 'arn:aws:iam::444455556666:role/r',
        roleSessionName: 'keyward-acme',
        externalIdSent: true,
        requestId: 'req-3',
      },
    });
    expect(JSON.stringify(log.entries)).not.toContain('kw-secretish');
    expect(JSON.stringify(log.entries)).not.toContain('"S"');
  });
});
