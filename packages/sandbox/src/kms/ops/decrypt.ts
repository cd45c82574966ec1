import { requireSymmetricAlgorithm } from '../algorithm.js';
import { openCiphertext, refuseDryRun } from '../crypto-ops.js';
import { ALGORITHM_VALUES, type KmsHandler } from '../kms-handler.js';

export const decrypt: KmsHandler = async (context, input) => {
  const blob = input.blob('CiphertextBlob', { required: true, min: 1, max: 6144 });
  const encryptionContext = input.context('EncryptionContext');
  const keyId = input.string('KeyId', { min: 1, max: 2048 });
  const algorithm = input.string('EncryptionAlgorithm', { values: ALGORITHM_VALUES });
  const dryRun = input.boolean('DryRun');
  input.stringList('GrantTokens');
  input.done();
  const opened = await openCiphertext(context, blob!, encryptionContext, keyId, 'kms:Decrypt', 'Decrypt');
  requireSymmetricAlgorithm(opened.key, algorithm);
  refuseDryRun(dryRun);
  return {
    KeyId: opened.key.arn,
    Plaintext: opened.plaintext.toString('base64'),
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    KeyMaterialId: opened.materialId,
  };
};
