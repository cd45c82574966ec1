import { randomBytes } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { NOW, failure, setup, versionOf } from './keyward.test-support.js';

describe('createKeyward: tenant keys', () => {
  it('creates version 1 under the root key, and refuses a second create with KW_TENANT_EXISTS', async () => {
    const { keyward, root } = setup();
    expect(await keyward.createTenantKey('acme')).toEqual({
      version: 1,
      rootKeyId: root.id,
      createdAt: new Date(NOW),
    });
    await failure(keyward.createTenantKey('acme'), 'KW_TENANT_EXISTS');
  });

  it('rotates to a new latest version and lists every version with the floors', async () => {
    const { keyward, root } = setup();
    await keyward.createTenantKey('acme');
    expect((await keyward.rotateTenantKey('acme')).version).toBe(2);
    expect((await keyward.rotateTenantKey('acme')).version).toBe(3);
    expect(await keyward.listKeyVersions('acme')).toEqual({
      tenantId: 'acme',
      latestVersion: 3,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
      versions: [1, 2, 3].map((version) => ({ version, rootKeyId: root.id, createdAt: new Date(NOW) })),
    });
  });

  it("Precondition: the new version fits the ciphertext header's 32-bit field", async () => {
    const { keyward, store, root } = setup();
    await store.createKeyring('acme', {
      version: 0xffff_fffe,
      wrappedKey: new Uint8Array(61),
      rootKeyId: root.id,
      createdAt: new Date(NOW),
    });
    expect((await keyward.rotateTenantKey('acme')).version).toBe(0xffff_ffff);
    await failure(keyward.rotateTenantKey('acme'), 'KW_INVALID_ARGUMENT');
    expect((await keyward.listKeyVersions('acme')).latestVersion).toBe(0xffff_ffff);
  });

  it("sets floors by Vault's rules, refusing a broken order with KW_FLOORS_INVALID and changing nothing", async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    await failure(keyward.setFloors('acme', { minDecryptionVersion: 0 }), 'KW_FLOORS_INVALID');
    await failure(keyward.setFloors('acme', { minDecryptionVersion: 4 }), 'KW_FLOORS_INVALID');
    await failure(
      keyward.setFloors('acme', { minDecryptionVersion: 2, minEncryptionVersion: 1 }),
      'KW_FLOORS_INVALID',
    );
    await failure(keyward.setFloors('acme', { minEncryptionVersion: 4 }), 'KW_FLOORS_INVALID');
    expect(await keyward.listKeyVersions('acme')).toMatchObject({
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
    });
    expect(await keyward.setFloors('acme', { minDecryptionVersion: 2, minEncryptionVersion: 3 })).toEqual({
      latestVersion: 3,
      minEncryptionVersion: 3,
      minDecryptionVersion: 2,
    });
    expect(await keyward.setFloors('acme', { minEncryptionVersion: 0 })).toEqual({
      latestVersion: 3,
      minEncryptionVersion: 0,
      minDecryptionVersion: 2,
    });
  });

  it('refuses a floors update that is not an object, and a re-wrap argument that is not a root key, with KW_INVALID_ARGUMENT', async () => {
    const { keyward, root } = setup();
    await keyward.createTenantKey('acme');
    for (const update of [undefined, null, 2, 'minDecryptionVersion=1', []])
      await failure(keyward.setFloors('acme', update as never), 'KW_INVALID_ARGUMENT');
    // Precondition: the two root keys differ.
    await failure(keyward.rewrapTenantKeys('acme', root, root), 'KW_INVALID_ARGUMENT');
    for (const notRoot of [
      undefined,
      null,
      root.id,
      {},
      { id: root.id },
      { id: root.id, wrap: () => undefined },
    ]) {
      await failure(keyward.rewrapTenantKeys('acme', notRoot as never, root), 'KW_INVALID_ARGUMENT');
      await failure(keyward.rewrapTenantKeys('acme', root, notRoot as never), 'KW_INVALID_ARGUMENT');
    }
    expect(await keyward.listKeyVersions('acme')).toMatchObject({
      latestVersion: 1,
      minEncryptionVersion: 0,
      minDecryptionVersion: 1,
      versions: [{ version: 1, rootKeyId: root.id }],
    });
  });

  it('evict refuses an invalid tenant ID like every other call', () => {
    const { keyward } = setup();
    for (const tenantId of [{}, '', '../x'])
      expect(() => keyward.evict(tenantId as never)).toThrow(
        expect.objectContaining({ code: 'KW_INVALID_TENANT_ID' }),
      );
  });

  it('refuses an unknown tenant with KW_TENANT_NOT_FOUND', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    await failure(keyward.encrypt('nobody', 'x'), 'KW_TENANT_NOT_FOUND');
    await failure(keyward.decrypt('nobody', ciphertext), 'KW_TENANT_NOT_FOUND');
    await failure(keyward.rotateTenantKey('nobody'), 'KW_TENANT_NOT_FOUND');
    await failure(keyward.listKeyVersions('nobody'), 'KW_TENANT_NOT_FOUND');
    await failure(keyward.setFloors('nobody', { minDecryptionVersion: 1 }), 'KW_TENANT_NOT_FOUND');
    await failure(keyward.generateDataKey('nobody'), 'KW_TENANT_NOT_FOUND');
  });

  it.each(['', '-acme', '.acme', 'ac me', 'acme/1', 'acmé', 'a\u0000b', 'x'.repeat(129), 42, undefined])(
    'refuses the tenant ID %j with KW_INVALID_TENANT_ID in every operation',
    async (tenantId) => {
      const { keyward, root } = setup();
      const id = tenantId as string;
      for (const run of <Array<() => Promise<unknown>>>[
        () => keyward.createTenantKey(id),
        () => keyward.encrypt(id, 'x'),
        () => keyward.encryptText(id, 'x'),
        () => keyward.decrypt(id, 'kw1:AAAA'),
        () => keyward.rewrap(id, 'kw1:AAAA'),
        () => keyward.generateDataKey(id),
        () => keyward.rotateTenantKey(id),
        () => keyward.listKeyVersions(id),
        () => keyward.setFloors(id, {}),
        () => keyward.rewrapTenantKeys(id, root, root),
      ])
        await failure(Promise.resolve().then(run), 'KW_INVALID_TENANT_ID');
    },
  );

  it('accepts tenant IDs of 1 and 128 characters of the allowed alphabet', async () => {
    const { keyward } = setup();
    for (const tenantId of ['a', '9', `A${'b.-_'.repeat(31)}xyz`]) {
      await keyward.createTenantKey(tenantId);
      expect((await keyward.decrypt(tenantId, await keyward.encrypt(tenantId, 'x'))).toString()).toBe('x');
    }
  });
});

