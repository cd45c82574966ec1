import { kmsEncryptionContext } from '../../keys/root-key.js';

/**
 * The encryption context of the test's KMS calls: the data plane's, with key version 0 (never a
 * real tenant key version), so any condition the customer puts on keyward:tenant applies to it.
 */
export const testContext = (tenantId: string): Record<string, string> =>
  kmsEncryptionContext({ tenantId, version: 0 });
