/**
 * Runnable: `npx tsx packages/core/examples/quickstart.ts` from the repository root.
 * Envelope encryption for two tenants with a development root key and the in-memory store.
 */
import { randomBytes } from 'node:crypto';
import { createKeyward, LocalRootKey, MemoryTenantKeyStore, isKeywardError } from '@keyward/core';

// Development only: a random master key. Production uses PlatformKmsRootKey / CustomerKmsRootKey.
const keyward = createKeyward({
  store: new MemoryTenantKeyStore(),
  rootKeys: new LocalRootKey(randomBytes(32)),
  cache: { ttlMs: 60_000 },
});

await keyward.createTenantKey('acme');
await keyward.createTenantKey('globex');

// The context is bound to the ciphertext but not stored in it: pass the same one to decrypt.
const context = { table: 'invoices', row: '42' };
const ciphertext = await keyward.encryptText('acme', 'card ending 4242', context);
console.log('ciphertext:', ciphertext);
console.log('plaintext: ', (await keyward.decrypt('acme', ciphertext, context)).toString('utf8'));

// Another tenant, or another context, cannot read it.
for (const [tenant, ctx] of [
  ['globex', context],
  ['acme', { table: 'invoices', row: '43' }],
] as const) {
  try {
    await keyward.decrypt(tenant, ciphertext, ctx);
  } catch (error) {
    if (isKeywardError(error)) console.log(`${tenant} with row ${ctx.row}: refused with ${error.code}`);
  }
}

// Rotate, re-wrap the old ciphertext under the new version, then retire version 1.
await keyward.rotateTenantKey('acme');
const rewrapped = await keyward.rewrap('acme', ciphertext, context);
await keyward.setFloors('acme', { minDecryptionVersion: 2 });
console.log('rewrapped: ', (await keyward.decrypt('acme', rewrapped, context)).toString('utf8'));
try {
  await keyward.decrypt('acme', ciphertext, context);
} catch (error) {
  if (isKeywardError(error)) console.log('version 1 after the floor moved:', error.code);
}

// A data key for encrypting a large object yourself: keep wrappedKey, zero plaintextKey after use.
const dataKey = await keyward.generateDataKey('acme', { object: 'backup-2026-11-28.tar' });
console.log(
  'data key: ',
  dataKey.plaintextKey.length,
  'bytes, wrapped in',
  dataKey.wrappedKey.length,
  'bytes, version',
  dataKey.keyVersion,
);
dataKey.plaintextKey.fill(0);

const versions = await keyward.listKeyVersions('acme');
console.log(
  'acme key versions:',
  versions.versions.map((v) => v.version).join(', '),
  '| floors:',
  versions.minEncryptionVersion,
  versions.minDecryptionVersion,
);
console.log('cache:', keyward.stats());
keyward.close();
