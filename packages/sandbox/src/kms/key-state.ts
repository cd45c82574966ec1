import { randomBytes } from 'node:crypto';
import { newKeyMaterialId } from '../ids.js';
import { AwsError } from '../protocol/aws-error.js';
import type { KmsKeyState } from '../state/types.js';

/** Key-state and key-usage rules from AWS's "Key states of AWS KMS keys" table. */
export function requireUsableForCrypto(key: KmsKeyState): void {
  if (key.state === 'Disabled') throw new AwsError('DisabledException', `${key.arn} is disabled.`);
  requireNotPendingDeletion(key);
}

export function requireNotPendingDeletion(key: KmsKeyState): void {
  if (key.state === 'PendingDeletion')
    throw new AwsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** Encrypt, Decrypt, ReEncrypt and GenerateDataKey* need a symmetric encryption key. */
export function requireSymmetricEncryption(key: KmsKeyState, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw new AwsError(
      'InvalidKeyUsageException',
      `${key.arn} key usage is ${key.keyUsage} which is not valid for ${operation}.`,
    );
  }
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw new AwsError(
      'InvalidKeyUsageException',
      `${key.arn} key spec is ${key.keySpec} which is not valid for ${operation}.`,
    );
  }
}

export function materialKey(key: KmsKeyState, materialId: string): Buffer | undefined {
  const material = key.materials.find((candidate) => candidate.id === materialId);
  return material ? Buffer.from(material.key, 'base64') : undefined;
}

export function currentMaterialKey(key: KmsKeyState): Buffer {
  return materialKey(key, key.currentMaterialId)!;
}

/** Adds new key material and makes it current; older material stays to decrypt old ciphertexts. */
export function rotateKeyMaterial(key: KmsKeyState, at: number, type: 'AUTOMATIC' | 'ON_DEMAND'): void {
  const id = newKeyMaterialId();
  key.materials.push({ id, key: randomBytes(32).toString('base64'), createdAt: at });
  key.currentMaterialId = id;
  key.rotation.history.push({ materialId: id, rotationDate: at, rotationType: type });
}

const DAY_MS = 86_400_000;

/** Automatic rotation happens lazily: whenever a key is used, any rotation that fell due is applied. */
export function applyDueRotations(key: KmsKeyState, now: number): boolean {
  let rotated = false;
  while (
    key.rotation.enabled &&
    key.state === 'Enabled' &&
    key.rotation.nextRotationDate !== undefined &&
    key.rotation.nextRotationDate <= now
  ) {
    rotateKeyMaterial(key, key.rotation.nextRotationDate, 'AUTOMATIC');
    key.rotation.nextRotationDate += key.rotation.periodDays * DAY_MS;
    rotated = true;
  }
  return rotated;
}

export const daysFrom = (now: number, days: number): number => now + days * DAY_MS;
