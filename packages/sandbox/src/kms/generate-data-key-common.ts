import { randomBytes } from 'node:crypto';
import type { OperationContext } from '../operation-context.js';
import { AwsError } from '../protocol/aws-error.js';
import { keyForEncryption, refuseDryRun, sealUnder } from './crypto-ops.js';
import { KEY_ID_RULES } from './kms-handler.js';
import type { KmsInput } from './kms-input.js';

/** GenerateDataKey and GenerateDataKeyWithoutPlaintext: a random data key, wrapped under the KMS key. */
export async function generateDataKeyFor(
  context: OperationContext,
  input: KmsInput,
  withPlaintext: boolean,
): Promise<Record<string, unknown>> {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  const encryptionContext = input.context('EncryptionContext');
  const numberOfBytes = input.integer('NumberOfBytes', { min: 1, max: 1024 });
  const keySpec = input.string('KeySpec', { values: ['AES_256', 'AES_128'] });
  const dryRun = input.boolean('DryRun');
  input.stringList('GrantTokens');
  input.done();
  /* Precondition: exactly one of KeySpec and NumberOfBytes says how long the key is. */
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw new AwsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  const operation = withPlaintext ? 'GenerateDataKey' : 'GenerateDataKeyWithoutPlaintext';
  const key = await keyForEncryption(context, keyId!, `kms:${operation}`, encryptionContext, operation);
  refuseDryRun(dryRun);
  const dataKey = randomBytes(numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32));
  const output = {
    CiphertextBlob: sealUnder(context, key, dataKey, encryptionContext).toString('base64'),
    ...(withPlaintext ? { Plaintext: dataKey.toString('base64') } : {}),
    KeyId: key.arn,
    KeyMaterialId: key.currentMaterialId,
  };
  dataKey.fill(0);
  return output;
}
