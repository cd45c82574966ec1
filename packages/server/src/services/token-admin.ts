import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { ApiTokens, TokenKind } from './api-tokens.js';
import type { AuditLog } from './audit-log.js';

/** The operator's issuing and revoking of tenant tokens: each change commits with its audit event. */
export class TokenAdmin {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly tokens: ApiTokens,
    private readonly audit: AuditLog,
  ) {}

  /** A new token for one tenant; the token is in the answer only. */
  issue(
    kind: Exclude<TokenKind, 'operator'>,
    tenantId: string,
    actor: string,
  ): Promise<{ id: string; token: string }> {
    return this.db.transaction().execute(async (trx) => {
      const token = await this.tokens.issue(kind, tenantId, trx);
      await this.audit.appendIn(trx, {
        tenantId,
        actor,
        operation: 'token.issue',
        outcome: 'success',
        details: { tokenId: token.id, kind },
      });
      return token;
    });
  }

  /**
   * Revokes a token, audited; false when it was revoked already (nothing written). Once this
   * resolves, the caller tells the instances to forget it: a request that read the token as valid
   * before the commit may have cached it.
   */
  revoke(token: { id: string; kind: TokenKind; tenantId: string | null }, actor: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      if (!(await this.tokens.revoke(token.id, trx))) return false;
      await this.audit.appendIn(trx, {
        tenantId: token.tenantId,
        actor,
        operation: 'token.revoke',
        outcome: 'success',
        details: { tokenId: token.id, kind: token.kind },
      });
      return true;
    });
  }
}