describe('createKeyward: encrypt and decrypt', () => {
  it('round-trips bytes and strings in the binary form (50 bytes of overhead) and the text form', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const bytes = randomBytes(300);
    const binary = await keyward.encrypt('acme', bytes);
    expect(binary.length).toBe(350);
    expect([binary[0], binary[1], versionOf(binary)]).toEqual([1, 1, 1]);
    expect((await keyward.decrypt('acme', binary)).equals(bytes)).toBe(true);
    expect((await keyward.decrypt('acme', await keyward.encrypt('acme', 'héllo'))).toString('utf8')).toBe(
      'héllo',
    );
    const text = await keyward.encryptText('acme', 'héllo', { purpose: 'test' });
    expect(text).toMatch(/^kw1:[A-Za-z0-9_-]+$/);
    expect((await keyward.decrypt('acme', text, { purpose: 'test' })).toString('utf8')).toBe('héllo');
    expect(
      (await keyward.decrypt('acme', Buffer.from(text.slice(4), 'base64url'), { purpose: 'test' })).toString(
        'utf8',
      ),
    ).toBe('héllo');
    expect((await keyward.decrypt('acme', await keyward.encrypt('acme', new Uint8Array(0)))).length).toBe(0);
  });

  it('encrypts under the requested version within the floors, and refuses one below them with KW_KEY_VERSION_TOO_OLD', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    expect(versionOf(await keyward.encrypt('acme', 'x', undefined, { keyVersion: 1 }))).toBe(1);
    await keyward.setFloors('acme', { minEncryptionVersion: 2 });
    const error = await failure(
      keyward.encrypt('acme', 'x', undefined, { keyVersion: 1 }),
      'KW_KEY_VERSION_TOO_OLD',
    );
    expect(error.details).toEqual({ version: 1, minEncryptionVersion: 2 });
    expect(versionOf(await keyward.encrypt('acme', 'x', undefined, { keyVersion: 2 }))).toBe(2);
    expect(versionOf(await keyward.encrypt('acme', 'x'))).toBe(3);
    await failure(keyward.encrypt('acme', 'x', undefined, { keyVersion: 4 }), 'KW_KEY_VERSION_TOO_NEW');
  });

  it('refuses plaintext over limits.maxPlaintextBytes with KW_PLAINTEXT_TOO_LARGE, counting UTF-8 bytes', async () => {
    const { keyward } = setup({ limits: { maxPlaintextBytes: 4 } });
    await keyward.createTenantKey('acme');
    expect((await keyward.encrypt('acme', Buffer.alloc(4))).length).toBe(54);
    expect((await keyward.encrypt('acme', 'éé')).length).toBe(54);
    await failure(keyward.encrypt('acme', Buffer.alloc(5)), 'KW_PLAINTEXT_TOO_LARGE');
    await failure(keyward.encrypt('acme', 'ééé'), 'KW_PLAINTEXT_TOO_LARGE');
    await failure(keyward.generateDataKey('acme', undefined, { bytes: 5 }), 'KW_PLAINTEXT_TOO_LARGE');
  });

  it('refuses a string longer than limits.maxPlaintextBytes with KW_PLAINTEXT_TOO_LARGE before encoding it', async () => {
    const { keyward } = setup({ limits: { maxPlaintextBytes: 4 } });
    await keyward.createTenantKey('acme');
    const tooLong = 'abcde';
    const from = vi.spyOn(Buffer, 'from');
    try {
      await failure(keyward.encrypt('acme', tooLong), 'KW_PLAINTEXT_TOO_LARGE');
      // UTF-8 takes at least a byte a UTF-16 unit: the length alone refuses it, without encoding it (which can take 3 bytes a unit).
      expect(from.mock.calls.filter((args) => (args as unknown[])[0] === tooLong)).toEqual([]);
    } finally {
      from.mockRestore();
    }
  });

  it('refuses a plaintext string with a lone surrogate with KW_INVALID_ARGUMENT (it would decrypt to U+FFFD), and round-trips surrogate pairs', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    for (const plaintext of ['a\uD800b', '\uDC00', 'x\uD83D', '\uDE00\uD83D']) {
      await failure(keyward.encrypt('acme', plaintext), 'KW_INVALID_ARGUMENT');
      await failure(keyward.encryptText('acme', plaintext), 'KW_INVALID_ARGUMENT');
    }
    expect(
      (await keyward.decrypt('acme', await keyward.encrypt('acme', 'a\uD83D\uDE00b'))).toString('utf8'),
    ).toBe('a\uD83D\uDE00b');
  });

  it("Precondition: the plaintext limit is a whole number within AES-GCM's limit of 2^36 - 32 bytes", () => {
    for (const maxPlaintextBytes of [-1, 1.5, Number.NaN, 2 ** 36 - 31]) {
      expect(() => setup({ limits: { maxPlaintextBytes } }), String(maxPlaintextBytes)).toThrow(
        expect.objectContaining({ code: 'KW_INVALID_ARGUMENT' }),
      );
    }
    for (const maxPlaintextBytes of [0, 2 ** 36 - 32])
      expect(() => setup({ limits: { maxPlaintextBytes } })).not.toThrow();
  });

  it('decrypts a version rotated by another instance sharing the store (the too-new path refreshes the policy)', async () => {
    const { keyward, peer } = setup();
    const other = peer();
    await keyward.createTenantKey('acme');
    await keyward.encrypt('acme', 'warm the policy cache at version 1');
    await other.rotateTenantKey('acme');
    const ciphertext = await other.encrypt('acme', 'from v2');
    expect(versionOf(ciphertext)).toBe(2);
    expect((await keyward.decrypt('acme', ciphertext)).toString()).toBe('from v2');
  });

  it('refuses a version above the stored latest with KW_KEY_VERSION_TOO_NEW', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const ciphertext = await keyward.encrypt('acme', 'x');
    ciphertext.writeUInt32BE(7, 2);
    const error = await failure(keyward.decrypt('acme', ciphertext), 'KW_KEY_VERSION_TOO_NEW');
    expect(error.details).toEqual({ version: 7, latestVersion: 1 });
  });
});

