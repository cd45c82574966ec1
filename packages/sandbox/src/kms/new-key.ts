import { randomBytes } from 'node:crypto';
import { kmsKeyArn, partitionOf } from '../arn.js';
import { newKeyId, newKeyMaterialId } from '../ids.js';
import type { KmsKeyState, Tag } from '../state/types.js';
import { defaultKeyPolicy } from './key-policy.js';

export interface NewKeyOptions {
  account: string;
  region: string;
  now: number;
  keyId?: string;
  description?: string;
  policy?: string;
  keySpec?: string;
  keyUsage?: string;
  keyManager?: 'CUSTOMER' | 'AWS';
  tags?: Tag[];
  enabled?: boolean;
}

/** A fresh key with its first 256-bit key material, as CreateKey (or a seed) makes it. */
export function newKey(options: NewKeyOptions): KmsKeyState {
  const partition = partitionOf(options.region);
  const keyId = options.keyId ?? newKeyId();
  const materialId = newKeyMaterialId();
  return {
    keyId,
    arn: kmsKeyArn(partition, options.region, options.account, keyId),
    account: options.account,
    region: options.region,
    description: options.description ?? '',
    keyUsage: options.keyUsage ?? 'ENCRYPT_DECRYPT',
    keySpec: options.keySpec ?? 'SYMMETRIC_DEFAULT',
    origin: 'AWS_KMS',
    keyManager: options.keyManager ?? 'CUSTOMER',
    multiRegion: false,
    creationDate: options.now,
    state: options.enabled === false ? 'Disabled' : 'Enabled',
    policy: options.policy ?? defaultKeyPolicy(partition, options.account),
    tags: options.tags ?? [],
    materials: [{ id: materialId, key: randomBytes(32).toString('base64'), createdAt: options.now }],
    currentMaterialId: materialId,
    rotation: { enabled: false, periodDays: 365, onDemandCount: 0, history: [] },
  };
}
