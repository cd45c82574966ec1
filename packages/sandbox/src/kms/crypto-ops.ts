import type { OperationContext } from '../operation-context.js';
import { AwsError } from '../protocol/aws-error.js';
import type { KmsKeyState } from '../state/types.js';
import { requireKeyPermission } from './authorize-key.js';
import { openBlob, readBlobHeader, sealBlob } from './ciphertext-blob.js';
import { checkEncryptionContext } from './encryption-context.js';
import {
  currentMaterialKey,
  materialKey,
  requireSymmetricEncryption,
  requireUsableForCrypto,
} from './key-state.js';
import { resolveKey } from './resolve-key.js';

/** The parts of Encrypt, Decrypt, ReEncrypt and GenerateDataKey* they have in common. */
export async function keyForEncryption(
  context: OperationContext,
  keyId: string,
  action: string,
  encryptionContext: Record<string, string> | undefined,
  operation: string,
): Promise<KmsKeyState> {
  checkEncryptionContext(encryptionContext);
  const key = await resolveKey(context, keyId, { aliases: true, crossAccount: true, action });
  requireKeyPermission(context, key, action, encryptionContext);
  requireUsableForCrypto(key);
  requireSymmetricEncryption(key, operation);
  return key;
}

export function sealUnder(
  context: OperationContext,
  key: KmsKeyState,
  plaintext: Buffer,
  encryptionContext: Record<string, string> | undefined,
): Buffer {
  return sealBlob(
    context.store.blobKey(),
    { keyArn: key.arn, materialId: key.currentMaterialId },
    currentMaterialKey(key),
    plaintext,
    encryptionContext,
  );
}

export function refuseDryRun(dryRun: boolean | undefined): void {
  if (dryRun)
    throw new AwsError(
      'DryRunOperationException',
      'The request would have succeeded, but the DryRun option is set.',
    );
}

const NO_SUCH_CIPHERTEXT_KEY =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

/**
 * Opens a ciphertext blob: the key comes from the blob (KeyId, if given, must name that same
 * key), the caller needs `action` on it with this encryption context, and the context must be
 * exactly the one used to encrypt, or the blob does not authenticate.
 */
export async function openCiphertext(
  context: OperationContext,
  blob: Buffer,
  encryptionContext: Record<string, string> | undefined,
  keyIdParam: string | undefined,
  action: string,
  operation: string,
): Promise<{ key: KmsKeyState; plaintext: Buffer; materialId: string }> {
  checkEncryptionContext(encryptionContext);
  const header = readBlobHeader(context.store.blobKey(), blob);
  const key = context.store.key(header.keyArn);
  if (!key || key.region !== context.region)
    throw new AwsError('AccessDeniedException', NO_SUCH_CIPHERTEXT_KEY, { messageField: 'Message' });
  if (keyIdParam !== undefined) {
    const named = await resolveKey(context, keyIdParam, { aliases: true, crossAccount: true, action });
    if (named.arn !== key.arn)
      throw new AwsError(
        'IncorrectKeyException',
        'The key ID in the request does not identify a CMK that can perform this operation.',
      );
  } else {
    await context.touch({ account: key.account, keyArn: key.arn });
  }
  requireKeyPermission(context, key, action, encryptionContext);
  requireUsableForCrypto(key);
  requireSymmetricEncryption(key, operation);
  const material = materialKey(key, header.materialId);
  if (!material) throw new AwsError('InvalidCiphertextException');
  return {
    key,
    plaintext: openBlob(context.store.blobKey(), blob, material, encryptionContext),
    materialId: header.materialId,
  };
}
