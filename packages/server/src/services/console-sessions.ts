import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ApiTokens, Principal } from './api-tokens.js';

const hashOf = (value: string): string => createHash('sha256').update(value, 'utf8').digest('hex');
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

export interface ConsoleSession {
  principal: Principal;
  csrfToken: string;
  expiresAt: Date;
}

/**
 * Admin console sign-ins. Signing in with an operator or tenant-admin token opens a session: a
 * random ID for an HttpOnly cookie (only its hash is stored) and a CSRF token every state-changing
 * request must echo. A session lasts `ttlMs` at most, and ends at once with its token (revoked, or
 * an operator token that changed).
 */
export class ConsoleSessions {
  readonly #operatorFingerprint: string;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly tokens: ApiTokens,
    operatorToken: string,
    private readonly ttlMs = 8 * 3600_000,
  ) {
    this.#operatorFingerprint = `operator:${hashOf(`keyward-console|${operatorToken}`).slice(0, 32)}`;
  }

  /** Opens a session for an operator or tenant-admin token; undefined for any other token. */
  async open(token: string): Promise<{ id: string; session: ConsoleSession } | undefined> {
    const principal = await this.tokens.authenticate(token);
    if (principal === undefined || principal.kind === 'service') return undefined;
    const id = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.db
      .insertInto('console_sessions')
      .values({
        id_hash: hashOf(id),
        kind: principal.kind,
        token_id: principal.kind === 'operator' ? this.#operatorFingerprint : principal.tokenId,
        tenant_id: principal.tenantId,
        csrf_token: csrfToken,
        expires_at: expiresAt,
      })
      .execute();
    return { id, session: { principal, csrfToken, expiresAt } };
  }

  /** The live session for a cookie value, or undefined (unknown, expired, or its token no longer valid). */
  async find(id: string | undefined): Promise<ConsoleSession | undefined> {
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const row = await this.db
      .selectFrom('console_sessions')
      .selectAll()
      .where('id_hash', '=', hashOf(id))
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    if (row === undefined) return undefined;
    if (row.kind === 'operator') {
      if (row.token_id !== this.#operatorFingerprint) return undefined;
      return {
        principal: { kind: 'operator', tenantId: null, tokenId: 'operator' },
        csrfToken: row.csrf_token,
        expiresAt: new Date(row.expires_at),
      };
    }
    const token = await this.tokens.find(row.token_id);
    if (token === undefined || token.revokedAt !== null || token.kind !== 'tenant-admin') return undefined;
    return {
      principal: { kind: 'tenant-admin', tenantId: token.tenantId, tokenId: token.id },
      csrfToken: row.csrf_token,
      expiresAt: new Date(row.expires_at),
    };
  }

  async close(id: string | undefined): Promise<void> {
    if (id === undefined || !SESSION_ID.test(id)) return;
    await this.db.deleteFrom('console_sessions').where('id_hash', '=', hashOf(id)).execute();
  }

  /** Compares a request's CSRF token with the session's in constant time. */
  static csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
    if (presented === undefined) return false;
    const a = Buffer.from(hashOf(presented));
    const b = Buffer.from(hashOf(session.csrfToken));
    return timingSafeEqual(a, b);
  }
}
