import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import type { Principal } from '../services/api-tokens.js';
import type { Services } from '../services/services.js';

/**
 * Who may call a route:
 * - `public`: anyone (health, the API reference);
 * - `authenticated`: any valid token;
 * - `operator`: the operator only;
 * - `tenant-admin`: the operator, or a tenant-admin token of the route's tenant;
 * - `tenant-data`: the operator, or a service token of the route's tenant.
 */
export type Access = 'public' | 'authenticated' | 'operator' | 'tenant-admin' | 'tenant-data';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal | undefined;
  /** How the audit log names the caller: `operator`, `tenant-admin:<token id>`, `service:<token id>`. */
  actor: string;
  services: Services;
  reply: FastifyReply;
}

/**
 * One route, described once: Fastify registers it from this, and the OpenAPI document is built
 * from the same schemas, so the reference cannot drift from what the server accepts.
 */
export interface RouteSpec<P = unknown, Q = unknown, B = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify's path syntax (`/v1/tenants/:tenantId`). */
  url: string;
  access: Access;
  tag: string;
  summary: string;
  description?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The success response, for the reference. */
  response?: z.ZodType;
  successStatus?: number;
  /** Content type of a non-JSON success response. */
  produces?: string;
  handler(context: RouteContext<P, Q, B>): Promise<unknown>;
}

// The table is heterogeneous; each entry is checked where it is defined with `route()`.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any>;

export function route<P = undefined, Q = undefined, B = undefined>(spec: RouteSpec<P, Q, B>): AnyRoute {
  return spec as AnyRoute;
}
