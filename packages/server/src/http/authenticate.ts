import { KeywardError } from '@keyward/core';
import type { FastifyRequest } from 'fastify';
import { cookieOf, sameOrigin, SESSION_COOKIE } from './cookies.js';
import type { Principal } from '../services/api-tokens.js';
import { ConsoleSessions } from '../services/console-sessions.js';
import type { Services } from '../services/services.js';

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

/**
 * The caller: a bearer token, or else the admin console's session cookie. A request that changes
 * anything with the cookie must carry the session's CSRF token (`x-csrf-token`): the cookie alone,
 * which a browser attaches by itself, never suffices.
 */
export async function authenticate(
  services: Services,
  request: FastifyRequest,
): Promise<Principal | undefined> {
  if (request.headers.authorization !== undefined) return services.tokens.authenticate(bearer(request));
  const session = await services.consoleSessions.find(cookieOf(request, SESSION_COOKIE));
  if (session === undefined) return undefined;
  const reads = request.method === 'GET' || request.method === 'HEAD';
  const presented = request.headers['x-csrf-token'];
  if (!reads && !sameOrigin(request))
    throw new KeywardError('KW_FORBIDDEN', {
      message: "A console request must come from the console's own origin.",
    });
  if (
    !reads &&
    !ConsoleSessions.csrfMatches(session, typeof presented === 'string' ? presented : undefined)
  ) {
    throw new KeywardError('KW_FORBIDDEN', {
      message: "A console request that changes something needs the session's CSRF token (x-csrf-token).",
    });
  }
  return session.principal;
}
