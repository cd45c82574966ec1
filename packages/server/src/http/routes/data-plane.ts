import { KeywardError } from '@keyward/core';
import { z } from 'zod';
import type { Services } from '../../services/services.js';
import { route } from '../route-spec.js';
import { encryptionContext, itemResult, tenantParams } from '../schemas.js';

const ciphertext = z
  .string()
  .min(1)
  .meta({ description: 'A Keyward ciphertext in text form', example: 'kw1:AQEAAAAB…' });
const encryptItem = z
  .object({
    plaintext: z.string().optional().meta({ description: 'Bytes to encrypt, base64 (give this or text)' }),
    text: z.string().optional().meta({ description: 'UTF-8 text to encrypt (give this or plaintext)' }),
    context: encryptionContext.optional(),
    keyVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'Encrypt under this version instead of the latest (within the floors)' }),
  })
  .strict();
const ciphertextItem = z.object({ ciphertext, context: encryptionContext.optional() }).strict();
const dataKeyItem = z
  .object({
    context: encryptionContext.optional(),
    bytes: z.number().int().min(16).max(64).optional().meta({ description: 'Key length; default 32' }),
  })
  .strict();

/** A batch of 1 to `limits.batchItems` items; more is 413 KW_BATCH_TOO_LARGE before any work. */
function batch<T extends z.ZodType>(item: T, extra: z.ZodRawShape = {}) {
  return z.object({ items: z.array(item).min(1), ...extra }).strict();
}

function checkSize(services: Services, items: unknown[]): void {
  const limit = services.config.limits.batchItems;
  if (items.length > limit)
    throw new KeywardError('KW_BATCH_TOO_LARGE', {
      message: `A batch holds at most ${limit} items; this one has ${items.length}.`,
      details: { limit, items: items.length },
    });
}

const results = (ok: z.ZodObject) => z.object({ results: z.array(itemResult(ok)) });
const DESCRIPTION =
  'Items are answered one by one, in order: `{ ok: true, … }` or `{ ok: false, error: { code, message } }`. ' +
  "When no item succeeds, the whole request fails with the first item's error and status (400 for a malformed ciphertext, 404 for an unknown tenant, 403 for a revoked key…), every item's result in `details.results`. " +
  'At most `limits.batchItems` items (default 1,000) and `limits.bodyBytes` bytes (default 8 MiB) per request.';

export const dataPlaneRoutes = [
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/encrypt',
    access: 'tenant-data',
    tag: 'Data plane',
    summary: "Encrypt a batch under the tenant's latest key version",
    description: DESCRIPTION,
    params: tenantParams,
    body: batch(encryptItem),
    response: results(z.object({ ciphertext: z.string() })),
    handler: async ({ params, body, services }) => {
      checkSize(services, body.items);
      return { results: await services.dataPlane.encrypt(params.tenantId, body.items) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/decrypt',
    access: 'tenant-data',
    tag: 'Data plane',
    summary: 'Decrypt a batch (the context must match the one used to encrypt)',
    description: `${DESCRIPTION} With \`encoding: "utf8"\` results carry \`text\` instead of base64 \`plaintext\`.`,
    params: tenantParams,
    body: batch(ciphertextItem, { encoding: z.enum(['base64', 'utf8']).optional() }),
    response: results(z.object({ plaintext: z.string().optional(), text: z.string().optional() })),
    handler: async ({ params, body, services }) => {
      checkSize(services, body.items);
      return {
        results: await services.dataPlane.decrypt(
          params.tenantId,
          body.items,
          (body as { encoding?: 'base64' | 'utf8' }).encoding ?? 'base64',
        ),
      };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/rewrap',
    access: 'tenant-data',
    tag: 'Data plane',
    summary: 'Re-encrypt ciphertexts under the latest key version without returning plaintext',
    description: DESCRIPTION,
    params: tenantParams,
    body: batch(ciphertextItem),
    response: results(z.object({ ciphertext: z.string() })),
    handler: async ({ params, body, services }) => {
      checkSize(services, body.items);
      return { results: await services.dataPlane.rewrap(params.tenantId, body.items) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/tenants/:tenantId/datakey',
    access: 'tenant-data',
    tag: 'Data plane',
    summary:
      'Generate data keys for client-side encryption: the plaintext key (use, then discard) and its wrapped form (keep)',
    description: `${DESCRIPTION} Decrypt \`wrappedKey\` later with the decrypt route to get the key back.`,
    params: tenantParams,
    body: batch(dataKeyItem),
    response: results(z.object({ plaintextKey: z.string(), wrappedKey: z.string(), keyVersion: z.number() })),
    handler: async ({ params, body, services }) => {
      checkSize(services, body.items);
      return { results: await services.dataPlane.datakey(params.tenantId, body.items) };
    },
  }),
];
