import type { OperationContext } from '../operation-context.js';
import type { KmsKeyState } from '../state/types.js';
import { requireKeyPermission } from './authorize-key.js';
import type { KmsInput } from './kms-input.js';
import { KEY_ID_RULES } from './kms-handler.js';
import { resolveKey } from './resolve-key.js';

/**
 * Management calls name a key by ID or ARN only (no aliases), in the caller's own account,
 * and need the action allowed on it.
 */
export async function managedKey(
  context: OperationContext,
  input: KmsInput,
  action: string,
  readOnlyCrossAccount = false,
): Promise<KmsKeyState> {
  const keyId = input.string('KeyId', KEY_ID_RULES);
  input.done();
  const key = await resolveKey(context, keyId!, {
    aliases: false,
    crossAccount: readOnlyCrossAccount,
    action,
  });
  requireKeyPermission(context, key, action);
  return key;
}
