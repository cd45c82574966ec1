import { z } from 'zod';
import { ACCOUNT_ID_PATTERN } from '../arn.js';

/**
 * The declarative seed: accounts with their IAM users (and access keys), managed policies,
 * roles and KMS keys. Policy documents may be written as objects or as JSON text.
 */
const policyDocument = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())])
  .transform((value) => (typeof value === 'string' ? value : JSON.stringify(value)));

const iamName = z.string().regex(/^[\w+=,.@-]{1,64}$/, 'IAM names are 1-64 characters of [A-Za-z0-9_+=,.@-]');
const iamPath = z
  .string()
  .regex(/^\/([\x21-\x7e]*\/)?$/, 'IAM paths start and end with /')
  .default('/');

const user = z
  .object({
    name: iamName,
    path: iamPath,
    accessKeys: z
      .array(
        z
          .object({
            id: z
              .string()
              .regex(
                /^AKIA[A-Z0-9]{12,124}$/,
                'access key IDs look like AKIA followed by 12+ upper-case letters or digits',
              ),
            secret: z.string().min(1),
          })
          .strict(),
      )
      .default([]),
    managedPolicies: z.array(z.string().min(1)).default([]),
    inlinePolicies: z.record(iamName, policyDocument).default({}),
  })
  .strict();

const role = z
  .object({
    name: iamName,
    path: iamPath,
    description: z.string().max(1000).optional(),
    maxSessionDuration: z.number().int().min(3600).max(43200).default(3600),
    trustPolicy: policyDocument,
    managedPolicies: z.array(z.string().min(1)).default([]),
    inlinePolicies: z.record(iamName, policyDocument).default({}),
  })
  .strict();

const managedPolicy = z
  .object({
    name: z.string().regex(/^[\w+=,.@-]{1,128}$/),
    path: iamPath,
    description: z.string().optional(),
    document: policyDocument,
  })
  .strict();

const key = z
  .object({
    id: z.string().uuid().optional(),
    region: z.string().optional(),
    description: z.string().max(8192).default(''),
    policy: policyDocument.optional(),
    enabled: z.boolean().default(true),
    aliases: z
      .array(z.string().regex(/^alias\/[a-zA-Z0-9:/_-]+$/, 'aliases look like alias/name'))
      .default([]),
    keySpec: z.string().default('SYMMETRIC_DEFAULT'),
    keyUsage: z.string().default('ENCRYPT_DECRYPT'),
    managedBy: z.enum(['CUSTOMER', 'AWS']).default('CUSTOMER'),
    rotation: z
      .object({ enabled: z.boolean(), periodDays: z.number().int().min(90).max(2560).default(365) })
      .strict()
      .optional(),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict();

const account = z
  .object({
    id: z.string().regex(ACCOUNT_ID_PATTERN, 'account IDs are 12 digits'),
    alias: z.string().optional(),
    users: z.array(user).default([]),
    policies: z.array(managedPolicy).default([]),
    roles: z.array(role).default([]),
    keys: z.array(key).default([]),
  })
  .strict();

export const seedSchema = z
  .object({ accounts: z.array(account).min(1, 'a seed needs at least one account') })
  .strict();

export type Seed = z.output<typeof seedSchema>;
export type SeedInput = z.input<typeof seedSchema>;
