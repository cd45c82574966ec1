import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';
import { KeywardError, SecretKey, type RootKey } from '@keyward/core';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { requireCurrentPlatformKey, retryAcrossRotation } from './current-root-guard.js';
import { localHostReason, publicOnlyLookup } from './webhook-address.js';
import { postWebhook } from './webhook-post.js';

export const OPERATOR_SCOPE = ':operator';
/**
 * The KMS encryption context of a webhook secret: the tenant it belongs to (or the operator), and
 * version 0, which no tenant key version can be.
 */
const secretContext = (scope: string) => ({
  tenantId: scope === OPERATOR_SCOPE ? 'keyward-operator' : scope,
  version: 0,
});

/**
 * A change of a tenant's BYOK state: from a health check (`finding`) or a lifecycle operation
 * (`operation`: byok.enable, byok.switch-cmk, byok.revert, byok.abort), or a job that ended.
 */
export type WebhookEvent =
  | {
      type: 'byok.state_changed';
      tenantId: string;
      from: string;
      to: string;
      finding?: string;
      operation?: string;
      reason: string | null;
    }
  | {
      type: 'job.finished';
      tenantId: string | null;
      jobId: string;
      kind: string;
      state: 'succeeded' | 'failed';
      error: { code: string; message: string } | null;
    };

/** Where the platform's root keys come from: the current one wraps, any of them unwraps what it wrapped. */
export interface WebhookRoots {
  current(): Promise<RootKey>;
  byId(id: string): RootKey;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The key is the secret's 32 bytes (the
 * base64url text after `whsec_`); the receiver recomputes it and compares in constant time.
 */
