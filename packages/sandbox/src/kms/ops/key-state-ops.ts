import { AwsError } from '../../protocol/aws-error.js';
import { epochSeconds } from '../key-metadata.js';
import { daysFrom, requireNotPendingDeletion } from '../key-state.js';
import type { KmsHandler } from '../kms-handler.js';
import { managedKey } from '../management-key.js';

/** EnableKey, DisableKey, ScheduleKeyDeletion and CancelKeyDeletion: the key state machine. */
export const enableKey: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:EnableKey');
  requireNotPendingDeletion(key);
  key.state = 'Enabled';
  context.store.commit();
  return undefined;
};

export const disableKey: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:DisableKey');
  requireNotPendingDeletion(key);
  key.state = 'Disabled';
  context.store.commit();
  return undefined;
};

export const scheduleKeyDeletion: KmsHandler = async (context, input) => {
  const window = input.integer('PendingWindowInDays', { min: 1, max: 365 });
  const key = await managedKey(context, input, 'kms:ScheduleKeyDeletion');
  const days = window ?? 30;
  if (days < 7 || days > 30) throw new AwsError('ValidationException', `PendingWindowInDays should be between 7 and 30, but it is ${days}`);
  requireNotPendingDeletion(key);
  key.state = 'PendingDeletion';
  key.deletionDate = daysFrom(context.now(), days);
  key.pendingWindowDays = days;
  context.store.commit();
  return { KeyId: key.arn, DeletionDate: epochSeconds(key.deletionDate), KeyState: key.state, PendingWindowInDays: days };
};

/** A cancelled deletion leaves the key Disabled, as in AWS. */
export const cancelKeyDeletion: KmsHandler = async (context, input) => {
  const key = await managedKey(context, input, 'kms:CancelKeyDeletion');
  if (key.state !== 'PendingDeletion') throw new AwsError('KMSInvalidStateException', `${key.arn} is not pending deletion.`);
  key.state = 'Disabled';
  delete key.deletionDate;
  delete key.pendingWindowDays;
  context.store.commit();
  return { KeyId: key.arn };
};
