import type { KmsTarget } from '../../aws/ports.js';
import type { CheckState } from './types.js';

/** KMS calls of the Test go to the key's region, signed with the role session the Test assumed. */
export function sessionTarget(state: CheckState): KmsTarget {
  return { region: state.region!, ...(state.session === undefined ? {} : { credentials: state.session }) };
}
