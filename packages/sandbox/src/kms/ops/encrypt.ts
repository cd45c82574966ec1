import { ALGORITHM_VALUES, KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';
import { keyForEncryption, refuseDryRun, sealUnder } from '../crypto-ops.js';
import { requireSymmetricAlgorithm } from '../algorithm.js';

export const encrypt: KmsHandler = async (context, input) => {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const plaintext = input.blob('Plaintext', { required: true, min: 1, max: 4096 });
  const encryptionContext = input.context('EncryptionContext');
  const algorithm = input.string('EncryptionAlgorithm', { values: ALGORITHM_VALUES });
  const dryRun = input.boolean('DryRun');
  input.stringList('GrantTokens');
  input.done();
  const key = await keyForEncryption(context, keyId!, 'kms:Encrypt', encryptionContext, 'Encrypt');
  requireSymmetricAlgorithm(key, algorithm);
  refuseDryRun(dryRun);
  return {
    CiphertextBlob: sealUnder(context, key, plaintext!, encryptionContext).toString('base64'),
    KeyId: key.arn,
    EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
  };
};
