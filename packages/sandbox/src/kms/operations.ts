import type { KmsHandler } from './kms-handler.js';
import { createAlias, deleteAlias, listAliases } from './ops/alias-ops.js';
import { createKey } from './ops/create-key.js';
import { decrypt } from './ops/decrypt.js';
import { describeKey } from './ops/describe-key.js';
import { encrypt } from './ops/encrypt.js';
import { generateDataKey, generateDataKeyWithoutPlaintext } from './ops/generate-data-key.js';
import { getKeyPolicy, putKeyPolicy } from './ops/key-policy-ops.js';
import { cancelKeyDeletion, disableKey, enableKey, scheduleKeyDeletion } from './ops/key-state-ops.js';
import { listKeys } from './ops/list-keys.js';
import { reEncrypt } from './ops/re-encrypt.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, rotateKeyOnDemand } from './ops/rotation-ops.js';
import { listResourceTags, tagResource, untagResource } from './ops/tag-ops.js';

/** KMS operations by their X-Amz-Target name (TrentService.<name>). */
export const KMS_OPERATIONS: Readonly<Record<string, KmsHandler>> = {
  CreateKey: createKey,
  DescribeKey: describeKey,
  ListKeys: listKeys,
  Encrypt: encrypt,
  Decrypt: decrypt,
  ReEncrypt: reEncrypt,
  GenerateDataKey: generateDataKey,
  GenerateDataKeyWithoutPlaintext: generateDataKeyWithoutPlaintext,
  EnableKey: enableKey,
  DisableKey: disableKey,
  ScheduleKeyDeletion: scheduleKeyDeletion,
  CancelKeyDeletion: cancelKeyDeletion,
  GetKeyPolicy: getKeyPolicy,
  PutKeyPolicy: putKeyPolicy,
  CreateAlias: createAlias,
  DeleteAlias: deleteAlias,
  ListAliases: listAliases,
  EnableKeyRotation: enableKeyRotation,
  DisableKeyRotation: disableKeyRotation,
  GetKeyRotationStatus: getKeyRotationStatus,
  RotateKeyOnDemand: rotateKeyOnDemand,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListResourceTags: listResourceTags,
};