describe('createKeyward: rewrap and data keys', () => {
  it('rewrap returns the form it was given, under the latest version after a rotation', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const text = await keyward.encryptText('acme', 'secret', { k: 'v' });
    const binary = await keyward.encrypt('acme', 'secret', { k: 'v' });
    await keyward.rotateTenantKey('acme');
    const rewrappedText = await keyward.rewrap('acme', text, { k: 'v' });
    const rewrappedBinary = await keyward.rewrap('acme', binary, { k: 'v' });
    expect(typeof rewrappedText).toBe('string');
    expect(rewrappedText.startsWith('kw1:')).toBe(true);
    expect(Buffer.isBuffer(rewrappedBinary)).toBe(true);
    expect([
      versionOf(text),
      versionOf(rewrappedText),
      versionOf(binary),
      versionOf(rewrappedBinary),
    ]).toEqual([1, 2, 1, 2]);
    expect((await keyward.decrypt('acme', rewrappedText, { k: 'v' })).toString()).toBe('secret');
    expect((await keyward.decrypt('acme', rewrappedBinary, { k: 'v' })).toString()).toBe('secret');
  });

  it('rewrap refuses a ciphertext below the decryption floor with KW_KEY_VERSION_TOO_OLD', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    const old = await keyward.encrypt('acme', 'x');
    await keyward.rotateTenantKey('acme');
    await keyward.setFloors('acme', { minDecryptionVersion: 2 });
    const error = await failure(keyward.rewrap('acme', old), 'KW_KEY_VERSION_TOO_OLD');
    expect(error.details).toEqual({ version: 1, minDecryptionVersion: 2 });
  });

  it('generateDataKey returns 32 bytes by default and a wrapped key that decrypts to them with the same context', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    await keyward.rotateTenantKey('acme');
    const dataKey = await keyward.generateDataKey('acme', { file: 'a.txt' });
    expect(dataKey.plaintextKey.length).toBe(32);
    expect(dataKey.keyVersion).toBe(2);
    expect(dataKey.wrappedKey.length).toBe(82);
    expect(
      (await keyward.decrypt('acme', dataKey.wrappedKey, { file: 'a.txt' })).equals(dataKey.plaintextKey),
    ).toBe(true);
    await failure(keyward.decrypt('acme', dataKey.wrappedKey, { file: 'b.txt' }), 'KW_DECRYPTION_FAILED');
  });

  it('Precondition: a data key is 1 to 1024 bytes, as in KMS GenerateDataKey', async () => {
    const { keyward } = setup();
    await keyward.createTenantKey('acme');
    for (const bytes of [1, 1024])
      expect((await keyward.generateDataKey('acme', undefined, { bytes })).plaintextKey.length).toBe(bytes);
    for (const bytes of [0, 1025, 1.5, -1, Number.NaN])
      await failure(keyward.generateDataKey('acme', undefined, { bytes }), 'KW_INVALID_ARGUMENT');
  });
});
