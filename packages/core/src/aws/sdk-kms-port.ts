import type { KMSClient } from '@aws-sdk/client-kms';
import {
  DecryptCommand,
  DescribeKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { systemClock, type Clock } from '../clock.js';
import { KeywardError } from '../errors.js';
import { KmsClientCache } from './client-cache.js';
import type { AwsClientOptions } from './client-options.js';
import { mapAwsError } from './error-mapping.js';
import type { KmsGenerateDataKeyResult, KmsKeyDescription, KmsPort, KmsTarget } from './ports.js';

function required<T>(value: T | undefined, field: string, operation: string): T {
  if (value === undefined) {
    throw new KeywardError('KW_AWS_ERROR', {
      message: `AWS KMS ${operation} answered without ${field}.`,
      aws: { service: 'kms', operation, errorName: 'MissingField' },
    });
  }
  return value;
}

/** AWS's request id of a successful call, for the audit trail (it finds the call in CloudTrail). */
export function requestIdOf(out: { $metadata?: { requestId?: string } }): { requestId?: string } {
  const requestId = out.$metadata?.requestId;
  return requestId === undefined ? {} : { requestId };
}

/** KmsPort over `@aws-sdk/client-kms`: every error leaves as a catalogued KeywardError. */
export class SdkKmsPort implements KmsPort {
  readonly #clients: KmsClientCache;

  constructor(options: AwsClientOptions, clock: Clock = systemClock) {
    this.#clients = new KmsClientCache(options, clock);
  }

  async generateDataKey(
    target: KmsTarget,
    request: { keyId: string; encryptionContext: Record<string, string> },
  ): Promise<KmsGenerateDataKeyResult> {
    const operation = 'GenerateDataKey';
    const out = await this.#call(target, operation, (client) =>
      client.send(
        new GenerateDataKeyCommand({
          KeyId: request.keyId,
          KeySpec: 'AES_256',
          EncryptionContext: request.encryptionContext,
        }),
      ),
    );
    return {
      plaintext: required(out.Plaintext, 'Plaintext', operation),
      ciphertextBlob: required(out.CiphertextBlob, 'CiphertextBlob', operation),
      keyArn: required(out.KeyId, 'KeyId', operation),
      ...requestIdOf(out),
    };
  }

  async encrypt(
    target: KmsTarget,
    request: { keyId: string; plaintext: Uint8Array; encryptionContext: Record<string, string> },
  ): Promise<{ ciphertextBlob: Uint8Array; keyArn: string }> {
    const operation = 'Encrypt';
    const out = await this.#call(target, operation, (client) =>
      client.send(
        new EncryptCommand({
          KeyId: request.keyId,
          Plaintext: request.plaintext,
          EncryptionContext: request.encryptionContext,
        }),
      ),
    );
    return {
      ciphertextBlob: required(out.CiphertextBlob, 'CiphertextBlob', operation),
      keyArn: required(out.KeyId, 'KeyId', operation),
      ...requestIdOf(out),
    };
  }

  async decrypt(
    target: KmsTarget,
    request: { keyId: string; ciphertextBlob: Uint8Array; encryptionContext: Record<string, string> },
  ): Promise<{ plaintext: Uint8Array; keyArn: string }> {
    const operation = 'Decrypt';
    const out = await this.#call(target, operation, (client) =>
      client.send(
        new DecryptCommand({
          KeyId: request.keyId,
          CiphertextBlob: request.ciphertextBlob,
          EncryptionContext: request.encryptionContext,
        }),
      ),
    );
    return {
      plaintext: required(out.Plaintext, 'Plaintext', operation),
      keyArn: required(out.KeyId, 'KeyId', operation),
      ...requestIdOf(out),
    };
  }

  async describeKey(target: KmsTarget, request: { keyId: string }): Promise<KmsKeyDescription> {
    const operation = 'DescribeKey';
    const out = await this.#call(target, operation, (client) =>
      client.send(new DescribeKeyCommand({ KeyId: request.keyId })),
    );
    const metadata = required(out.KeyMetadata, 'KeyMetadata', operation);
    const description: KmsKeyDescription = {
      keyArn: required(metadata.Arn, 'KeyMetadata.Arn', operation),
      keyState: metadata.KeyState ?? 'Unknown',
      keySpec: metadata.KeySpec ?? 'Unknown',
      keyUsage: metadata.KeyUsage ?? 'Unknown',
      keyManager: metadata.KeyManager ?? 'Unknown',
      enabled: metadata.Enabled === true,
      multiRegion: metadata.MultiRegion === true,
      ...requestIdOf(out),
    };
    if (metadata.DeletionDate !== undefined) description.deletionDate = metadata.DeletionDate;
    return description;
  }

  async reEncrypt(
    target: KmsTarget,
    request: {
      ciphertextBlob: Uint8Array;
      sourceKeyId: string;
      destinationKeyId: string;
      sourceEncryptionContext: Record<string, string>;
      destinationEncryptionContext: Record<string, string>;
    },
  ): Promise<{ ciphertextBlob: Uint8Array; keyArn: string }> {
    const operation = 'ReEncrypt';
    const out = await this.#call(target, operation, (client) =>
      client.send(
        new ReEncryptCommand({
          CiphertextBlob: request.ciphertextBlob,
          SourceKeyId: request.sourceKeyId,
          DestinationKeyId: request.destinationKeyId,
          SourceEncryptionContext: request.sourceEncryptionContext,
          DestinationEncryptionContext: request.destinationEncryptionContext,
        }),
      ),
    );
    return {
      ciphertextBlob: required(out.CiphertextBlob, 'CiphertextBlob', operation),
      keyArn: required(out.KeyId, 'KeyId', operation),
      ...requestIdOf(out),
    };
  }

  close(): void {
    this.#clients.close();
  }

  async #call<Output>(
    target: KmsTarget,
    operation: string,
    send: (client: KMSClient) => Promise<Output>,
  ): Promise<Output> {
    try {
      return await send(this.#clients.get(target.region, target.credentials));
    } catch (error) {
      throw mapAwsError(error, 'kms', operation);
    }
  }
}
