import type { KmsKeyState } from '../state/types.js';

/** KMS timestamps are epoch seconds, as JSON numbers (possibly fractional). */
export const epochSeconds = (ms: number): number => ms / 1000;

function algorithms(key: KmsKeyState): Record<string, string[]> {
  if (key.keySpec === 'SYMMETRIC_DEFAULT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  if (key.keySpec.startsWith('HMAC_')) return { MacAlgorithms: [`HMAC_SHA_${key.keySpec.slice(5)}`] };
  if (key.keySpec.startsWith('RSA_')) {
    return key.keyUsage === 'ENCRYPT_DECRYPT'
      ? { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] }
      : {
          SigningAlgorithms: [
            'RSASSA_PKCS1_V1_5_SHA_256',
            'RSASSA_PKCS1_V1_5_SHA_384',
            'RSASSA_PKCS1_V1_5_SHA_512',
            'RSASSA_PSS_SHA_256',
            'RSASSA_PSS_SHA_384',
            'RSASSA_PSS_SHA_512',
          ],
        };
  }
  if (key.keyUsage === 'KEY_AGREEMENT') return { KeyAgreementAlgorithms: ['ECDH'] };
  return { SigningAlgorithms: ['ECDSA_SHA_256'] };
}

/** The KeyMetadata structure, with the fields real KMS returns for the key's kind and state. */
export function keyMetadata(key: KmsKeyState): Record<string, unknown> {
  return {
    AWSAccountId: key.account,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: epochSeconds(key.creationDate),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: key.keyUsage,
    KeyState: key.state,
    ...(key.deletionDate !== undefined ? { DeletionDate: epochSeconds(key.deletionDate) } : {}),
    Origin: key.origin,
    KeyManager: key.keyManager,
    CustomerMasterKeySpec: key.keySpec,
    KeySpec: key.keySpec,
    ...algorithms(key),
    MultiRegion: key.multiRegion,
    ...(key.keySpec === 'SYMMETRIC_DEFAULT' ? { CurrentKeyMaterialId: key.currentMaterialId } : {}),
  };
}
