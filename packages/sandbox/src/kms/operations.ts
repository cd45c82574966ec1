import type { KmsOperationName } from '../operation-names.js';
import type { KmsHandler } from './kms-handler.js';
import { cancelKeyDeletion } from './ops/cancel-key-deletion.js';
import { createAlias } from './ops/create-alias.js';
import { createKey } from './ops/create-key.js';
import { decrypt } from './ops/decrypt.js';
import { deleteAlias } from './ops/delete-alias.js';
import { describeKey } from './ops/describe-key.js';
import { disableKey } from './ops/disable-key.js';
import { disableKeyRotation } from './ops/disable-key-rotation.js';
import { enableKey } from './ops/enable-key.js';
import { enableKeyRotation } from './ops/enable-key-rotation.js';
import { encrypt } from './ops/encrypt.js';
import { generateDataKey } from './ops/generate-data-key.js';
import { generateDataKeyWithoutPlaintext } from './ops/generate-data-key-without-plaintext.js';
import { getKeyPolicy } from './ops/get-key-policy.js';
import { getKeyRotationStatus } from './ops/get-key-rotation-status.js';
import { listAliases } from './ops/list-aliases.js';
import { listKeys } from './ops/list-keys.js';
import { listResourceTags } from './ops/list-resource-tags.js';
import { putKeyPolicy } from './ops/put-key-policy.js';
import { reEncrypt } from './ops/re-encrypt.js';
import { rotateKeyOnDemand } from './ops/rotate-key-on-demand.js';
import { scheduleKeyDeletion } from './ops/schedule-key-deletion.js';
import { tagResource } from './ops/tag-resource.js';
import { untagResource } from './ops/untag-resource.js';

/**
 * KMS operations by their X-Amz-Target name (TrentService.<name>): one file per operation. Keyed by
 * the names in `operation-names.ts`, so a missing or extra handler does not compile.
 */
export const KMS_OPERATIONS: Readonly<Record<KmsOperationName, KmsHandler>> = {
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
