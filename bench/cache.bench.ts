import { randomBytes } from 'node:crypto';
import {
  AssumedRoleCredentialCache,
  createKeyward,
  CustomerKmsRootKey,
  MemoryTenantKeyStore,
  SdkKmsPort,
  SdkStsPort,
} from '@keyward/core';
import { startSandbox } from '@keyward/sandbox';
import { BYOK_ROLE_ARN, customerSetup, EXTERNAL_ID, serviceRoleSession } from '@keyward/test-kit/byok-setup';
import { measure, type Result } from './harness.js';

/**
 * What the key caches buy: a 1 KiB decrypt for a BYOK tenant whose key is warm (in the cache),
 * cold (the tenant key is unwrapped with KMS Decrypt through the sandbox), and cold with no
 * assumed-role session either (AssumeRole, then Decrypt).
 */
export async function cacheBenchmarks(): Promise<{ results: Result[]; ratios: [string, number][] }> {
  const box = await startSandbox({ port: 0, env: {} });
  const aws = { region: 'us-east-1', endpoint: box.endpoint, credentials: await serviceRoleSession(box) };
  const kms = new SdkKmsPort(aws);
  const sts = new SdkStsPort(aws);
  try {
    const { keyArn } = await customerSetup(box);
    const store = new MemoryTenantKeyStore();
    let sessions = new AssumedRoleCredentialCache(sts);
    const root = () =>
      new CustomerKmsRootKey({
        kms,
        credentials: sessions,
        tenantId: 'acme',
        roleArn: BYOK_ROLE_ARN,
        externalId: EXTERNAL_ID,
        keyArn,
      });
    let keyward = createKeyward({ store, rootKeys: root() });
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', randomBytes(1024));

    const warm = await measure('decrypt 1 KiB, warm key cache', 100_000, () =>
      keyward.decrypt('acme', ciphertext),
    );
    const cold = await measure('decrypt 1 KiB, cold key (KMS Decrypt)', 1_000, () => {
      keyward.evict('acme');
      return keyward.decrypt('acme', ciphertext);
    });
    const coldSession = await measure(
      'decrypt 1 KiB, cold key and session (AssumeRole + Decrypt)',
      500,
      () => {
        sessions = new AssumedRoleCredentialCache(sts);
        keyward.close();
        keyward = createKeyward({ store, rootKeys: root() });
        return keyward.decrypt('acme', ciphertext);
      },
    );
    keyward.close();
    return {
      results: [warm, cold, coldSession],
      ratios: [
        [cold.name, warm.opsPerSecond / cold.opsPerSecond],
        [coldSession.name, warm.opsPerSecond / coldSession.opsPerSecond],
      ],
    };
  } finally {
    kms.close();
    sts.close();
    await box.close();
  }
}
