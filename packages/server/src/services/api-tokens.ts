import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

/**
 * Who may call the API:
 * - the **operator**: everything (token from configuration);
 * - a **tenant admin**: BYOK setup of one tenant;
 * - a **service**: the data plane of one tenant.
 */
export type TokenKind = 'operator' | 'tenant-admin' | 'service';

export interface Principal {
  kind: TokenKind;
  /** The one tenant a tenant-admin or service token may touch; null for the operator. */
  tenantId: string | null;
  tokenId: string;
}

const PREFIX: Record<Exclude<TokenKind, 'operator'>, string> = { 'tenant-admin': 'kwa_', service: 'kws_' };
const TOKEN = /^kw[as]_[A-Za-z0-9_-]{43}$/;

const digest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * API tokens. A token is shown once, when issued; only its SHA-256 is stored, so a database dump
 * holds nothing that authenticates. Lookups go by hash (an index cannot leak the token through
 * timing), and the operator token is compared in constant time.
 */
export class ApiTokens {
  readonly #operator: Buffer | undefined;
  /** Valid tokens seen lately, by hash, so the data plane does not query the store per request. */
  readonly #recent = new Map<string, { principal: Principal; until: number }>();

  /**
   * `cacheMs` bounds how long another instance keeps accepting a token revoked elsewhere (this
   * instance forgets it at once).
   */
  constructor(
    private readonly db: Kysely<Database>,
    operatorToken?: string,
    private readonly now: () => Date = () => new Date(),
    private readonly cacheMs = 5000,
  ) {
    this.#operator = operatorToken === undefined ? undefined : digest(operatorToken);
  }

  /** Issues a tenant-admin or service token for one tenant; the returned token is never stored. */
  /** `db` may be a transaction, so that the token and its audit event commit together. */
  async issue(
    kind: Exclude<TokenKind, 'operator'>,
    tenantId: string,
    db: Kysely<Database> = this.db,
  ): Promise<{ id: string; token: string }> {
    const token = PREFIX[kind] + randomBytes(32).toString('base64url');
    const id = randomUUID();
    await db
      .insertInto('api_tokens')
      .values({
        id,
        token_hash: digest(token).toString('hex'),
        kind,
        tenant_id: tenantId,
        created_at: this.now(),
        revoked_at: null,
      })
      .execute();
    return { id, token };
  }

  /** The principal a bearer token stands for, or undefined (unknown, malformed or revoked). */
  async authenticate(token: string | undefined): Promise<Principal | undefined> {
    if (token === undefined || token.length === 0 || token.length > 256) return undefined;
    const hash = digest(token);
    if (this.#operator !== undefined && timingSafeEqual(hash, this.#operator))
      return { kind: 'operator', tenantId: null, tokenId: 'operator' };
    if (!TOKEN.test(token)) return undefined;
    const key = hash.toString('hex');
    const recent = this.#recent.get(key);
    if (recent !== undefined && recent.until > Date.now()) return recent.principal;
    const row = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', key)
      .executeTakeFirst();
    if (row === undefined || row.revoked_at !== null) {
      this.#recent.delete(key);
      return undefined;
    }
    const principal: Principal = { kind: row.kind as TokenKind, tenantId: row.tenant_id, tokenId: row.id };
    if (this.#recent.size >= 10_000) this.#recent.clear();
    this.#recent.set(key, { principal, until: Date.now() + this.cacheMs });
    return principal;
  }

  /**
   * Revokes a token. Inside a transaction, call `forget(id)` again once it commits: a request in
   * between still reads the token as valid, and would cache it again.
   */
  async revoke(id: string, db: Kysely<Database> = this.db): Promise<boolean> {
    const result = await db
      .updateTable('api_tokens')
      .set({ revoked_at: this.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    this.forget(id);
    return result.numUpdatedRows > 0n;
  }

  /** Forgets every accepted token (messages from other instances may have been missed). */
  forgetAll(): void {
    this.#recent.clear();
  }

  /** Drops a token from this instance's cache of recently accepted tokens. */
  forget(id: string): void {
    for (const [key, entry] of this.#recent) if (entry.principal.tokenId === id) this.#recent.delete(key);
  }

  /** One token's record (never the token itself), or undefined. */
  async find(
    id: string,
  ): Promise<{ id: string; kind: TokenKind; tenantId: string | null; revokedAt: Date | null } | undefined> {
    const row = await this.db
      .selectFrom('api_tokens')
      .select(['id', 'kind', 'tenant_id', 'revoked_at'])
      .where('id', '=', id)
      .executeTakeFirst();
    return row === undefined
      ? undefined
      : {
          id: row.id,
          kind: row.kind as TokenKind,
          tenantId: row.tenant_id,
          revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
        };
  }

  async list(
    tenantId?: string,
  ): Promise<
    Array<{ id: string; kind: TokenKind; tenantId: string | null; createdAt: Date; revokedAt: Date | null }>
  > {
    let query = this.db
      .selectFrom('api_tokens')
      .select(['id', 'kind', 'tenant_id', 'created_at', 'revoked_at'])
      .orderBy('created_at');
    if (tenantId !== undefined) query = query.where('tenant_id', '=', tenantId);
    const rows = await query.execute();
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind as TokenKind,
      tenantId: row.tenant_id,
      createdAt: new Date(row.created_at),
      revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    }));
  }
}
