/**
 * The narrow ports core logic uses instead of AWS SDK clients (ARCHITECTURE §5). The SDK adapters
 * implement them; tests may too. Every failure is a KeywardError from the catalogue.
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** When temporary credentials stop working. */
  expiration?: Date;
}

/** Which region a call goes to, and whose credentials sign it (omitted: the platform's own). */
export interface KmsTarget {
  region: string;
  credentials?: AwsCredentials;
}

export interface KmsGenerateDataKeyResult {
  /** The plaintext data key; the caller must zero it. */
  plaintext: Uint8Array;
  ciphertextBlob: Uint8Array;
  keyArn: string;
  /** AWS's request id, for the audit trail. */
  requestId?: string;
}

export interface KmsKeyDescription {
  keyArn: string;
  keyState: string;
  keySpec: string;
  keyUsage: string;
  keyManager: string;
  enabled: boolean;
  multiRegion: boolean;
  deletionDate?: Date;
  requestId?: string;
}

export interface KmsPort {
  generateDataKey(
    target: KmsTarget,
    request: { keyId: string; encryptionContext: Record<string, string> },
  ): Promise<KmsGenerateDataKeyResult>;
  encrypt(
    target: KmsTarget,
    request: { keyId: string; plaintext: Uint8Array; encryptionContext: Record<string, string> },
  ): Promise<{ ciphertextBlob: Uint8Array; keyArn: string; requestId?: string }>;
  /** Decrypt with KeyId set, so KMS refuses a blob that some other key produced. */
  decrypt(
    target: KmsTarget,
    request: { keyId: string; ciphertextBlob: Uint8Array; encryptionContext: Record<string, string> },
  ): Promise<{ plaintext: Uint8Array; keyArn: string; requestId?: string }>;
  describeKey(target: KmsTarget, request: { keyId: string }): Promise<KmsKeyDescription>;
  /** ReEncrypt from one key (and context) to another; used by the onboarding test to check the permission. */
  reEncrypt(
    target: KmsTarget,
    request: {
      ciphertextBlob: Uint8Array;
      sourceKeyId: string;
      destinationKeyId: string;
      sourceEncryptionContext: Record<string, string>;
      destinationEncryptionContext: Record<string, string>;
    },
  ): Promise<{ ciphertextBlob: Uint8Array; keyArn: string; requestId?: string }>;
}

export interface AssumeRoleRequest {
  roleArn: string;
  /** Omitted only by the onboarding test's confused-deputy probe, which expects a refusal. */
  externalId?: string;
  roleSessionName: string;
  durationSeconds?: number;
  sourceIdentity?: string;
}

export interface StsPort {
  assumeRole(
    request: AssumeRoleRequest,
  ): Promise<AwsCredentials & { expiration: Date; assumedRoleArn: string; requestId?: string }>;
}
