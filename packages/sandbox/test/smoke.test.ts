import { DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSandbox } from '../src/index.js';
import { clients, platformAdmin, sandbox } from '@keyward/test-kit/sandbox-clients';
import { kmsCall } from './signed-request.js';

describe('sandbox smoke', () => {
  let box: RunningSandbox;
  beforeAll(async () => {
    box = await sandbox();
  });
  afterAll(() => box.close());

  it('answers STS and KMS on one port', async () => {
    const { kms, sts } = clients(box, platformAdmin(box));
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toBe('arn:aws:iam::111122223333:user/admin');
    const encrypted = await kms.send(
      new EncryptCommand({ KeyId: 'alias/keyward-platform', Plaintext: Buffer.from('hello') }),
    );
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    expect(Buffer.from(decrypted.Plaintext!).toString()).toBe('hello');
  });

  it('signs raw requests the way the helper says', async () => {
    const response = await kmsCall(box.endpoint, platformAdmin(box), 'TrentService.ListKeys', '{}');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text).Keys).toHaveLength(1);
  });
});
