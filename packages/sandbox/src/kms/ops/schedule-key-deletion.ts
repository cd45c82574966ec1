import { AwsError } from '../../protocol/aws-error.js';
import { epochSeconds } from '../key-metadata.js';
import { daysFrom, requireNotPendingDeletion } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** The key is unusable at once and gone (NotFoundException) when the 7–30 day window ends. */
export const scheduleKeyDeletion: KmsHandler = async (context, input) => {
  const window = input.integer('PendingWindowInDays', { min: 1, max: 365 });
  const key = await managedKey(context, input, 'kms:ScheduleKeyDeletion');
  const days = window ?? 30;
  if (days < 7 || days > 30)
    throw new AwsError(
      'ValidationException',
      `PendingWindowInDays should be between 7 and 30, but it is ${days}`,
    );
  requireNotPendingDeletion(key);
  key.state = 'PendingDeletion';
  key.deletionDate = daysFrom(context.now(), days);
  key.pendingWindowDays = days;
  context.store.commit();
  return {
    KeyId: key.arn,
    DeletionDate: epochSeconds(key.deletionDate),
    KeyState: key.state,
    PendingWindowInDays: days,
  };
};
