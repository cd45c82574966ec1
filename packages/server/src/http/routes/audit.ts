import { z } from 'zod';
import type { AuditQuery } from '../../services/audit-log.js';
import type { Services } from '../../services/services.js';
import { route } from '../route-spec.js';
import { isoTime, safeText, tenantId, tenantParams } from '../schemas.js';

const auditEvent = z
  .object({
    id: z.string(),
    tenantId: z.string().nullable(),
    at: z.string(),
    actor: z.string(),
    operation: z.string(),
    outcome: z.enum(['success', 'failure', 'denied']),
    details: z.record(z.string(), z.unknown()),
    hash: z.string(),
    previousHash: z.string(),
  })
  .meta({ title: 'AuditEvent' });
const page = z.object({
  events: z.array(auditEvent),
  next: z.string().nullable().meta({ description: 'Pass as `before` for the next (older) page' }),
});

const filters = {
  operation: safeText(200).optional().meta({
    description: 'An operation (`byok.enable`), or a prefix ending in `.` or `*` (`kms.`, `byok.*`)',
  }),
  outcome: z.enum(['success', 'failure', 'denied']).optional(),
  actor: safeText(200).optional(),
  since: isoTime.optional(),
  until: isoTime.optional(),
  // Event ids are PostgreSQL bigints: 18 digits stay below 2^63.
  before: z
    .string()
    .regex(/^\d{1,18}$/, 'must be an event id')
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
};

type Filters = {
  operation?: string;
  outcome?: AuditQuery['outcome'];
  actor?: string;
  since?: string;
  until?: string;
  before?: string;
  limit?: number;
};

function query(filters: Filters, tenant: string | undefined): AuditQuery {
  return {
    ...(tenant === undefined ? {} : { tenantId: tenant }),
    ...(filters.operation === undefined ? {} : { operation: filters.operation }),
    ...(filters.outcome === undefined ? {} : { outcome: filters.outcome }),
    ...(filters.actor === undefined ? {} : { actor: filters.actor }),
    ...(filters.since === undefined ? {} : { since: new Date(filters.since) }),
    ...(filters.until === undefined ? {} : { until: new Date(filters.until) }),
    ...(filters.before === undefined ? {} : { before: filters.before }),
    ...(filters.limit === undefined ? {} : { limit: filters.limit }),
  };
}

const list = (services: Services, filters: Filters, tenant: string | undefined) =>
  services.audit.list(query(filters, tenant));

export const auditRoutes = [
  route({
    method: 'GET',
    url: '/v1/audit',
    access: 'operator',
    tag: 'Audit',
    summary: 'Audit events of every tenant, newest first, with filters',
    query: z.object({ tenantId: tenantId.optional(), ...filters }).strict(),
    response: page,
    handler: ({ query: q, services }) => list(services, q, q.tenantId),
  }),
  route({
    method: 'GET',
    url: '/v1/tenants/:tenantId/audit',
    access: 'tenant-admin',
    tag: 'Audit',
    summary:
      "A tenant's audit events: state changes and every KMS/STS call made for it (key ARN, encryption context, outcome, AWS request id)",
    params: tenantParams,
    query: z.object(filters).strict(),
    response: page,
    handler: async ({ params, query: q, services }) => {
      await services.tenants.get(params.tenantId);
      return list(services, q, params.tenantId);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/audit/verify',
    access: 'operator',
    tag: 'Audit',
    summary: 'Recompute the hash chain: an edited or deleted event is reported where the chain breaks',
    description:
      'Keep the returned `head` somewhere else (a ticket, another system). Passing it back as `head` later checks that it is still in the chain, which also detects deletion of the newest events.',
    query: z
      .object({
        head: z
          .string()
          .regex(/^[0-9a-f]{64}$/, 'must be a head hash returned by an earlier verify')
          .optional(),
      })
      .strict(),
    response: z.union([
      z.object({ ok: z.literal(true), events: z.number(), head: z.string() }),
      z.object({ ok: z.literal(false), brokenAt: z.string().nullable(), reason: z.string() }),
    ]),
    handler: ({ query, services }) => services.audit.verify(query.head),
  }),
];
