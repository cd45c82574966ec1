import { generateDataKeyFor } from '../generate-data-key-common.js';
import type { KmsHandler } from '../kms-handler.js';

export const generateDataKeyWithoutPlaintext: KmsHandler = (context, input) =>
  generateDataKeyFor(context, input, false);
