import { requireSymmetricAlgorithm } from '../algorithm.js';
import { keyForEncryption, openCiphertext, refuseDryRun, sealUnder } from '../crypto-ops.js';
import { ALGORITHM_VALUES, KEY_ID_RULES, type KmsHandler } from '../kms-handler.js';

/** Decrypts under the source key and encrypts under the destination, never returning plaintext. */
export const reEncrypt: KmsHandler = async (context, input) => {
  const blob = input.blob('CiphertextBlob', { required: true, min: 1, max: 6144 });
  const sourceContext = input.context('SourceEncryptionContext');
  const sourceKeyId = input.string('SourceKeyId', { min: 1, max: 2048 });
  const destinationKeyId = input.string('DestinationKeyId', KEY_ID_RULES);
  const destinationContext = input.context('DestinationEncryptionContext');
  const sourceAlgorithm = input.string('SourceEncryptionAlgorithm', { values: ALGORITHM_VALUES });
  const destinationAlgorithm = input.string('DestinationEncryptionAlgorithm', { values: ALGORITHM_VALUES });
  const dryRun = input.boolean('DryRun');
  input.stringList('GrantTokens');
  input.done();
  const source = await openCiphertext(
    context,
    blob!,
    sourceContext,
    sourceKeyId,
    'kms:ReEncryptFrom',
    'ReEncrypt',
  );
  requireSymmetricAlgorithm(source.key, sourceAlgorithm);
  const destination = await keyForEncryption(
    context,
    destinationKeyId!,
    'kms:ReEncryptTo',
    destinationContext,
    'ReEncrypt',
  );
  requireSymmetricAlgorithm(destination, destinationAlgorithm);
  refuseDryRun(dryRun);
  context.event.encryptionContext = destinationContext ? { ...destinationContext } : undefined;
  return {
    CiphertextBlob: sealUnder(context, destination, source.plaintext, destinationContext).toString('base64'),
    SourceKeyId: source.key.arn,
    KeyId: destination.arn,
    SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    SourceKeyMaterialId: source.materialId,
    DestinationKeyMaterialId: destination.currentMaterialId,
  };
};
