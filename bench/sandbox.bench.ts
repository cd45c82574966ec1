import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { PLATFORM_ACCOUNT_ID, startSandbox } from '@keyward/sandbox';
import {
  customerSetup,
  EXTERNAL_ID,
  BYOK_ROLE_ARN,
  serviceRoleSession,
  sessionCredentials,
  TENANT_CONTEXT,
} from '@keyward/test-kit/byok-setup';
import { measure, type Result } from './harness.js';

/**
 * The sandbox's cost per KMS/STS call over HTTP with the real SDK, against the baseline of doing
 * the same AES-256-GCM work in process. Later benchmarks (key caches) compare against these.
 */
export async function sandboxBenchmarks(): Promise<{ results: Result[]; ratios: [string, number][] }> {
  const box = await startSandbox({ port: 0, env: {} });
  try {
    const { keyArn } = await customerSetup(box, { tenantCondition: true });
    const service = await serviceRoleSession(box);
    const config = (credentials: {
      accessKeyId: string;
      secretAccessKey: string;
      sessionToken?: string;
    }) => ({ endpoint: box.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const sts = new STSClient(config(service));
    const assumed = await sts.send(
      new AssumeRoleCommand({ RoleArn: BYOK_ROLE_ARN, RoleSessionName: 'bench', ExternalId: EXTERNAL_ID }),
    );
    const kms = new KMSClient(config(sessionCredentials(assumed.Credentials!)));
    const platformKms = new KMSClient(config(box.credentials(PLATFORM_ACCOUNT_ID)));

    const blob = (
      await kms.send(
        new EncryptCommand({ KeyId: keyArn, Plaintext: randomBytes(32), EncryptionContext: TENANT_CONTEXT }),
      )
    ).CiphertextBlob!;
    const platformBlob = (
      await platformKms.send(
        new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: randomBytes(32) }),
      )
    ).CiphertextBlob!;

    const key = randomBytes(32);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(randomBytes(32)), cipher.final()]);
    const tag = cipher.getAuthTag();
    const localDecrypt = () => {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(sealed), decipher.final()]);
    };

    const results = [
      await measure('local AES-256-GCM decrypt, 32 B (baseline)', 200_000, localDecrypt),
      await measure('sandbox KMS Decrypt, same account, default policy', 2_000, () =>
        platformKms.send(new DecryptCommand({ CiphertextBlob: platformBlob })),
      ),
      await measure('sandbox KMS Decrypt, BYOK role session + context condition', 2_000, () =>
        kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: TENANT_CONTEXT })),
      ),
      await measure(
        'sandbox KMS Decrypt, BYOK, 16 concurrent',
        4_000,
        () => kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: TENANT_CONTEXT })),
        16,
      ),
      await measure('sandbox KMS GenerateDataKey, BYOK', 2_000, () =>
        kms.send(
          new GenerateDataKeyCommand({
            KeyId: keyArn,
            KeySpec: 'AES_256',
            EncryptionContext: TENANT_CONTEXT,
          }),
        ),
      ),
      await measure('sandbox STS AssumeRole, cross-account + ExternalId', 1_000, () =>
        sts.send(
          new AssumeRoleCommand({
            RoleArn: BYOK_ROLE_ARN,
            RoleSessionName: 'bench',
            ExternalId: EXTERNAL_ID,
          }),
        ),
      ),
    ];
    const base = results[0]!.opsPerSecond;
    const ratios: [string, number][] = results
      .slice(1)
      .map((result) => [result.name, base / result.opsPerSecond]);
    return { results, ratios };
  } finally {
    await box.close();
  }
}
