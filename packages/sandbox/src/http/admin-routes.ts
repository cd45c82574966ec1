import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { faultRuleInput } from '../faults/faults.js';
import type { SandboxServices } from '../operation-context.js';
import type { Trail, TrailQuery } from '../trail/trail.js';

/**
 * The sandbox's own control API under /_sandbox/ (deliberately not AWS-shaped): fault rules,
 * the call trail and counters, resource time, and reset. JSON in and out; mistakes are 4xx with
 * `{"error":{"code","message"}}`.
 */
export const ADMIN_PREFIX = '/_sandbox/';

export interface AdminResponse {
  status: number;
  body: unknown;
}

export interface AdminDeps {
  services: SandboxServices;
  trail: Trail;
  reset: () => void;
  describe: () => unknown;
}

const adminError = (status: number, code: string, message: string): AdminResponse => ({
  status,
  body: { error: { code, message } },
});

const clockInput = z
  .object({
    advanceSeconds: z
      .number()
      .positive()
      .max(10 * 365 * 86_400),
  })
  .strict();

export async function handleAdmin(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  deps: AdminDeps,
): Promise<AdminResponse> {
  if (!authorised(headers.authorization, deps.services.config.adminToken))
    return adminError(
      401,
      'unauthorized',
      'The sandbox admin API needs Authorization: Bearer <KEYWARD_SANDBOX_ADMIN_TOKEN>',
    );
  const path = url.pathname.slice(ADMIN_PREFIX.length).replace(/\/+$/, '');
  let json: unknown;
  if (body.length > 0) {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return adminError(400, 'invalid_json', 'The request body is not valid JSON');
    }
  }
  const segments = path.split('/');
  /* Only DELETE faults/<id> has a second segment; any other deeper path is no route (404), not its parent. */
  const route =
    segments.length === 1 || (segments.length === 2 && method === 'DELETE' && segments[0] === 'faults')
      ? `${method} ${segments[0]}`
      : '';
  switch (route) {
    case 'GET health':
      return { status: 200, body: { status: 'ok' } };
    case 'GET state':
      return { status: 200, body: deps.describe() };
    case 'GET trail': {
      const problem = trailQueryProblem(url);
      if (problem) return adminError(400, 'invalid_query', problem);
      return { status: 200, body: { events: deps.trail.query(trailQuery(url)) } };
    }
    case 'DELETE trail':
      deps.trail.clear();
      return { status: 204, body: undefined };
    case 'GET counters':
      return { status: 200, body: { operations: deps.trail.counts() } };
    case 'GET faults':
      return { status: 200, body: { faults: deps.services.faults.list() } };
    case 'POST faults':
      return addFault(deps, json);
    case 'DELETE faults':
      return removeFaults(deps, path);
    case 'GET clock':
      return { status: 200, body: clockBody(deps) };
    case 'POST clock':
      return advanceClock(deps, json);
    case 'POST reset':
      return reset(deps);
    default:
      return adminError(404, 'not_found', `No sandbox admin route ${method} ${url.pathname}`);
  }
}

function authorised(header: string | undefined, token: string | undefined): boolean {
  if (token === undefined) return true;
  const given = Buffer.from(header ?? '', 'utf8');
  const expected = Buffer.from(`Bearer ${token}`, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A filter the trail cannot apply is the caller's mistake: ignoring it would return unfiltered events. */
function trailQueryProblem(url: URL): string | undefined {
  const { searchParams } = url;
  const outcome = searchParams.get('outcome');
  if (outcome !== null && outcome !== 'success' && outcome !== 'error' && outcome !== 'fault')
    return 'outcome must be success, error or fault';
  const limit = searchParams.get('limit');
  if (limit !== null && !/^\d+$/.test(limit)) return 'limit must be a non-negative integer';
  const since = searchParams.get('since');
  if (since !== null && Number.isNaN(Date.parse(since)))
    return 'since must be a date-time, such as 2030-01-01T00:00:00Z';
  return undefined;
}

function trailQuery(url: URL): TrailQuery {
  const get = (name: string) => url.searchParams.get(name) ?? undefined;
  const limit = get('limit');
  const outcome = get('outcome');
  return {
    service: get('service'),
    operation: get('operation'),
    account: get('account'),
    keyArn: get('keyArn'),
    principalArn: get('principalArn'),
    outcome: outcome === 'success' || outcome === 'error' || outcome === 'fault' ? outcome : undefined,
    since: get('since'),
    limit: limit !== undefined && /^\d+$/.test(limit) ? Number(limit) : undefined,
  };
}

/** Re-seeding can fail (the seed file may have changed); the state is then left as it was. */
function reset(deps: AdminDeps): AdminResponse {
  try {
    deps.reset();
  } catch (error) {
    return adminError(
      500,
      'reset_failed',
      `The sandbox could not re-seed and kept its state: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { status: 200, body: { status: 'reset' } };
}

function addFault(deps: AdminDeps, json: unknown): AdminResponse {
  const parsed = faultRuleInput.safeParse(json ?? {});
  if (!parsed.success)
    return adminError(
      400,
      'invalid_fault',
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'fault'}: ${issue.message}`).join('; '),
    );
  return { status: 201, body: deps.services.faults.add(parsed.data) };
}

function removeFaults(deps: AdminDeps, path: string): AdminResponse {
  const id = path.split('/')[1];
  if (id === undefined) {
    deps.services.faults.clear();
    return { status: 204, body: undefined };
  }
  return deps.services.faults.remove(id)
    ? { status: 204, body: undefined }
    : adminError(404, 'not_found', `No fault rule ${id}`);
}

function clockBody(deps: AdminDeps) {
  const { clock } = deps.services;
  return { now: new Date(clock.now()).toISOString(), offsetSeconds: clock.offsetMs() / 1000 };
}

function advanceClock(deps: AdminDeps, json: unknown): AdminResponse {
  const parsed = clockInput.safeParse(json ?? {});
  if (!parsed.success)
    return adminError(
      400,
      'invalid_clock',
      'Send {"advanceSeconds": <positive number>}; time only moves forward',
    );
  deps.services.clock.advance(parsed.data.advanceSeconds * 1000);
  return { status: 200, body: clockBody(deps) };
}
