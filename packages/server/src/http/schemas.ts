import { z } from 'zod';
import { BYOK_STATES } from '../store/byok-states.js';

/** Schemas shared by several routes; each route's own live beside it. */

/** Text the database can store: PostgreSQL refuses NUL in text and JSON, and unpaired surrogates are not UTF-8. */
export const safeText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(
      (text) => !text.includes('\u0000') && text.isWellFormed(),
      'must be text without NUL characters or unpaired surrogates',
    );

/** An ISO 8601 time PostgreSQL can store (years 1 to 9999). */
export const isoTime = z.iso.datetime({ offset: true }).refine((text) => {
  const year = new Date(text).getUTCFullYear();
  return year >= 1 && year <= 9999;
}, 'must be a time between the years 1 and 9999');
export const tenantId = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/,
    'must be 1 to 128 letters, digits, ".", "_" or "-", starting with a letter or digit',
  )
  .meta({ description: 'Tenant ID', example: 'acme' });
export const tenantParams = z.object({ tenantId }).strict();
export const roleArn = z.string().max(2048).meta({
  description: 'IAM role ARN in the customer account',
  example: 'arn:aws:iam::444455556666:role/keyward-byok',
});
export const cmkArn = z.string().max(2048).meta({
  description: 'KMS key ARN (not an alias) in the customer account',
  example: 'arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
});
export const encryptionContext = z.record(z.string(), z.string()).meta({
  description: 'Encryption context: bound to the ciphertext as AAD; the same must be given to decrypt',
  example: { table: 'invoices', row: '42' },
});
export const byokState = z.enum(BYOK_STATES);

export const errorBody = z
  .object({
    code: z.string().meta({ example: 'KW_STATE_CONFLICT' }),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
    aws: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ title: 'Error' });

export const itemError = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
export const itemResult = (ok: z.ZodObject) => z.union([ok.extend({ ok: z.literal(true) }), itemError]);

export const tenantView = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    byok: z.object({
      state: byokState,
      externalId: z.string().nullable(),
      roleArn: z.string().nullable(),
      cmkArn: z.string().nullable(),
      region: z.string().nullable(),
      stateSince: z.string(),
      stateReason: z.string().nullable(),
    }),
  })
  .meta({ title: 'Tenant' });