export function signature(secret: Uint8Array, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookOptions {
  /** First retry after this long, doubling each time (with jitter); default 1 s. */
  retryBaseMs?: number;
  attempts?: number;
  timeoutMs?: number;
  onDelivery?: (outcome: 'delivered' | 'failed', scope: string) => void;
  /** Whether URLs may point at loopback, private or link-local addresses (development only); default false. */
  allowPrivateAddresses?: boolean;
}

/**
 * Webhooks for state changes: one per tenant and one for the operator. Each delivery is a JSON
 * body signed with HMAC-SHA256 under the webhook's secret (`keyward-signature` header), retried
 * with exponential backoff. The secret is shown once, when the webhook is set, and stored only
 * wrapped by the platform root key.
 */
export class Webhooks {
  readonly #secrets = new Map<string, Uint8Array>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly roots: WebhookRoots,
    private readonly options: WebhookOptions = {},
  ) {}

  async set(scope: string, url: string): Promise<{ url: string; secret: string }> {
    checkUrl(url, this.options.allowPrivateAddresses === true);
    // The HMAC key is 32 random bytes; the receiver gets them as `whsec_` + base64url.
    const bytes = randomBytes(32);
    const secret = `whsec_${bytes.toString('base64url')}`;
    const key = SecretKey.takeFrom(bytes);
    try {
      // A platform key rotation between choosing the key and the write refuses the write: wrap again under the new key.
      await retryAcrossRotation(() => this.#store(scope, url, key));
    } finally {
      key.zero();
    }
    return { url, secret };
  }

  async #store(scope: string, url: string, key: SecretKey): Promise<void> {
    const root = await this.roots.current();
    const wrapped = await root.wrap(key, secretContext(scope));
    await this.db.transaction().execute(async (trx) => {
      await requireCurrentPlatformKey(trx, root.id);
      await trx
        .insertInto('webhooks')
        .values({ scope, url, wrapped_secret: wrapped, root_key_id: root.id })
        .onConflict((conflict) =>
          conflict.column('scope').doUpdateSet({
            url,
            wrapped_secret: wrapped,
            root_key_id: root.id,
            created_at: new Date(),
          } as never),
        )
        .execute();
    });
  }

  async get(scope: string): Promise<{ url: string; createdAt: Date } | undefined> {
    const row = await this.db
      .selectFrom('webhooks')
      .select(['url', 'created_at'])
      .where('scope', '=', scope)
      .executeTakeFirst();
    return row === undefined ? undefined : { url: row.url, createdAt: new Date(row.created_at) };
  }

  async remove(scope: string): Promise<boolean> {
    const result = await this.db.deleteFrom('webhooks').where('scope', '=', scope).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  /**
   * A platform key rotation's last step: every secret still wrapped by one of `fromIds`, re-wrapped
   * under `to` (compare-and-set, so a secret replaced meanwhile is left as it is). Returns how many.
   */
  async rewrapFrom(fromIds: string[], to: RootKey): Promise<number> {
    if (fromIds.length === 0) return 0;
    const rows = await this.db
      .selectFrom('webhooks')
      .select(['scope', 'wrapped_secret', 'root_key_id'])
      .where('root_key_id', 'in', fromIds)
      .execute();
    let count = 0;
    for (const row of rows) {
      const key = await this.roots
        .byId(row.root_key_id)
        .unwrap(Uint8Array.from(row.wrapped_secret), secretContext(row.scope));
      let wrapped: Uint8Array;
      try {
        wrapped = await to.wrap(key, secretContext(row.scope));
      } finally {
        key.zero();
      }
      const updated = await this.db.transaction().execute(async (trx) => {
        await requireCurrentPlatformKey(trx, to.id);
        return trx
          .updateTable('webhooks')
          .set({ wrapped_secret: wrapped, root_key_id: to.id })
          .where('scope', '=', row.scope)
          .where('root_key_id', '=', row.root_key_id)
          .where('wrapped_secret', '=', row.wrapped_secret)
          .executeTakeFirst();
      });
      if (updated.numUpdatedRows > 0n) count++;
    }
    return count;
  }

  /** Sends the event to the tenant's webhook (if it concerns one) and the operator's, if set; returns at once (deliveries retry in the background). */
  async notify(event: WebhookEvent): Promise<void> {
    const scopes = event.tenantId === null ? [OPERATOR_SCOPE] : [event.tenantId, OPERATOR_SCOPE];
    const rows = await this.db.selectFrom('webhooks').selectAll().where('scope', 'in', scopes).execute();
    const body = JSON.stringify({ id: randomUUID(), at: new Date().toISOString(), ...event });
    for (const row of rows) void this.#deliver(row.scope, body, 1);
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#secrets.clear();
  }

  /**
   * One attempt. The webhook is read again each time: a webhook replaced meanwhile gets the event
   * at its new URL, signed with its new secret, and a removed one gets nothing more.
   */
  async #deliver(scope: string, body: string, attempt: number): Promise<void> {
    if (this.#stopped) return;
    const attempts = this.options.attempts ?? 5;
    try {
      const row = await this.db
        .selectFrom('webhooks')
        .select(['scope', 'url', 'wrapped_secret', 'root_key_id'])
        .where('scope', '=', scope)
        .executeTakeFirst();
      if (row === undefined || this.#stopped) return;
      const secret = await this.#secret(row);
      const status = await postWebhook(
        row.url,
        {
          'content-type': 'application/json',
          'keyward-signature': signature(secret, Math.floor(Date.now() / 1000), body),
          'user-agent': 'Keyward-Webhooks/1',
        },
        body,
        {
          timeoutMs: this.options.timeoutMs ?? 10_000,
          ...(this.options.allowPrivateAddresses === true ? {} : { lookup: publicOnlyLookup }),
        },
      );
      if (status >= 200 && status < 300) {
        this.options.onDelivery?.('delivered', scope);
        return;
      }
    } catch {
      // A network error or a timeout: retried like a 5xx.
    }
    if (this.#stopped) return;
    if (attempt >= attempts) {
      this.options.onDelivery?.('failed', scope);
      return;
    }
    const base = this.options.retryBaseMs ?? 1000;
    const delay = base * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#deliver(scope, body, attempt + 1);
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** The unwrapped secret, cached by its wrapped form: a replaced secret is never used again. */
  async #secret(row: {
    scope: string;
    wrapped_secret: Uint8Array;
    root_key_id: string;
  }): Promise<Uint8Array> {
    const cacheKey = `${row.scope}\u0000${createHash('sha256').update(row.wrapped_secret).digest('hex')}`;
    let secret = this.#secrets.get(cacheKey);
    if (secret === undefined) {
      const key = await this.roots
        .byId(row.root_key_id)
        .unwrap(Uint8Array.from(row.wrapped_secret), secretContext(row.scope));
      secret = Uint8Array.from(key.bytes());
      key.zero();
      for (const [key, old] of this.#secrets) {
        if (!key.startsWith(`${row.scope}\u0000`)) continue;
        old.fill(0);
        this.#secrets.delete(key);
      }
      this.#secrets.set(cacheKey, secret);
    }
    return secret;
  }
}

function checkUrl(url: string, allowPrivate: boolean): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeywardError('KW_INVALID_ARGUMENT', { message: 'The webhook URL is not a URL.' });
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new KeywardError('KW_INVALID_ARGUMENT', { message: 'The webhook URL must be http(s).' });
  if (parsed.username !== '' || parsed.password !== '')
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: 'The webhook URL must not carry credentials; verify deliveries by their signature.',
    });
  const local = allowPrivate ? undefined : localHostReason(parsed.hostname);
  // A name is checked again at every delivery, against the addresses it then resolves to.
  if (local !== undefined)
    throw new KeywardError('KW_INVALID_ARGUMENT', {
      message: `The webhook URL must reach a public address: ${local}.`,
      details: { host: parsed.hostname },
    });
}
