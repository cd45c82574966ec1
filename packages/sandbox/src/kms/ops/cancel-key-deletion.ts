import { AwsError } from '../../protocol/aws-error.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** A cancelled deletion leaves the key Disabled, as in AWS. */
export const cancelKeyDeletion: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:CancelKeyDeletion');
  if (key.state !== 'PendingDeletion')
    throw new AwsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
  key.state = 'Disabled';
  delete key.deletionDate;
  delete key.pendingWindowDays;
  context.store.commit();
  return { KeyId: key.arn };
};
